"""Cell checks: what each value says, whether it is a number of the right kind, unit and range.

Numbers written as text the way people write them are accepted with a warning when their
meaning is certain; anything approximate is refused. Hidden rows and sheets, merged cells and
formulas without a stored result are flagged because the value seen is not the value read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import cast

from chengbei_report import units
from chengbei_report.catalog import Indicator, Ledger, LedgerColumn
from chengbei_report.codes import (
    CELL_BAD_CHOICE,
    CELL_CONTROL_CHAR,
    CELL_DATE_TEXT,
    CELL_EMPTY,
    CELL_FORMULA_NO_VALUE,
    CELL_HIDDEN_ROW,
    CELL_HIDDEN_SHEET,
    CELL_MERGED,
    CELL_NEGATIVE,
    CELL_NOT_DATE,
    CELL_NOT_INTEGER,
    CELL_NOT_NUMBER,
    CELL_OUT_OF_RANGE,
    CELL_PERCENT_OVER_100,
    CELL_REQUIRED_EMPTY,
    CELL_TEXT_NUMBER,
    CELL_UNIT_CONVERTED,
    CELL_UNIT_MISMATCH,
    REGISTRY,
)
from chengbei_report.findings import Finding
from chengbei_report.read.numbers_text import parse_number_text
from chengbei_report.read.submission import (
    INDICATOR_SHEET,
    LedgerTable,
    ReportedValue,
    Submission,
    clean_text,
    number_from_cell,
)
from chengbei_report.read.workbook import CellValue, Sheet, cell_address, column_letter
from chengbei_report.validate.context import CheckContext, finding

_CELL_ADDRESS = re.compile(r"([A-Z]+)(\d+)$")
_DATE_TYPES = frozenset({date, datetime})
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
# One sheet full of the same mistake is shown this many times, then summed up.
MAX_PER_SHEET = 50


def cell_findings(ctx: CheckContext, submission: Submission) -> list[Finding]:
    """Every cell-level problem of one readable submission."""
    workbook = submission.workbook
    if workbook is None or INDICATOR_SHEET not in workbook.sheets:
        return []
    sheet = workbook.sheets[INDICATOR_SHEET]
    findings = _sheet_findings(submission, sheet, submission.table_row)
    for reported in submission.values.values():
        indicator = ctx.catalog.indicators.get(reported.code)
        if indicator is None or indicator.derived or not _own(submission, indicator):
            continue
        findings.extend(_indicator_findings(ctx, submission, sheet, indicator, reported))
    for table in submission.ledgers.values():
        ledger_sheet = workbook.sheets[table.sheet]
        findings.extend(_sheet_findings(submission, ledger_sheet, 0))
        findings.extend(capped(_ledger_record_findings(submission, ledger_sheet, table)))
    return findings


def _own(submission: Submission, indicator: Indicator) -> bool:
    return submission.department is None or submission.department.code == indicator.department


def _sheet_findings(submission: Submission, sheet: Sheet, header_row: int | None) -> list[Finding]:
    """Hidden sheet, merged cells below the header, control characters anywhere."""
    findings: list[Finding] = []
    if not sheet.visible:
        findings.append(
            finding(
                submission,
                CELL_HIDDEN_SHEET,
                f"工作表“{sheet.name}”被隐藏，其中的数据仍会被采用。",
                sheet=sheet.name,
            )
        )
    if header_row is not None:
        for (top, left), (bottom, right) in sheet.merged:
            if bottom > header_row:
                area = f"{cell_address(top, left)}:{cell_address(bottom, right)}"
                findings.append(
                    finding(
                        submission,
                        CELL_MERGED,
                        f"数据区有合并单元格 {area}，合并后只有左上角的值会被读取。",
                        sheet=sheet.name,
                        cell=cell_address(top, left),
                    )
                )
    findings.extend(capped(list(_control_findings(submission, sheet))))
    return findings


def _control_findings(submission: Submission, sheet: Sheet) -> Iterator[Finding]:
    for cell in sheet.control_cells:
        yield finding(
            submission,
            CELL_CONTROL_CHAR,
            "单元格中有不可见的控制字符（多为从其他系统复制而来）。",
            sheet=sheet.name,
            cell=cell,
        )


def capped(findings: list[Finding]) -> list[Finding]:
    """At most MAX_PER_SHEET findings of one code in one sheet, then one summary."""
    kept: list[Finding] = []
    counts: dict[tuple[str, str], int] = {}
    for item in findings:
        key = (item.sheet, item.code)
        counts[key] = counts.get(key, 0) + 1
        if counts[key] <= MAX_PER_SHEET:
            kept.append(item)
    for (sheet, code), count in counts.items():
        if count > MAX_PER_SHEET:
            sample = next(f for f in kept if f.code == code and f.sheet == sheet)
            kept.append(REGISTRY[code].summary(sample, count, MAX_PER_SHEET))
    return kept


def _indicator_findings(
    ctx: CheckContext,
    submission: Submission,
    sheet: Sheet,
    indicator: Indicator,
    reported: ReportedValue,
) -> list[Finding]:
    findings: list[Finding] = []
    where = {"sheet": INDICATOR_SHEET, "cell": reported.cell, "indicator": indicator.code}
    if reported.row in sheet.hidden_rows:
        findings.append(
            finding(
                submission,
                CELL_HIDDEN_ROW,
                f"{indicator.label} 所在的第{reported.row}行被隐藏，其数值仍会被采用。",
                **where,
            )
        )
    if reported.raw is None:
        findings.extend(_empty_findings(ctx, submission, sheet, indicator, reported))
        return findings
    if isinstance(reported.raw, str):
        text = _text_number_findings(submission, indicator, reported.raw, where)
        findings.extend(text)
        if any(f.is_error for f in text):
            return findings
    elif reported.value is None:
        findings.append(
            finding(
                submission,
                CELL_NOT_NUMBER,
                f"{indicator.name}的数值“{reported.raw}”不是数字。",
                hint="请填写阿拉伯数字。",
                **where,
            )
        )
        return findings
    unit = _unit_findings(submission, indicator, reported, where)
    findings.extend(unit)
    if any(f.is_error for f in unit) or reported.value is None:
        return findings
    findings.extend(_range_findings(submission, indicator, reported, where))
    return findings


def _empty_findings(
    ctx: CheckContext,
    submission: Submission,
    sheet: Sheet,
    indicator: Indicator,
    reported: ReportedValue,
) -> list[Finding]:
    where = {"sheet": INDICATOR_SHEET, "cell": reported.cell, "indicator": indicator.code}
    if reported.cell in sheet.formulas_without_value:
        return [
            finding(
                submission,
                CELL_FORMULA_NO_VALUE,
                f"{indicator.name}的数值是公式，但文件中没有保存计算结果。",
                **where,
            )
        ]
    if not ctx.expected(indicator) or ctx.is_baseline:
        return []
    return [
        finding(
            submission,
            CELL_EMPTY,
            f"{indicator.name}的数值未填写。",
            **where,
        )
    ]


def _text_number_findings(
    submission: Submission, indicator: Indicator, raw: str, where: dict[str, str]
) -> list[Finding]:
    parsed = parse_number_text(raw)
    if parsed is None:
        return [
            finding(
                submission,
                CELL_NOT_NUMBER,
                f"{indicator.name}的数值“{raw.strip()}”不是确切的数字。",
                **where,
            )
        ]
    if parsed.percent and indicator.unit != "%":
        return [
            finding(
                submission,
                CELL_UNIT_MISMATCH,
                f"{indicator.name}的单位是“{indicator.unit}”，而填写的“{raw.strip()}”是百分数。",
                hint=f"请按“{indicator.unit}”填写数值。",
                **where,
            )
        ]
    notes = "，".join(parsed.notes) or "已按数字读取"
    return [
        finding(
            submission,
            CELL_TEXT_NUMBER,
            f"{indicator.name}的数值“{raw}”是文本，已读作 {parsed.value}{'%' if parsed.percent else ''}（{notes}）。",
            **where,
        )
    ]


def _unit_findings(
    submission: Submission, indicator: Indicator, reported: ReportedValue, where: dict[str, str]
) -> list[Finding]:
    unit = reported.unit
    if not unit or unit == indicator.unit:
        return []
    if units.family(unit) != "count" and units.convertible(unit, indicator.unit):
        converted = _in_catalog_unit(indicator, reported)
        return [
            finding(
                submission,
                CELL_UNIT_CONVERTED,
                f"{indicator.name}按“{unit}”填写，已换算为 {converted:f}{indicator.unit}。",
                unit=indicator.unit,
                **where,
            )
        ]
    return [
        finding(
            submission,
            CELL_UNIT_MISMATCH,
            f"{indicator.name}应以“{indicator.unit}”为单位，填写的单位“{unit}”无法换算。",
            unit=indicator.unit,
            **where,
        )
    ]


def _in_catalog_unit(indicator: Indicator, reported: ReportedValue) -> Decimal:
    assert reported.value is not None
    if not reported.unit or reported.unit == indicator.unit:
        return reported.value
    return units.convert(reported.value, reported.unit, indicator.unit).normalize()


def _range_findings(
    submission: Submission, indicator: Indicator, reported: ReportedValue, where: dict[str, str]
) -> list[Finding]:
    value = _in_catalog_unit(indicator, reported)
    shown = reported.raw if not isinstance(reported.raw, float) else reported.value
    findings: list[Finding] = []
    if indicator.integer and value != value.to_integral_value():
        findings.append(
            finding(
                submission,
                CELL_NOT_INTEGER,
                f"{indicator.name}是计数，应为整数，填写的是“{shown}”。",
                **where,
            )
        )
    minimum, maximum = indicator.minimum, indicator.maximum
    if minimum is not None and value < minimum:
        code = CELL_NEGATIVE if minimum == 0 else CELL_OUT_OF_RANGE
        findings.append(
            finding(
                submission,
                code,
                f"{indicator.name}的数值“{shown}”小于允许的最小值 {minimum}。",
                **where,
            )
        )
    if maximum is not None and value > maximum:
        percent = indicator.unit == "%"
        findings.append(
            finding(
                submission,
                CELL_PERCENT_OVER_100 if percent else CELL_OUT_OF_RANGE,
                f"{indicator.name}的数值“{shown}”超过了"
                + (f"{maximum * 100:f}%。" if percent else f"允许的最大值 {maximum}。"),
                **where,
            )
        )
    return findings


def _ledger_record_findings(
    submission: Submission, sheet: Sheet, table: LedgerTable
) -> list[Finding]:
    """Every record checked a column at a time; findings come out in row, then column order.

    Whole-column tests (run in C) clear a clean column at once; only the cells they cannot
    clear are checked one by one, so a million clean rows cost a few passes over each column.
    """
    located = list(_hidden_records(submission, sheet, table))
    formulas = _formula_rows(sheet.formulas_without_value)
    for order, column in enumerate(table.ledger.columns):
        if column.name not in table.columns:
            continue
        letter = column_letter(table.columns[column.name])
        formula_rows = formulas.get(letter, set())
        values = table.raw[column.name]
        blanks = column.required or bool(formula_rows)
        for index in _suspects(values, column, blanks):
            number = table.numbers[index]
            cell = f"{letter}{number}"
            value = clean_text(values[index])
            if value is None:
                found = _ledger_empty(submission, table, column, cell, number in formula_rows)
            else:
                found = _ledger_value(submission, table.ledger, column, value, table.sheet, cell)
            located.extend((number, order, item) for item in found)
    located.sort(key=lambda item: item[:2])
    return [item for _, _, item in located]


def _hidden_records(
    submission: Submission, sheet: Sheet, table: LedgerTable
) -> Iterator[tuple[int, int, Finding]]:
    """Records in hidden rows, placed before the cells of their row."""
    if not sheet.hidden_rows:
        return
    key_letter = column_letter(table.columns.get(table.ledger.key, 0))
    for number in filter(sheet.hidden_rows.__contains__, table.numbers):
        yield (
            number,
            -1,
            finding(
                submission,
                CELL_HIDDEN_ROW,
                f"台账第{number}行被隐藏，这条记录仍会被统计。",
                sheet=table.sheet,
                cell=f"{key_letter}{number}",
                hint="请取消隐藏并核对；不需要的记录请删除而不是隐藏。",
            ),
        )


def _formula_rows(cells: list[str]) -> dict[str, set[int]]:
    """Formula cells without a value, as column letter → row numbers."""
    rows: dict[str, set[int]] = {}
    for cell in cells:
        match = _CELL_ADDRESS.match(cell)
        if match is not None:
            rows.setdefault(match.group(1), set()).add(int(match.group(2)))
    return rows


def _suspects(values: Sequence[CellValue], column: LedgerColumn, blanks: bool) -> Sequence[int]:
    """Indexes of the cells that may hold a problem: a superset, never missing one.

    ``blanks`` says whether an empty cell can be a problem (a required column, or a formula
    without its value somewhere in the column).
    """
    if column.type in ("number", "integer"):
        counted = column.counted
        if _plain_numbers(values, counted):
            return ()
        return [
            i
            for i, v in enumerate(values)
            if type(v) is not float or not 0 <= v < math.inf or (counted and not v.is_integer())
        ]
    kinds = set(map(type, values))
    if column.type == "date":
        if kinds <= _DATE_TYPES:
            return ()
        return [
            i
            for i, v in enumerate(values)
            if type(v) not in _DATE_TYPES and (blanks or v is not None)
        ]
    if column.type == "choice":
        return _distinct_suspects(values, kinds, partial(_choice_ok, column.choices, blanks))
    if not blanks or (kinds == {str} and all(map(str.strip, values))):  # none blank, "" included
        return ()
    return [i for i, v in enumerate(values) if clean_text(v) is None]


def _plain_numbers(values: Sequence[CellValue], counted: bool) -> bool:
    """All floats, finite, not negative and (when counted) whole: nothing to report."""
    if set(map(type, values)) != {float}:
        return not values
    numbers = cast(Sequence[float], values)
    if not math.isfinite(sum(numbers)) or min(numbers) < 0:
        return False
    return not counted or all(map(float.is_integer, numbers))


def _choice_ok(choices: tuple[str, ...], blanks: bool, value: CellValue) -> bool:
    cleaned = clean_text(value)
    return not blanks if cleaned is None else str(cleaned).strip() in choices


def _distinct_suspects(
    values: Sequence[CellValue], kinds: set[type], ok: Callable[[CellValue], bool]
) -> Sequence[int]:
    """Cells whose value fails ``ok``, judged once per distinct value.

    Not when the column holds a boolean: ``True == 1`` would share one judgement.
    """
    if bool in kinds:
        return [i for i, v in enumerate(values) if not ok(v)]
    bad = {value for value in set(values) if not ok(value)}
    if not bad:
        return ()
    return [i for i, v in enumerate(values) if v in bad]


def _ledger_empty(
    submission: Submission, table: LedgerTable, column: LedgerColumn, cell: str, formula: bool
) -> Iterator[Finding]:
    if formula:
        yield finding(
            submission,
            CELL_FORMULA_NO_VALUE,
            f"“{column.name}”是公式，但文件中没有保存计算结果。",
            sheet=table.sheet,
            cell=cell,
            hint="请用 Excel 或 WPS 打开后保存一次，或直接填写数值。",
        )
    elif column.required:
        yield finding(
            submission,
            CELL_REQUIRED_EMPTY,
            f"台账“{table.sheet}”的必填列“{column.name}”未填写。",
            sheet=table.sheet,
            cell=cell,
        )


def _ledger_value(
    submission: Submission,
    ledger: Ledger,
    column: LedgerColumn,
    raw: CellValue,
    sheet: str,
    cell: str,
) -> Iterator[Finding]:
    where = {"sheet": sheet, "cell": cell}
    if column.type in ("number", "integer"):
        yield from _ledger_number(submission, column, raw, where)
    elif column.type == "date":
        yield from _ledger_date(submission, column, raw, where)
    elif column.type == "choice" and str(raw).strip() not in column.choices:
        yield finding(
            submission,
            CELL_BAD_CHOICE,
            f"“{column.name}”填写的“{raw}”不在可选值中（{'、'.join(column.choices)}）。",
            **where,
        )


def _ledger_number(
    submission: Submission, column: LedgerColumn, raw: CellValue, where: dict[str, str]
) -> Iterator[Finding]:
    value = number_from_cell(raw)
    if value is None and isinstance(raw, str):
        parsed = parse_number_text(raw)
        if parsed is None or parsed.percent or (parsed.unit and parsed.unit != column.unit):
            code = CELL_NOT_NUMBER if parsed is None else CELL_UNIT_MISMATCH
            yield finding(
                submission,
                code,
                f"“{column.name}”的“{raw.strip()}”不是按“{column.unit or '数字'}”填写的确切数字。",
                hint=f"请只填写阿拉伯数字{f'（单位{column.unit}）' if column.unit else ''}。",
                **where,
            )
            return
        value = parsed.value
        yield finding(
            submission,
            CELL_TEXT_NUMBER,
            f"“{column.name}”的“{raw}”是文本，已读作 {value}。",
            **where,
        )
    if value is None:
        yield finding(
            submission,
            CELL_NOT_NUMBER,
            f"“{column.name}”的“{raw}”不是数字。",
            hint="请填写阿拉伯数字。",
            **where,
        )
        return
    if value < 0:
        yield finding(
            submission,
            CELL_NEGATIVE,
            f"“{column.name}”为负数（{value}）。",
            **where,
        )
    if column.counted and value != value.to_integral_value():
        yield finding(
            submission,
            CELL_NOT_INTEGER,
            f"“{column.name}”是计数，应为整数，填写的是 {value}。",
            **where,
        )


def _ledger_date(
    submission: Submission, column: LedgerColumn, raw: CellValue, where: dict[str, str]
) -> Iterator[Finding]:
    if isinstance(raw, date | datetime):
        return
    parsed = text_date(raw) if isinstance(raw, str) else None
    if parsed is not None:
        yield finding(
            submission,
            CELL_DATE_TEXT,
            f"“{column.name}”的“{raw}”是文本，已读作 {parsed.isoformat()}。",
            **where,
        )
        return
    yield finding(
        submission,
        CELL_NOT_DATE,
        f"“{column.name}”的“{raw}”不是日期。",
        **where,
    )


def text_date(text: str) -> date | None:
    """A date written as text: 2023-06-30, 2023/6/30, 2023.6.30, 2023年6月30日."""
    match = _DATE_TEXT.match(text.strip())
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
