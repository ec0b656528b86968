"""Open a workbook and hand back its sheets as plain grids of cell values.

This is the only place that touches the xlsx file. python-calamine reads the values (several
times faster than openpyxl); the grid starts at A1 so that positions map straight to addresses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

CellValue = str | float | int | bool | date | datetime | time | None


class UnreadableWorkbook(Exception):
    """The file cannot be read as a workbook; ``code`` is the finding code to report."""

    def __init__(self, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


def column_letter(col: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_address(row: int, col: int) -> str:
    """0-based row and column → A1 address."""
    return f"{column_letter(col)}{row + 1}"


@dataclass
class Sheet:
    """One worksheet as rows of values from A1; empty cells are ``None``."""

    name: str
    rows: list[list[CellValue]]
    visible: bool = True
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    def value(self, row: int, col: int) -> CellValue:
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return None

    @property
    def height(self) -> int:
        return len(self.rows)


@dataclass
class Workbook:
    path: Path
    sheets: dict[str, Sheet]

    @property
    def name(self) -> str:
        return self.path.name


def _clean(value: object) -> CellValue:
    if value == "":
        return None
    return value  # type: ignore[return-value]


def read_workbook(path: Path) -> Workbook:
    """Read every sheet of ``path``; raise ``UnreadableWorkbook`` when it is no workbook."""
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several unrelated types
        raise UnreadableWorkbook(
            "FILE_CORRUPT",
            f"无法作为 xlsx 工作簿读取：{exc}",
            "请用 Excel 或 WPS 打开后另存为 .xlsx",
        ) from exc
    sheets: dict[str, Sheet] = {}
    for meta in book.sheets_metadata:
        calamine_sheet = book.get_sheet_by_name(meta.name)
        rows = [[_clean(v) for v in row] for row in calamine_sheet.to_python(skip_empty_area=False)]
        sheets[meta.name] = Sheet(
            name=meta.name,
            rows=rows,
            visible=str(meta.visible).endswith("Visible"),
            merged=list(calamine_sheet.merged_cell_ranges or []),
        )
    return Workbook(path=path, sheets=sheets)
