from chengbei_report.entry import main

main()
