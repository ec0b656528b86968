"""``status``: who has submitted for a period, whose workbook has errors, whom to call.

One row per department of the catalog, from the same findings ``validate`` reports, so the
compiler sees at a glance what is still missing before a deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from chengbei_report.findings import Finding
from chengbei_report.periods import Period
from chengbei_report.progress import Progress
from chengbei_report.project import open_project
from chengbei_report.read.submission import Submission
from chengbei_report.validate.file import foreign_file, has_duties


class State(StrEnum):
    PASSED = "通过"
    WARNINGS = "仅警告"
    ERRORS = "有错误"
    MISSING = "未报送"
    NOT_DUE = "无需报送"


@dataclass(frozen=True)
class DepartmentStatus:
    """One department's submission: the file, who filled it in, and what validate found."""

    code: str
    name: str
    state: State
    file: str = ""
    reporter: str = ""
    phone: str = ""
    filled: str = ""
    modified: datetime | None = None
    errors: int = 0
    warnings: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "state": self.state.value,
            "file": self.file,
            "reporter": self.reporter,
            "phone": self.phone,
            "filled": self.filled,
            "modified": self.modified.isoformat(timespec="seconds") if self.modified else None,
            "errors": self.errors,
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class OtherFile:
    """A file in the folder that belongs to no department (unreadable, unknown 部门, stray)."""

    file: str
    errors: int
    warnings: int

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "errors": self.errors, "warnings": self.warnings}


@dataclass
class StatusResult:
    period: Period
    folder: Path
    departments: list[DepartmentStatus]
    others: list[OtherFile] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing to chase: no department missing and none with errors."""
        return not any(d.state in (State.MISSING, State.ERRORS) for d in self.departments)

    def counts(self) -> dict[State, int]:
        found = {state: 0 for state in State}
        for department in self.departments:
            found[department.state] += 1
        return found

    def summary(self) -> str:
        """``7 个部门：5 个通过，1 个有错误，1 个未报送`` (states that occur, in a fixed order)."""
        parts = [f"{n} 个{state.value}" for state, n in self.counts().items() if n]
        return f"{len(self.departments)} 个部门：" + "，".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "period": self.period.code,
            "folder": str(self.folder),
            "departments": [d.to_dict() for d in self.departments],
            "others": [o.to_dict() for o in self.others],
            "counts": {state.value: n for state, n in self.counts().items()},
            "summary": self.summary(),
        }


def submission_status(
    period: Period, *, workspace_dir: Path | None = None, progress: Progress | None = None
) -> StatusResult:
    """The submission state of every department of the catalog for ``period``."""
    project = open_project(workspace_dir, progress)
    folder = project.require_period(period)
    findings = project.validate(period)
    submissions = project.period_data(period).submissions
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        by_file.setdefault(finding.file, []).append(finding)
    mine: dict[str, list[Submission]] = {}
    for submission in submissions:
        if submission.department is not None and foreign_file(submission.path) is None:
            mine.setdefault(submission.department.code, []).append(submission)
    theirs = {s.file for own in mine.values() for s in own}
    others = [_other(file, items) for file, items in by_file.items() if file and file not in theirs]
    due_check = period != project.workspace.baseline
    rows = []
    for code, department in project.catalog.departments.items():
        own = mine.get(code, [])
        if own:
            rows.append(_submitted(code, department.name, own, by_file))
        else:
            due = due_check and has_duties(project.catalog, period, code)
            rows.append(
                DepartmentStatus(code, department.name, State.MISSING if due else State.NOT_DUE)
            )
    return StatusResult(period=period, folder=folder, departments=rows, others=others)


def _other(file: str, findings: list[Finding]) -> OtherFile:
    errors = sum(f.is_error for f in findings)
    return OtherFile(file, errors, len(findings) - errors)


def _submitted(
    code: str, name: str, own: list[Submission], by_file: dict[str, list[Finding]]
) -> DepartmentStatus:
    """The first workbook of a department (in name order), counting the findings of all."""
    first = own[0]
    findings = [f for submission in own for f in by_file.get(submission.file, [])]
    errors = sum(f.is_error for f in findings)
    warnings = len(findings) - errors
    state = State.ERRORS if errors else State.WARNINGS if warnings else State.PASSED
    return DepartmentStatus(
        code=code,
        name=name,
        state=state,
        file=first.file,
        reporter=first.header_text("填报人"),
        phone=first.header_text("联系电话"),
        filled=_date_text(first),
        modified=datetime.fromtimestamp(int(first.path.stat().st_mtime)),
        errors=errors,
        warnings=warnings,
    )


def _date_text(submission: Submission) -> str:
    """填报日期 as written, a date cell as ``2023-07-05``."""
    found = submission.header.get("填报日期")
    value = found.value if found is not None else None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return submission.header_text("填报日期")
