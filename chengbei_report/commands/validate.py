"""``validate``: check a period's folder or given files, and optionally write annotated copies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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
from chengbei_report.validate.file import foreign_file, header_period, not_a_workbook
from chengbei_report.validate.run import check_submissions


@dataclass
class ValidationResult:
    """All findings of one validation run, the files looked at, and annotated copies written."""

    period: Period | None
    files: list[str]
    findings: FindingReport
    annotated: list[Path] = field(default_factory=list)
    not_annotated: list[str] = field(default_factory=list)

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
        }


def validate_submissions(
    *,
    period: Period | None,
    paths: Sequence[Path] = (),
    workspace_dir: Path | None = None,
    annotate_dir: Path | None = None,
    progress: Progress | None = None,
) -> ValidationResult:
    """Validate a period's folder, or the given files (their period read from their header).

    ``progress`` hears of every workbook as it is loaded.
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
    if annotate_dir is not None:
        _annotate(result, submissions, annotate_dir, project.workspace.root)
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


def _annotate(
    result: ValidationResult, submissions: list[Submission], out_dir: Path, workspace: Path
) -> None:
    from chengbei_report.render.annotate import annotate_workbooks

    sources = {s.file: s.path for s in submissions if s.workbook is not None}
    target = out_dir.resolve()
    if any(path.resolve().parent == target for path in sources.values()):
        raise UsageError(
            f"批注副本目录 {out_dir} 就是报表所在目录，副本会被当作报表再次读取。",
            hint="请为 --annotate 指定另一个目录。",
        )
    outputs = [out_dir / name for name in sources]
    guard_outputs(outputs, inputs=list(sources.values()), workspace=workspace)
    annotated = annotate_workbooks(result.findings.findings, sources, out_dir, workspace)
    result.annotated, result.not_annotated = annotated.written, annotated.skipped
