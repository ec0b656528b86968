"""Values as the department wrote them: checks that what we read is what Excel would show.

A float keeps 15 significant digits, so a longer number (in the sheet's XML or typed as text)
would be printed rounded; a value beyond ``max_value`` of its unit is no figure any indicator
has (1e300 would be printed as a 301-digit number). A cell with two values, a reference used
twice and a ledger key that repeats are read one way by us and another by Excel or openpyxl.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from decimal import Decimal

from chengbei_report.codes import (
    CELL_DUPLICATE_ADDRESS,
    CELL_DUPLICATE_KEY,
    CELL_DUPLICATE_VALUE,
    CELL_NOT_NUMBER,
    CELL_TOO_LARGE,
    CELL_TOO_PRECISE,
)
from chengbei_report.findings import Finding
from chengbei_report.read.numbers_text import parse_number_text
from chengbei_report.read.safety import significant_digits
from chengbei_report.read.submission import (
    INDICATOR_SHEET,
    LedgerTable,
    Submission,
    cell_decimal,
)
from chengbei_report.read.workbook import CellValue, Sheet, column_letter
from chengbei_report.validate.cells import capped
from chengbei_report.validate.context import CheckContext, finding

SIGNIFICANT = 15


def value_findings(ctx: CheckContext, submission: Submission) -> list[Finding]:
    """Every reading problem of one readable submission's 指标 sheet and ledger sheets."""
    workbook = submission.workbook
    if workbook is None or INDICATOR_SHEET not in workbook.sheets:
        return []
    indicators = _indicator_cells(submission)
    findings = list(_xml_findings(submission, workbook.sheets[INDICATOR_SHEET], indicators))
    findings.extend(_indicator_values(ctx, submission, workbook.sheets[INDICATOR_SHEET]))
    for table in submission.ledgers.values():
        sheet = workbook.sheets[table.sheet]
        found = list(_xml_findings(submission, sheet, {}))
        found.extend(_ledger_values(ctx, submission, sheet, table))
        found.extend(_duplicate_keys(submission, table))
        findings.extend(capped(found))
    return findings


def _indicator_cells(submission: Submission) -> dict[str, str]:
    """Value cell → indicator code, for the 指标 rows (duplicates included)."""
    rows = [*submission.values.values(), *submission.duplicates]
    return {reported.cell: reported.code for reported in rows if reported.code}


def _xml_findings(submission: Submission, sheet: Sheet, codes: dict[str, str]) -> Iterator[Finding]:
    for cell in sheet.values.two_values:
        yield finding(
            submission,
            CELL_DUPLICATE_VALUE,
            f"单元格 {cell} 在文件中存有两个值，Excel 读取第一个，本工具读取最后一个。",
            sheet=sheet.name,
            cell=cell,
            indicator=codes.get(cell, ""),
        )
    for cell in sheet.values.repeated:
        yield finding(
            submission,
            CELL_DUPLICATE_ADDRESS,
            f"单元格 {cell}（或其所在行）在文件中出现了两次，Excel 会修复文件后读取，结果可能与本工具不同。",
            sheet=sheet.name,
            cell=cell,
            indicator=codes.get(cell, ""),
        )
    yield from _odd_numbers(submission, sheet, codes)


def _odd_numbers(submission: Submission, sheet: Sheet, codes: dict[str, str]) -> Iterator[Finding]:
    for cell, text in sheet.values.not_numbers.items():
        yield finding(
            submission,
            CELL_NOT_NUMBER,
            f"单元格 {cell} 在文件中标为数字，存的却是“{text}”；Excel 会修复文件后读取，openpyxl 无法读取。",
            sheet=sheet.name,
            cell=cell,
            indicator=codes.get(cell, ""),
            hint="请用 Excel 或 WPS 打开后另存，或向报送部门重新索取。",
        )


def _too_precise(
    submission: Submission, sheet: Sheet, cell: str, written: str, indicator: str = ""
) -> Finding:
    return finding(
        submission,
        CELL_TOO_PRECISE,
        f"数值“{written}”有 {significant_digits(written)} 位有效数字，超过 Excel 能保存的 "
        f"{SIGNIFICANT} 位，读取时会被舍入。",
        sheet=sheet.name,
        cell=cell,
        indicator=indicator,
    )


def _too_large(
    ctx: CheckContext, submission: Submission, sheet: Sheet, cell: str, value: Decimal, **where: str
) -> Finding:
    unit = where.pop("unit", "")
    return finding(
        submission,
        CELL_TOO_LARGE,
        f"数值 {_short(value)}{unit} 大得不可能是真实数据（上限 {_short(ctx.max_value)}，max_value）。",
        sheet=sheet.name,
        cell=cell,
        **where,
    )


