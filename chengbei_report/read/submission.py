"""Parse one departmental workbook (header block, 指标 sheet, ledger sheets) into a Submission.

Parsing locates every value to its cell; anything it cannot make sense of becomes a finding,
so that one run reports every problem of every workbook.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from itertools import repeat
from pathlib import Path
from typing import Any

from chengbei_report.catalog import Catalog, Department, Ledger
from chengbei_report.codes import STRUCT_NO_INDICATOR_SHEET, STRUCT_NO_TABLE_HEADER
from chengbei_report.findings import Finding
from chengbei_report.read.columns import pack, unpack
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
    """One record seen row by row (diff, tests): its Excel row and its cleaned values."""

    row: int  # Excel row number, 1-based
    values: dict[str, CellValue]


@dataclass
class LedgerTable:
    """A ledger sheet's records, kept column by column so checks and sums run a column at once.

    ``raw[name]`` holds a catalog column's cells as read (blank is ``None``, text unstripped) in
    record order, ``numbers`` the Excel row of each record; ``column`` gives the values formulas
    and diff see. Empty rows are no records.
    """

    ledger: Ledger
    file: str
    sheet: str
    columns: dict[str, int]  # catalog column name → 0-based sheet column
    numbers: Sequence[int]
    raw: dict[str, Sequence[CellValue]]
    _clean: dict[str, Sequence[CellValue]] = field(default_factory=dict, init=False, repr=False)

    def __len__(self) -> int:
        return len(self.numbers)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled column by column, compactly (``columns.pack``): a worker sends it whole."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("_clean", "raw", "numbers")}
        state["numbers"] = pack(self.numbers)
        state["raw"] = {name: pack(values) for name, values in self.raw.items()}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.numbers = unpack(state["numbers"])
        self.raw = {name: unpack(packed) for name, packed in state["raw"].items()}
        self._clean = {}

    def column(self, name: str) -> Sequence[CellValue]:
        """A column's values as formulas see them: text stripped, blank text and absent ``None``."""
        cached = self._clean.get(name)
        if cached is None:
            raw = self.raw.get(name)
            cached = clean_column(raw) if raw is not None else [None] * len(self)
            self._clean[name] = cached
        return cached

    @property
    def rows(self) -> list[LedgerRow]:
        """Every record as a row view; built on each call, so not for whole-ledger hot paths."""
        names = list(self.columns)
        columns = [self.column(name) for name in names]
        return [
            LedgerRow(number, dict(zip(names, values, strict=True)))
            for number, *values in zip(self.numbers, *columns, strict=True)
        ]

    def column_range(self, column: str) -> str:
        """A1 range of a column's records, e.g. ``D2:D40``."""
        letter = column_letter(self.columns[column])
        if not self.numbers:
            return f"{letter}2"
        return f"{letter}{self.numbers[0]}:{letter}{self.numbers[-1]}"


def clean_text(value: CellValue) -> CellValue:
    """One ledger cell as formulas see it: text stripped, whitespace-only text blank."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def clean_column(values: Sequence[CellValue]) -> Sequence[CellValue]:
    """``clean_text`` over a column; a column without text is returned as it is."""
    if str not in set(map(type, values)):
        return values
    return [clean_text(value) for value in values]


@dataclass
class Submission:
    path: Path
    department: Department | None
    header: dict[str, HeaderField] = field(default_factory=dict)
    values: dict[str, ReportedValue] = field(default_factory=dict)
    ledgers: dict[str, LedgerTable] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    workbook: Workbook | None = None  # outline for the validator: hidden rows, merges, formulas
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
    """The decimal a numeric cell shows in Excel: a float's shortest repr, cut to the 15
    significant digits Excel shows (a computed 9320.700000000001 is the 9320.7 on screen)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        if value.is_integer() and abs(value) < _EXACT_INTEGERS:
            return Decimal(int(value))
        return _as_shown(repr(value))
    if isinstance(value, Decimal):
        return value
    return None


_EXACT_INTEGERS = 10.0**15  # whole floats below this have at most 15 digits
_SHOWN = Context(prec=15, rounding=ROUND_HALF_UP)


def _as_shown(text: str) -> Decimal:
    """A float's repr as Excel shows it: at most 15 significant digits, half up."""
    exact = Decimal(text)
    return exact if len(text) <= 16 else _SHOWN.plus(exact)


def parse_submission(workbook: Workbook, catalog: Catalog) -> Submission:
    """Parse a workbook; its department is the one named in the header field 部门.

    The submission keeps the workbook's outline (no cells): the cells it needs are parsed out.
    """
    submission = Submission(path=workbook.path, department=None, workbook=workbook.outline())
    sheet = workbook.sheets.get(INDICATOR_SHEET)
    if sheet is None:
        submission.findings.append(
            STRUCT_NO_INDICATOR_SHEET.make(
                f"缺少“{INDICATOR_SHEET}”工作表（现有：{'、'.join(workbook.sheets) or '无'}）。",
                file=submission.file,
            )
        )
        return submission
    header_row = _find_table_header(sheet)
    _read_header(submission, sheet, header_row if header_row is not None else _HEADER_SEARCH_ROWS)
    submission.department = catalog.department_by_name(submission.header_text("部门"))
    if header_row is None:
        submission.findings.append(
            STRUCT_NO_TABLE_HEADER.make(
                f"“{INDICATOR_SHEET}”表中找不到表头行（{' '.join(TABLE_COLUMNS[:4])}）。",
                file=submission.file,
                sheet=INDICATOR_SHEET,
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
    numbers, records = _records(sheet.rows[1:])
    shortest = min(map(len, records), default=0)
    raw = {name: _column(records, col, shortest) for name, col in wanted.items()}
    return LedgerTable(ledger, submission.file, sheet.name, wanted, numbers, raw)


def _records(body: list[list[CellValue]]) -> tuple[Sequence[int], list[list[CellValue]]]:
    """The rows holding any cell, with their Excel row numbers; counted in C, not per cell."""
    blanks = list(map(list.count, body, repeat(None)))
    if all(map(operator.ne, blanks, map(len, body))):
        return range(2, len(body) + 2), body
    kept = [i for i, row in enumerate(body) if blanks[i] != len(row)]
    return [i + 2 for i in kept], [body[i] for i in kept]


def _column(records: list[list[CellValue]], col: int, shortest: int) -> Sequence[CellValue]:
    """One sheet column of the records; a short row (none from calamine) reads as blank."""
    if col < shortest:
        return list(map(operator.itemgetter(col), records))
    return [row[col] if col < len(row) else None for row in records]
