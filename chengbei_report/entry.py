"""The ``chengbei-report`` script, kept light: Ctrl+C while the command line is still loading
(typer, rich) says so and exits 130, as it does at any later moment of a run."""

from __future__ import annotations

import sys

_INTERRUPTED = "已中断，未写出任何不完整的文件。"  # as chengbei_report.cli_i18n.INTERRUPTED
_EXIT_INTERRUPTED = 130


def main() -> None:
    try:
        from chengbei_report.cli import main as run

        run()
    except KeyboardInterrupt:
        sys.stderr.write(_INTERRUPTED + "\n")
        sys.exit(_EXIT_INTERRUPTED)
