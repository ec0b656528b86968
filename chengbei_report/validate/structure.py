"""Structure checks: header block, the 指标 table and its rows, ledger sheets and their columns."""

from __future__ import annotations

from chengbei_report.codes import (
    STRUCT_COLUMN_MISSING,
    STRUCT_CONTACT_MISSING,
    STRUCT_DUPLICATE_ROW,
    STRUCT_HEADER_MISSING,
    STRUCT_LEDGER_COLUMN_MISSING,
    STRUCT_LEDGER_MISSING,
    STRUCT_MISSING_INDICATOR,
    STRUCT_UNEXPECTED_INDICATOR,
    STRUCT_UNKNOWN_INDICATOR,
)
from chengbei_report.findings import Finding
from chengbei_report.read.submission import INDICATOR_SHEET, Submission
from chengbei_report.read.workbook import column_letter
from chengbei_report.validate.context import CheckContext, finding

IDENTITY_FIELDS = ("单位", "部门", "报告期")
CONTACT_FIELDS = ("填报人", "联系电话", "填报日期")
OPTIONAL_COLUMNS = ("名称", "单位")


def structure_findings(ctx: CheckContext, submission: Submission) -> list[Finding]:
    """Every structural problem of one readable submission."""
    findings = _header_findings(submission)
    if submission.table_row is None:
        return findings
    findings.extend(_column_findings(submission))
    findings.extend(_row_findings(ctx, submission))
    if submission.department is not None:
        findings.extend(_missing_indicators(ctx, submission))
        findings.extend(_ledger_structure_findings(ctx, submission))
    return findings


def _header_findings(submission: Submission) -> list[Finding]:
    findings: list[Finding] = []
    for name in (*IDENTITY_FIELDS, *CONTACT_FIELDS):
        if submission.header_text(name):
            continue
        found = submission.header.get(name)
        where = found.cell if found is not None else ""
        code = STRUCT_HEADER_MISSING if name in IDENTITY_FIELDS else STRUCT_CONTACT_MISSING
        findings.append(
            finding(
                submission,
                code,
                f"表头缺少“{name}”{'（已有标签但未填写）' if found is not None else ''}。",
                sheet=INDICATOR_SHEET,
                cell=where,
                name=name,
            )
        )
    return findings


def _column_findings(submission: Submission) -> list[Finding]:
    assert submission.table_row is not None
    return [
        finding(
            submission,
            STRUCT_COLUMN_MISSING,
            f"“{INDICATOR_SHEET}”表的表头行（第{submission.table_row + 1}行）没有“{name}”列。",
            sheet=INDICATOR_SHEET,
            cell=f"A{submission.table_row + 1}",
        )
        for name in OPTIONAL_COLUMNS
        if name not in submission.table_columns
    ]


def _row_findings(ctx: CheckContext, submission: Submission) -> list[Finding]:
    findings: list[Finding] = []
    code_column = column_letter(submission.table_columns["编码"])
    for reported in submission.values.values():
        cell = f"{code_column}{reported.row}"
        indicator = ctx.catalog.indicators.get(reported.code)
        if not reported.code:
            findings.append(
                finding(
                    submission,
                    STRUCT_UNKNOWN_INDICATOR,
                    f"第{reported.row}行填了数值但没有指标编码。",
                    sheet=INDICATOR_SHEET,
                    cell=cell,
                    hint="请补上编码（见填报表），或删除这一行。",
                )
            )
        elif indicator is None:
            findings.append(
                finding(
                    submission,
                    STRUCT_UNKNOWN_INDICATOR,
                    f"指标编码“{reported.code}”不在指标目录中。",
                    sheet=INDICATOR_SHEET,
                    cell=cell,
                    indicator=reported.code,
                )
            )
        elif indicator.derived or (
            submission.department is not None and indicator.department != submission.department.code
        ):
            findings.append(_unexpected(ctx, submission, reported.code, cell))
    for duplicate in submission.duplicates:
        first = submission.values[duplicate.code]
        findings.append(
            finding(
                submission,
                STRUCT_DUPLICATE_ROW,
                f"指标“{duplicate.code}”出现了两次（第{first.row}行和第{duplicate.row}行），只采用了第{first.row}行。",
                sheet=INDICATOR_SHEET,
                cell=f"{code_column}{duplicate.row}",
                indicator=duplicate.code,
            )
        )
    return findings


def _unexpected(ctx: CheckContext, submission: Submission, code: str, cell: str) -> Finding:
    indicator = ctx.catalog.indicators[code]
    if indicator.derived:
        reason = "由本工具根据其他数据计算，无需填报"
    else:
        owner = ctx.catalog.departments[indicator.department].name
        reason = f"应由“{owner}”填报"
    return finding(
        submission,
        STRUCT_UNEXPECTED_INDICATOR,
        f"指标 {indicator.label} {reason}，本行数值不会被采用。",
        sheet=INDICATOR_SHEET,
        cell=cell,
        indicator=code,
    )


def _missing_indicators(ctx: CheckContext, submission: Submission) -> list[Finding]:
    if ctx.is_baseline or submission.department is None:
        return []
    return [
        finding(
            submission,
            STRUCT_MISSING_INDICATOR,
            f"缺少指标 {indicator.label}。",
            sheet=INDICATOR_SHEET,
            indicator=indicator.code,
        )
        for indicator in ctx.catalog.reported_indicators(submission.department.code)
        if ctx.expected(indicator) and indicator.code not in submission.values
    ]


def _ledger_structure_findings(ctx: CheckContext, submission: Submission) -> list[Finding]:
    assert submission.department is not None
    findings: list[Finding] = []
    kind = ctx.period.kind.value if ctx.period is not None else ""
    for ledger in ctx.catalog.ledgers_of(submission.department.code):
        table = submission.ledgers.get(ledger.code)
        if table is None:
            if kind in ledger.frequency and not ctx.is_baseline:
                findings.append(
                    finding(
                        submission,
                        STRUCT_LEDGER_MISSING,
                        f"缺少台账工作表“{ledger.sheet}”（{ledger.name}）。",
                        sheet=ledger.sheet,
                    )
                )
            continue
        missing = [c.name for c in ledger.columns if c.name not in table.columns]
        if missing:
            findings.append(
                finding(
                    submission,
                    STRUCT_LEDGER_COLUMN_MISSING,
                    f"台账“{ledger.sheet}”缺少列：{'、'.join(missing)}。",
                    sheet=ledger.sheet,
                    cell="A1",
                    columns="、".join(c.name for c in ledger.columns),
                )
            )
    return findings
