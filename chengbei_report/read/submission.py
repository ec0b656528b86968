"""Parse one departmental workbook (header block, 指标 sheet, ledger sheets) into a Submission.

Parsing locates every value to its cell; anything it cannot make sense of becomes a finding,
so that one run reports every problem of every workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from chengbei_report.catalog import Catalog, Department, Ledger
from chengbei_report.findings import Finding, Severity
from chengbei_report.read.workbook import CellValue, Sheet, Workbook, cell_address, column_letter

INDICATOR_SHEET = "指标"
HEADER_FIELDS = ("单位", "部门", "报告期", "填报人", "联系电话", "填报日期")
TABLE_COLUMNS = ("编码", "名称", "单位", "数值", "备注")
_HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class HeaderField:
    value: CellValue
    cell: str


@dataclass(frozen=True)
class ReportedValue:
    """One row of the 指标 sheet."""

    code: str
    value: Decimal | None
    raw: CellValue
    cell: str
    row: int
    unit: str = ""


@dataclass(frozen=True)
class LedgerRow:
    row: int  # Excel row number, 1-based
    values: dict[str, CellValue]


@dataclass
class LedgerTable:
    ledger: Ledger
    file: str
    sheet: str
    columns: dict[str, int]
    rows: list[LedgerRow]

    def column_range(self, column: str) -> str:
        """A1 range of a column's records, e.g. ``D2:D40``."""
        letter = column_letter(self.columns[column])
        if not self.rows:
            return f"{letter}2"
        return f"{letter}{self.rows[0].row}:{letter}{self.rows[-1].row}"


@dataclass
class Submission:
    path: Path
    department: Department | None
    header: dict[str, HeaderField] = field(default_factory=dict)
    values: dict[str, ReportedValue] = field(default_factory=dict)
    ledgers: dict[str, LedgerTable] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    workbook: Workbook | None = None  # kept for the validator: hidden rows, merges, formulas
    table_columns: dict[str, int] = field(default_factory=dict)  # 指标 table label → column
    table_row: int | None = None  # 0-based row of the 指标 table header
    duplicates: list[ReportedValue] = field(default_factory=list)  # second and later rows of a code

    @property
    def file(self) -> str:
        return self.path.name

    def header_text(self, name: str) -> str:
        found = self.header.get(name)
        return "" if found is None or found.value is None else str(found.value).strip()


