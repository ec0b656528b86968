"""Run every check over a period's submissions (or given files) and collect the findings."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from chengbei_report.findings import Finding
from chengbei_report.read.period import PeriodData
from chengbei_report.read.submission import INDICATOR_SHEET, Submission
from chengbei_report.validate.cells import cell_findings
from chengbei_report.validate.context import CheckContext
from chengbei_report.validate.file import (
    duplicate_findings,
    foreign_file,
    foreign_files,
    identity_findings,
    missing_department_findings,
)
from chengbei_report.validate.rules import agreement_findings, blocked_codes, rule_findings
from chengbei_report.validate.structure import structure_findings
from chengbei_report.validate.values import value_findings


def validate_period(ctx: CheckContext, data: PeriodData) -> list[Finding]:
    """All findings for one period folder: files that are no submission, then every check."""
    findings = [f for path in foreign_files(data.folder) if (f := foreign_file(path))]
    return findings + check_submissions(ctx, data.submissions, folder=data.folder)


def check_submissions(
    ctx: CheckContext, submissions: Sequence[Submission], *, folder: Path | None
) -> list[Finding]:
    """Every check over one period's submissions; ``folder`` set means the set must be complete."""
    findings: list[Finding] = []
    for submission in submissions:
        findings.extend(check_submission(ctx, submission))
    workbooks = [s for s in submissions if foreign_file(s.path) is None]
    findings.extend(duplicate_findings(workbooks))
    if folder is not None:
        findings.extend(missing_department_findings(ctx, workbooks, folder))
    first: dict[str, Submission] = {}
    for submission in workbooks:
        if submission.department is not None:
            first.setdefault(submission.department.code, submission)
    blocked = blocked_codes(ctx.catalog, findings, workbooks)
    findings.extend(rule_findings(ctx, first, blocked))
    findings.extend(agreement_findings(ctx, blocked))
    return findings


def check_submission(ctx: CheckContext, submission: Submission) -> list[Finding]:
    """File, structure and cell checks of one file; a file that is no submission gets a warning
    (or the error it was given when it was named on the command line)."""
    foreign = foreign_file(submission.path)
    if foreign is not None:
        return list(submission.findings) or [foreign]
    findings = list(submission.findings)
    workbook = submission.workbook
    if workbook is None or INDICATOR_SHEET not in workbook.sheets:
        return findings
    findings.extend(identity_findings(ctx, submission))
    findings.extend(structure_findings(ctx, submission))
    findings.extend(cell_findings(ctx, submission))
    findings.extend(value_findings(ctx, submission))
    return findings
