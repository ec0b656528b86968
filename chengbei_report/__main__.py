from chengbei_report.cli import main

main()
