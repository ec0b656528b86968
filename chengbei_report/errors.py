"""One exception family for problems that stop a run.

Data problems in submitted workbooks are *findings* (see ``findings``), never exceptions.
Everything here carries a Chinese message for the user and the exit code the CLI returns.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2


class ReportError(Exception):
    """A problem that stops the run; ``str(err)`` is the Chinese message shown to the user."""

    exit_code = EXIT_DATA

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(ReportError):
    """Bad arguments: an unknown period, a missing workspace, an output path that is an input."""

    exit_code = EXIT_USAGE


class WorkspaceError(ReportError):
    """The workspace (config, folders, workbooks expected by the catalog) is incomplete."""


class CatalogError(ReportError):
    """The indicator catalog is wrong: unknown reference, cycle, bad syntax, unit mismatch."""


class ComputeError(ReportError):
    """A figure cannot be computed: division by zero, a missing input."""


class TemplateError(ReportError):
    """The template is wrong: undefined variable, unknown filter, syntax error."""


class OutputError(ReportError):
    """An output cannot be written."""


class MissingDataError(ComputeError):
    """A figure's input is not in the workspace: no workbook, no row, no ledger sheet."""
