"""Load every submission of one period folder and index them by department."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chengbei_report.catalog import Catalog
from chengbei_report.findings import Finding, Severity
from chengbei_report.periods import Period
from chengbei_report.progress import Progress
from chengbei_report.read.submission import LedgerTable, ReportedValue, Submission, parse_submission
from chengbei_report.read.workbook import Limits, UnreadableWorkbook, read_workbook


@dataclass
class PeriodData:
    period: Period
    folder: Path
    submissions: list[Submission] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    by_department: dict[str, Submission] = field(default_factory=dict)

    def reported(self, code: str, department: str) -> tuple[Submission, ReportedValue] | None:
        submission = self.by_department.get(department)
        if submission is None or code not in submission.values:
            return None
        return submission, submission.values[code]

    def ledger(self, code: str, department: str) -> LedgerTable | None:
        submission = self.by_department.get(department)
        return None if submission is None else submission.ledgers.get(code)


def submission_files(folder: Path) -> list[Path]:
    """Every file in a period folder except Office lock files, in name order."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("~$"))


def load_submission(path: Path, catalog: Catalog, limits: Limits | None = None) -> Submission:
    """Read and parse one file; an unreadable file becomes a submission holding one finding."""
    try:
        workbook = read_workbook(path, limits)
    except UnreadableWorkbook as exc:
        finding = Finding(exc.code, Severity.ERROR, exc.message, path.name, hint=exc.hint)
        return Submission(path=path, department=None, findings=[finding])
    return parse_submission(workbook, catalog)


def load_period(
    folder: Path,
    period: Period,
    catalog: Catalog,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> PeriodData:
    """Load every workbook of ``folder``; ``progress`` hears of each file before it is read."""
    data = PeriodData(period=period, folder=folder)
    files = submission_files(folder)
    for done, path in enumerate(files):
        if progress is not None:
            progress(f"读取{period.full_label}报表：{path.name}", done, len(files))
        submission = load_submission(path, catalog, limits)
        data.submissions.append(submission)
        data.findings.extend(submission.findings)
        if submission.department is None:
            continue
        first = data.by_department.setdefault(submission.department.code, submission)
        if first is not submission:
            data.findings.append(
                Finding(
                    "FILE_DUPLICATE_DEPARTMENT",
                    Severity.ERROR,
                    f"“{submission.department.name}”在本期有两份报表：{first.file} 和 {submission.file}。",
                    submission.file,
                    hint="请删除旧的一份，只保留最终版本。",
                )
            )
    if progress is not None and files:
        progress(f"已读取{period.full_label}报表", len(files), len(files))
    return data