def _short(value: Decimal) -> str:
    """A huge value in scientific form: 1E+300, not 301 digits."""
    return f"{value:.6g}" if abs(value) >= Decimal(10) ** 16 else f"{value.normalize():f}"


def _written(sheet: Sheet, cell: str, raw: CellValue) -> str | None:
    """The digits as written: the ``<v>`` text, or a text cell's number; None for short ones."""
    text = sheet.values.long_numbers.get(cell)
    if text is not None:
        return text
    if isinstance(raw, str):
        parsed = parse_number_text(raw)
        if parsed is not None and significant_digits(str(parsed.value)) > SIGNIFICANT:
            return raw.strip()
    return None


def _indicator_values(ctx: CheckContext, submission: Submission, sheet: Sheet) -> Iterator[Finding]:
    for reported in submission.values.values():
        indicator = ctx.catalog.indicators.get(reported.code)
        if indicator is None or indicator.derived:
            continue
        written = _written(sheet, reported.cell, reported.raw)
        if written is not None:
            yield _too_precise(submission, sheet, reported.cell, written, indicator.code)
        elif reported.value is not None and abs(reported.value) > ctx.max_value:
            yield _too_large(
                ctx,
                submission,
                sheet,
                reported.cell,
                reported.value,
                indicator=indicator.code,
                unit=reported.unit or indicator.unit,
            )


def _ledger_values(
    ctx: CheckContext, submission: Submission, sheet: Sheet, table: LedgerTable
) -> Iterator[Finding]:
    """Number columns: long numbers and huge values, judged once per distinct value."""
    for column in table.ledger.columns:
        if column.type not in ("number", "integer") or column.name not in table.columns:
            continue
        letter = column_letter(table.columns[column.name])
        values = table.raw[column.name]
        indexes = set(_suspects(values, ctx.max_value))
        for cell in sheet.values.long_numbers:
            if cell.startswith(letter) and cell[len(letter) :].isdigit():
                index = _record_index(table, int(cell[len(letter) :]))
                indexes.update(() if index is None else (index,))
        for index in sorted(indexes):
            cell = f"{letter}{table.numbers[index]}"
            written = _written(sheet, cell, values[index])
            value = cell_decimal(values[index])
            if written is not None:
                yield _too_precise(submission, sheet, cell, written)
            elif value is not None and abs(value) > ctx.max_value:
                yield _too_large(ctx, submission, sheet, cell, value, unit=column.unit)


def _suspects(values: Sequence[CellValue], limit: Decimal) -> list[int]:
    """Records whose value is text or beyond the limit (the ``<v>`` texts are looked up apart)."""
    bound = float(limit)
    bad = {
        value
        for value in set(map(_hashable, values))
        if isinstance(value, str) or (isinstance(value, float | int) and not abs(value) <= bound)
    }
    if not bad:
        return []
    return [i for i, value in enumerate(values) if _hashable(value) in bad]


def _hashable(value: CellValue) -> CellValue:
    return value if not isinstance(value, bool) else None


def _record_index(table: LedgerTable, row: int) -> int | None:
    numbers = table.numbers
    if isinstance(numbers, range):
        return row - numbers.start if row in numbers else None
    try:
        return list(numbers).index(row)
    except ValueError:
        return None


def _duplicate_keys(submission: Submission, table: LedgerTable) -> Iterator[Finding]:
    """A key that repeats: the record is counted twice, and diff cannot tell the two apart."""
    ledger = table.ledger
    if ledger.key not in table.columns:
        return
    keys = table.column(ledger.key)  # text stripped, blank None: counted in C
    counts = Counter(keys)
    counts.pop(None, None)
    if not counts or max(counts.values()) == 1:
        return
    letter = column_letter(table.columns[ledger.key])
    first: dict[CellValue, int] = {}
    for index, key in enumerate(keys):
        if key is None or counts[key] == 1:
            continue
        number = table.numbers[index]
        if first.setdefault(key, number) == number:
            continue
        yield finding(
            submission,
            CELL_DUPLICATE_KEY,
            f"台账“{table.sheet}”的“{ledger.key}”为“{key}”的记录出现了两次（第{first[key]}行和第{number}行），"
            "会被重复统计。",
            sheet=table.sheet,
            cell=f"{letter}{number}",
        )
