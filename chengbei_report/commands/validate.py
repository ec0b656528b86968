"""``validate``: check a period's folder or given files, and optionally write annotated copies
and a notice to each department with problems."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from chengbei_report.errors import UsageError
from chengbei_report.findings import Finding, FindingReport
from chengbei_report.guard import guard_outputs
from chengbei_report.periods import Period
from chengbei_report.progress import Progress
from chengbei_report.project import Project, open_project
from chengbei_report.read.period import load_submissions
from chengbei_report.read.submission import Submission
from chengbei_report.render.notices import (
    Notice,
    Sender,
    correction_notice,
    notice_name,
    reminder_notice,
)
from chengbei_report.render.output import write_atomic
from chengbei_report.validate.file import foreign_file, has_duties, header_period, not_a_workbook
from chengbei_report.validate.run import check_submissions


@dataclass
class ValidationResult:
    """All findings of one validation run, the files looked at, and annotated copies written."""

    period: Period | None
    files: list[str]
    findings: FindingReport
    annotated: list[Path] = field(default_factory=list)
    not_annotated: list[str] = field(default_factory=list)
    notices: list[Notice] | None = None  # when asked for: one per department with problems

    @property
    def ok(self) -> bool:
        return self.findings.ok

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.code if self.period else None,
            "files": self.files,
            **self.findings.to_dict(),
            "annotated": [str(path) for path in self.annotated],
            "not_annotated": self.not_annotated,
            **(
                {"notices": [notice.to_dict() for notice in self.notices]}
                if self.notices is not None
                else {}
            ),
        }


def validate_submissions(
    *,
    period: Period | None,
    paths: Sequence[Path] = (),
    workspace_dir: Path | None = None,
    annotate_dir: Path | None = None,
    notices_dir: Path | None = None,
    progress: Progress | None = None,
) -> ValidationResult:
    """Validate a period's folder, or the given files (their period read from their header).

    ``annotate_dir`` gets annotated copies of the workbooks with findings, ``notices_dir`` one
    notice (.txt) per department with problems; ``progress`` hears of every workbook loaded.
    """
    project = open_project(workspace_dir, progress)
    if paths:
        findings, submissions = _validate_files(project, period, _expand(paths), progress)
    elif period is None:
        raise UsageError(
            "请用 --period 指定报告期，或给出要校验的文件。",
            hint="例如：chengbei-report validate --period 2023H1",
        )
    else:
        project.require_period(period)
        findings = project.validate(period)
        submissions = project.period_data(period).submissions
    result = ValidationResult(
        period=period,
        files=[s.file for s in submissions],
        findings=FindingReport(findings),
    )
    for out_dir in (annotate_dir, notices_dir):
        if out_dir is not None:
            _refuse_submissions_folder(out_dir, submissions)
    if annotate_dir is not None:
        _annotate(result, submissions, annotate_dir, project.workspace.root)
    if notices_dir is not None:
        missing = _missing(project, period) if not paths and period is not None else []
        result.notices = _write_notices(project, result, submissions, missing, notices_dir)
    return result


def _expand(paths: Sequence[Path]) -> list[tuple[Path, bool]]:
    """Files as given, each with whether it was named; a folder stands for the files in it
    (lock files and notes included, to warn of)."""
    files: list[tuple[Path, bool]] = []
    for path in paths:
        if path.is_dir():
            files.extend((p, False) for p in sorted(path.iterdir()) if p.is_file())
        elif path.is_file():
            files.append((path, True))
        else:
            raise UsageError(f"找不到文件：{path}", hint="请检查路径是否写对。")
    return files


def _validate_files(
    project: Project,
    period: Period | None,
    files: list[tuple[Path, bool]],
    progress: Progress | None,
) -> tuple[list[Finding], list[Submission]]:
    """Read the files and check them grouped by period (given, or read from each header).

    A file named on the command line is meant to be a workbook: one that is not is an error.
    """
    readable = [path for path, _ in files if foreign_file(path) is None]
    loaded = iter(load_submissions(readable, project.catalog, progress, project.limits))
    submissions = [
        next(loaded)
        if foreign_file(path) is None
        else Submission(
            path, None, findings=[not_a_workbook(path, project.limits)] if named else []
        )
        for path, named in files
    ]
    groups: dict[Period | None, list[Submission]] = {}
    for submission in submissions:
        key = period if period is not None else header_period(submission)
        groups.setdefault(key, []).append(submission)
    findings: list[Finding] = []
    for key, group in groups.items():
        ctx = project.check_context(key, project.engine_over(key, group))
        findings.extend(check_submissions(ctx, group, folder=None))
    return findings, submissions


def _refuse_submissions_folder(out_dir: Path, submissions: list[Submission]) -> None:
    """Copies and notices written among the submissions would be read as submissions."""
    target = out_dir.resolve()
    if any(s.path.resolve().parent == target for s in submissions):
        raise UsageError(
            f"输出目录 {out_dir} 就是报表所在目录，写在这里的文件会被当作报表再次读取。",
            hint="请为 --annotate 或 --notices 指定另一个目录。",
        )


def _annotate(
    result: ValidationResult, submissions: list[Submission], out_dir: Path, workspace: Path
) -> None:
    from chengbei_report.render.annotate import annotate_workbooks

    sources = {s.file: s.path for s in submissions if s.workbook is not None}
    outputs = [out_dir / name for name in sources]
    guard_outputs(outputs, inputs=list(sources.values()), workspace=workspace)
    annotated = annotate_workbooks(result.findings.findings, sources, out_dir, workspace)
    result.annotated, result.not_annotated = annotated.written, annotated.skipped


def _missing(project: Project, period: Period) -> list[str]:
    """Departments with something due in ``period`` and no workbook (as FILE_MISSING_DEPARTMENT)."""
    if period == project.workspace.baseline:
        return []
    present = {s.department.code for s in project.period_data(period).submissions if s.department}
    return [
        department.name
        for code, department in project.catalog.departments.items()
        if code not in present and has_duties(project.catalog, period, code)
    ]


def _write_notices(
    project: Project,
    result: ValidationResult,
    submissions: list[Submission],
    missing: list[str],
    out_dir: Path,
) -> list[Notice]:
    """One notice per workbook of a known department with findings, one reminder per missing
    department; each written as a .txt (CRLF, with BOM: Notepad and WPS read it as Chinese)."""
    signature = project.workspace.unit.get("office", project.workspace.unit_name)
    by_file = result.findings.by_file()
    notices = []
    for s in submissions:
        if s.department is None or s.file not in by_file:
            continue
        period = result.period or header_period(s)
        sender = Sender(signature, period.full_label if period else "本期")
        notices.append(
            correction_notice(
                sender, s.department.name, s.header_text("填报人"), s.file, by_file[s.file]
            )
        )
    sender = Sender(signature, result.period.full_label if result.period else "本期")
    notices += [reminder_notice(sender, name) for name in missing]
    prefix = f"{project.workspace.unit_name}_{result.period.code if result.period else ''}"
    inputs = [s.path for s in submissions]
    workspace = project.workspace.root
    targets = [out_dir / notice_name(notice, prefix) for notice in notices]
    guard_outputs(targets, inputs=inputs, workspace=workspace)
    written = []
    for notice, target in zip(notices, targets, strict=True):
        data = notice.text.replace("\n", "\r\n").encode("utf-8-sig")
        path = write_atomic(target, data, inputs=inputs, workspace=workspace)
        written.append(replace(notice, path=path))
    return written
