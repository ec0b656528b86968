"""Load every submission of one period folder and index them by department."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from chengbei_report.catalog import Catalog
from chengbei_report.periods import Period
from chengbei_report.progress import Progress
from chengbei_report.read.safety import MB
from chengbei_report.read.submission import LedgerTable, ReportedValue, Submission, parse_submission
from chengbei_report.read.workbook import (
    Limits,
    UnreadableWorkbook,
    collector_paused,
    read_workbook,
)

# Spreadsheet suffixes; anything else in a submissions folder is not a submission.
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".et"})
# From this much in all, files are read in worker processes: starting one costs ~0.2 s of CPU.
WORKER_BYTES = 8 * MB


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
    *,
    workers: int | None = None,
) -> list[Submission]:
    """Read and parse files, in order; an unreadable file becomes a submission with its finding.

    ``workers`` processes read whole workbooks (``read/workers.py``); by default as many as
    cores once the files reach ``WORKER_BYTES``, else none (read here, fully pre-flighted).
    """
    wanted = limits or Limits()
    count = _worker_count(paths) if workers is None else workers
    submissions = []
    with collector_paused():
        for done, (path, outcome) in enumerate(_outcomes(paths, catalog, wanted, count)):
            if progress is not None:
                progress(f"{label}：{path.name}", done, len(paths))
            if isinstance(outcome, UnreadableWorkbook):
                submissions.append(_unreadable(path, outcome))
            else:
                submissions.append(outcome)
    if progress is not None and paths:
        progress(f"已{label}", len(paths), len(paths))
    return submissions


def _outcomes(
    paths: Sequence[Path], catalog: Catalog, limits: Limits, workers: int
) -> Iterator[tuple[Path, Submission | UnreadableWorkbook]]:
    if workers > 0 and paths:
        from chengbei_report.read.workers import read_in_workers

        yield from read_in_workers(paths, catalog, limits, workers)
        return
    for path in paths:
        yield path, load_submission(path, catalog, limits)


def _worker_count(paths: Sequence[Path]) -> int:
    from chengbei_report.read.workers import core_count

    return core_count() if sum(map(_size, paths)) >= WORKER_BYTES else 0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


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
