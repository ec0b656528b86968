"""Load every submission of one period folder and index them by department."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from chengbei_report.catalog import Catalog
from chengbei_report.periods import Period
from chengbei_report.progress import Progress
from chengbei_report.read.submission import LedgerTable, ReportedValue, Submission, parse_submission
from chengbei_report.read.workbook import (
    Limits,
    UnreadableWorkbook,
    collector_paused,
    read_workbook,
    read_workbooks,
)

# Spreadsheet suffixes; anything else in a submissions folder is not a submission.
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".et"})


@dataclass
class PeriodData:
    period: Period
    folder: Path
    submissions: list[Submission] = field(default_factory=list)
    by_department: dict[str, Submission] = field(default_factory=dict)

    def reported(self, code: str, department: str) -> tuple[Submission, ReportedValue] | None:
        submission = self.by_department.get(department)
        if submission is None or code not in submission.values:
            return None
        return submission, submission.values[code]

    def ledger(self, code: str, department: str) -> LedgerTable | None:
        submission = self.by_department.get(department)
        return None if submission is None else submission.ledgers.get(code)


def is_workbook_file(path: Path) -> bool:
    """A spreadsheet a department may have sent: not an Office lock file, a spreadsheet suffix."""
    return not path.name.startswith("~$") and path.suffix.lower() in WORKBOOK_SUFFIXES


def submission_files(folder: Path) -> list[Path]:
    """The spreadsheet files of a period folder, in name order (the validator warns of others)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and is_workbook_file(p))


def load_submission(path: Path, catalog: Catalog, limits: Limits | None = None) -> Submission:
    """Read and parse one file; an unreadable file becomes a submission holding one finding."""
    try:
        workbook = read_workbook(path, limits)
    except UnreadableWorkbook as exc:
        return _unreadable(path, exc)
    return parse_submission(workbook, catalog)


def _unreadable(path: Path, exc: UnreadableWorkbook) -> Submission:
    return Submission(path=path, department=None, findings=[exc.finding(path.name)])


def load_submissions(
    paths: Sequence[Path],
    catalog: Catalog,
    progress: Progress | None = None,
    limits: Limits | None = None,
    label: str = "读取报表",
) -> list[Submission]:
    """Read and parse files in order (one scanned ahead while another is read, when it pays)."""
    submissions = []
    with collector_paused():
        for done, (path, outcome) in enumerate(read_workbooks(paths, limits)):
            if progress is not None:
                progress(f"{label}：{path.name}", done, len(paths))
            if isinstance(outcome, UnreadableWorkbook):
                submissions.append(_unreadable(path, outcome))
            else:
                submissions.append(parse_submission(outcome, catalog))
    if progress is not None and paths:
        progress(f"已{label}", len(paths), len(paths))
    return submissions


def load_period(
    folder: Path,
    period: Period,
    catalog: Catalog,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> PeriodData:
    """Load every workbook of ``folder``; ``progress`` hears of each file as it is parsed."""
    data = PeriodData(period=period, folder=folder)
    files = submission_files(folder)
    for submission in load_submissions(
        files, catalog, progress, limits, f"读取{period.full_label}报表"
    ):
        _add(data, submission)
    return data


def _add(data: PeriodData, submission: Submission) -> None:
    """Index the first file of each department; ``validate`` reports a second one."""
    data.submissions.append(submission)
    if submission.department is not None:
        data.by_department.setdefault(submission.department.code, submission)