def number_from_cell(value: CellValue) -> Decimal | None:
    """The exact decimal a numeric cell holds; floats go through their shortest repr."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(int(value)) if value.is_integer() else Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    return None


def parse_submission(workbook: Workbook, catalog: Catalog) -> Submission:
    """Parse a workbook; its department is the one named in the header field 部门."""
    submission = Submission(path=workbook.path, department=None, workbook=workbook)
    sheet = workbook.sheets.get(INDICATOR_SHEET)
    if sheet is None:
        submission.findings.append(
            _finding(
                submission,
                "STRUCT_NO_INDICATOR_SHEET",
                f"缺少“{INDICATOR_SHEET}”工作表（现有：{'、'.join(workbook.sheets) or '无'}）。",
                hint="请使用本工具生成的填报表（chengbei-report forms），不要改动工作表名称。",
            )
        )
        return submission
    header_row = _find_table_header(sheet)
    _read_header(submission, sheet, header_row if header_row is not None else _HEADER_SEARCH_ROWS)
    submission.department = catalog.department_by_name(submission.header_text("部门"))
    if header_row is None:
        submission.findings.append(
            _finding(
                submission,
                "STRUCT_NO_TABLE_HEADER",
                f"“{INDICATOR_SHEET}”表中找不到表头行（{' '.join(TABLE_COLUMNS[:4])}）。",
                sheet=INDICATOR_SHEET,
                hint="表头行应包含“编码、名称、单位、数值”四列。",
            )
        )
    else:
        _read_indicator_rows(submission, sheet, header_row)
    if submission.department is not None:
        for ledger in catalog.ledgers_of(submission.department.code):
            if ledger.sheet in workbook.sheets:
                submission.ledgers[ledger.code] = _read_ledger(
                    submission, workbook.sheets[ledger.sheet], ledger
                )
    return submission


def _finding(
    submission: Submission,
    code: str,
    message: str,
    *,
    sheet: str = "",
    cell: str = "",
    indicator: str = "",
    hint: str = "",
    severity: Severity = Severity.ERROR,
) -> Finding:
    return Finding(code, severity, message, submission.file, sheet, cell, indicator, hint)


def _label(value: CellValue) -> str:
    return str(value).strip().rstrip("：:").replace(" ", "").replace("\u3000", "") if value else ""


def _find_table_header(sheet: Sheet) -> int | None:
    for row in range(min(sheet.height, _HEADER_SEARCH_ROWS)):
        labels = {_label(v) for v in sheet.rows[row]}
        if {"编码", "数值"} <= labels:
            return row
    return None


def _read_header(submission: Submission, sheet: Sheet, limit: int) -> None:
    for row in range(min(sheet.height, limit)):
        cells = sheet.rows[row]
        for col, value in enumerate(cells[:-1]):
            label = _label(value)
            if label in HEADER_FIELDS and label not in submission.header:
                submission.header[label] = HeaderField(cells[col + 1], cell_address(row, col + 1))


def _read_indicator_rows(submission: Submission, sheet: Sheet, header_row: int) -> None:
    columns = {_label(v): col for col, v in enumerate(sheet.rows[header_row]) if _label(v)}
    submission.table_columns, submission.table_row = columns, header_row
    code_col, value_col = columns["编码"], columns["数值"]
    unit_col = columns.get("单位")
    for row in range(header_row + 1, sheet.height):
        code = sheet.value(row, code_col)
        raw = sheet.value(row, value_col)
        if code is None and raw is None:
            continue
        code_text = str(code).strip() if code is not None else ""
        row_unit = str(sheet.value(row, unit_col) or "").strip() if unit_col is not None else ""
        reported = ReportedValue(
            code=code_text,
            value=cell_decimal(raw),
            raw=raw,
            cell=cell_address(row, value_col),
            row=row + 1,
            unit=text_unit(raw) or row_unit,
        )
        if submission.values.setdefault(code_text, reported) is not reported:
            submission.duplicates.append(reported)


def text_unit(raw: CellValue) -> str:
    """The unit written inside a text cell (``12477.4万元`` → 万元); it overrides the 单位 column."""
    if not isinstance(raw, str):
        return ""
    from chengbei_report.read.numbers_text import parse_number_text

    parsed = parse_number_text(raw)
    return parsed.unit if parsed is not None else ""


def cell_decimal(raw: CellValue) -> Decimal | None:
    """A number cell, or a text cell whose number is certain (``12477.4万元``, ``１２３``)."""
    number = number_from_cell(raw)
    if number is not None or not isinstance(raw, str):
        return number
    from chengbei_report.read.numbers_text import parse_number_text

    parsed = parse_number_text(raw)
    if parsed is None:
        return None
    try:
        return parsed.value / 100 if parsed.percent else parsed.value
    except InvalidOperation:
        return None


def _read_ledger(submission: Submission, sheet: Sheet, ledger: Ledger) -> LedgerTable:
    header = sheet.rows[0] if sheet.rows else []
    columns = {_label(v): col for col, v in enumerate(header) if _label(v)}
    wanted = {c.name: columns[c.name] for c in ledger.columns if c.name in columns}
    rows: list[LedgerRow] = []
    for row in range(1, sheet.height):
        cells = sheet.rows[row]
        if all(v is None for v in cells):
            continue
        values = {name: _ledger_value(cells, col) for name, col in wanted.items()}
        rows.append(LedgerRow(row + 1, values))
    return LedgerTable(ledger, submission.file, sheet.name, wanted, rows)


def _ledger_value(cells: list[CellValue], col: int) -> CellValue:
    value = cells[col] if col < len(cells) else None
    if isinstance(value, str):
        return value.strip() or None
    return value
