"""The ``chengbei-report`` script and ``python -m chengbei_report``, kept light: Ctrl+C while the
command line is still loading (typer, rich) says so and exits 130, as at any later moment."""

from __future__ import annotations

import os
import signal
import sys

_INTERRUPTED = "已中断，未写出任何不完整的文件。"  # as chengbei_report.cli_i18n.INTERRUPTED
_EXIT_INTERRUPTED = 130


def main() -> None:
    try:
        from chengbei_report.cli import main as run

        run()
    except KeyboardInterrupt:
        sys.stderr.write(_INTERRUPTED + "\n")
        _leave(_EXIT_INTERRUPTED)
    except SystemExit as exc:
        if exc.code == _EXIT_INTERRUPTED:
            _leave(_EXIT_INTERRUPTED)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # done: nothing left to interrupt
        raise


def _leave(code: int) -> None:
    """Exit at once with ``code``. Python, once Ctrl+C interrupted an import, ends its run by
    killing itself with SIGINT (exit status -2, not 130); the run's own clean-up (temporary
    files, the scanner process) has already happened in its ``finally`` blocks."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
