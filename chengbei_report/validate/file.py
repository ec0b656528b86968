"""File-level checks: which files are submissions, and whose and for when each one is."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from chengbei_report.catalog import Catalog
from chengbei_report.codes import (
    FILE_DUPLICATE_DEPARTMENT,
    FILE_LOCK_FILE,
    FILE_MISSING_DEPARTMENT,
    FILE_NOT_SUBMISSION,
    FILE_NOT_XLSX,
    FILE_UNKNOWN_DEPARTMENT,
    FILE_WRONG_PERIOD,
    FILE_WRONG_UNIT,
    STRUCT_BAD_PERIOD,
)
from chengbei_report.errors import UsageError
from chengbei_report.findings import Finding
from chengbei_report.periods import Period
from chengbei_report.read.period import is_workbook_file
from chengbei_report.read.safety import Limits, UnreadableWorkbook, preflight
from chengbei_report.read.submission import INDICATOR_SHEET, Submission
from chengbei_report.validate.context import CheckContext, finding


def foreign_file(path: Path) -> Finding | None:
    """A warning for a file that is no submission (lock file, text, Word …); None otherwise."""
    if is_workbook_file(path):
        return None
    if path.name.startswith("~$"):
        return finding(
            path.name,
            FILE_LOCK_FILE,
            "这是 Excel/WPS 打开文件时留下的临时锁文件，已跳过。",
        )
    return finding(
        path.name,
        FILE_NOT_SUBMISSION,
        f"这不是 Excel 报表（扩展名“{path.suffix or '无'}”），已跳过。",
    )


def not_a_workbook(path: Path, limits: Limits) -> Finding:
    """The error for a file named on the command line that is no workbook: what it is, from
    its bytes (the pre-flight's verdict), or else from its name."""
    if path.name.startswith("~$"):
        return finding(
            path.name, FILE_NOT_XLSX, "这是 Excel/WPS 打开文件时留下的临时锁文件，不是报表。"
        )
    try:
        preflight(path, limits)
    except UnreadableWorkbook as exc:
        return exc.finding(path.name)
    message = f"扩展名“{path.suffix or '无'}”不是 Excel 工作簿，无法校验。"
    return finding(path.name, FILE_NOT_XLSX, message)


def foreign_files(folder: Path) -> list[Path]:
    """Files of a period folder the loader skips without a word: lock files, text, Word …"""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not is_workbook_file(p))


def header_period(submission: Submission) -> Period | None:
    """The period written in the header field 报告期, or None when it cannot be read."""
    found = submission.header.get("报告期")
    if found is None or found.value is None:
        return None
    value = found.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, date | datetime | bool):
        return None
    try:
        return Period.parse(str(value))
    except UsageError:
        return None


def identity_findings(ctx: CheckContext, submission: Submission) -> list[Finding]:
    """Unit, department and period named in the header against the workspace and the folder."""
    findings: list[Finding] = []
    unit = submission.header_text("单位")
    if unit and unit != ctx.unit_name:
        findings.append(
            finding(
                submission,
                FILE_WRONG_UNIT,
                f"表头“单位”为“{unit}”，而本工作区是“{ctx.unit_name}”。",
                sheet=INDICATOR_SHEET,
                cell=submission.header["单位"].cell,
            )
        )
    department = submission.header_text("部门")
    if department and submission.department is None:
        names = "、".join(d.name for d in ctx.catalog.departments.values())
        findings.append(
            finding(
                submission,
                FILE_UNKNOWN_DEPARTMENT,
                f"表头“部门”为“{department}”，不在指标目录的部门清单中。",
                sheet=INDICATOR_SHEET,
                cell=submission.header["部门"].cell,
                names=names,
            )
        )
    findings.extend(_period_findings(ctx, submission))
    return findings


def _period_findings(ctx: CheckContext, submission: Submission) -> list[Finding]:
    found = submission.header.get("报告期")
    if found is None or found.value is None or str(found.value).strip() == "":
        return []
    period = header_period(submission)
    if period is None:
        return [
            finding(
                submission,
                STRUCT_BAD_PERIOD,
                f"表头“报告期”的“{found.value}”无法识别。",
                sheet=INDICATOR_SHEET,
                cell=found.cell,
            )
        ]
    if ctx.period is not None and period != ctx.period:
        return [
            finding(
                submission,
                FILE_WRONG_PERIOD,
                f"表头“报告期”是{period.full_label}，而本次校验的是{ctx.period.full_label}。",
                sheet=INDICATOR_SHEET,
                cell=found.cell,
                label=period.full_label,
                folder=period.code,
            )
        ]
    return []


def duplicate_findings(submissions: Iterable[Submission]) -> list[Finding]:
    """Two workbooks of one department: the later one (in name order) is reported."""
    first: dict[str, Submission] = {}
    findings: list[Finding] = []
    for submission in submissions:
        if submission.department is None:
            continue
        earlier = first.setdefault(submission.department.code, submission)
        if earlier is not submission:
            findings.append(
                finding(
                    submission,
                    FILE_DUPLICATE_DEPARTMENT,
                    department=submission.department.name,
                    first=earlier.file,
                    second=submission.file,
                )
            )
    return findings


def missing_department_findings(
    ctx: CheckContext, submissions: Iterable[Submission], folder: Path
) -> list[Finding]:
    """Departments with something to report this period whose workbook is absent."""
    if ctx.period is None or ctx.is_baseline:
        return []
    present = {s.department.code for s in submissions if s.department is not None}
    findings: list[Finding] = []
    for department in ctx.catalog.departments.values():
        if department.code in present or not _has_duties(ctx, department.code):
            continue
        findings.append(
            finding(
                "",
                FILE_MISSING_DEPARTMENT,
                f"缺少“{department.name}”的{ctx.period.full_label}报表。",
                folder=str(folder),
            )
        )
    return findings


def _has_duties(ctx: CheckContext, department: str) -> bool:
    return ctx.period is not None and has_duties(ctx.catalog, ctx.period, department)


def has_duties(catalog: Catalog, period: Period, department: str) -> bool:
    """Whether ``department`` has indicators or ledgers due in ``period`` (by their frequency)."""
    kind = period.kind.value
    indicators = any(i.due_in(period) for i in catalog.reported_indicators(department))
    ledgers = any(kind in ledger.frequency for ledger in catalog.ledgers_of(department))
    return indicators or ledgers
