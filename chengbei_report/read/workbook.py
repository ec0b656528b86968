"""Open a workbook and hand back its sheets as plain grids of cell values.

Every stage reads a department's cell values through this module. ``safety.preflight`` checks
the raw bytes first (calamine aborts the process on some hostile files); then python-calamine
reads the values (several times faster than openpyxl). The grid starts at A1 so that positions
map straight to addresses. In a worker process (``read/workers.py``) the scan leaves the extent
out and the sheet calamine loaded is measured instead, before any of its cells becomes a Python
object.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from chengbei_report.codes import FILE_CORRUPT
from chengbei_report.read.safety import (
    HINT_RESEND,
    Layout,
    Limits,
    SheetLayout,
    UnreadableWorkbook,
    ValueLayout,
    check_extent,
    preflight,
)
from chengbei_report.sheets import CellValue, cell_address, column_letter

__all__ = [
    "CellValue",
    "Limits",
    "Sheet",
    "UnreadableWorkbook",
    "Workbook",
    "cell_address",
    "collector_paused",
    "column_letter",
    "read_workbook",
]

_CONTROL_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Sheet:
    """One worksheet as rows of values from A1; empty cells are ``None``.

    The metadata comes from the pre-flight scan of the sheet's XML, for the validator:
    rows hidden by the clerk (1-based), merged ranges (0-based corners, as calamine gives them),
    formula cells saved without a computed value and text cells holding control characters
    (A1 addresses; the text is kept as it is); ``values``: cells Excel would read otherwise.
    """

    name: str
    rows: list[list[CellValue]]
    visible: bool = True
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    hidden_rows: frozenset[int] = frozenset()
    formulas_without_value: list[str] = field(default_factory=list)
    control_cells: list[str] = field(default_factory=list)
    values: ValueLayout = field(default_factory=ValueLayout)

    @property
    def hidden(self) -> bool:
        return not self.visible

    def value(self, row: int, col: int) -> CellValue:
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return None

    @property
    def height(self) -> int:
        return len(self.rows)

    def outline(self) -> Sheet:
        """This sheet without its cells: what the validator needs once the sheet is parsed."""
        return replace(self, rows=[])


@dataclass
class Workbook:
    path: Path
    sheets: dict[str, Sheet]

    @property
    def name(self) -> str:
        return self.path.name

    def outline(self) -> Workbook:
        """The workbook's sheets without their cells (``Sheet.outline``)."""
        return Workbook(self.path, {name: sheet.outline() for name, sheet in self.sheets.items()})


def _blank_to_none(rows: list[list[Any]]) -> list[list[CellValue]]:
    """calamine gives ``""`` for an empty cell; the parsers expect ``None``. In place: fast."""
    for row in rows:
        if "" in row:
            for index, value in enumerate(row):
                if value == "":
                    row[index] = None
    return rows


def _control_cells(rows: list[list[CellValue]]) -> list[str]:
    return [
        cell_address(r, c)
        for r, row in enumerate(rows)
        for c, value in enumerate(row)
        if isinstance(value, str) and _CONTROL_TEXT.search(value)
    ]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while workbooks load; on again after, as it was.

    calamine makes a list per row of plain values: nothing for the collector to find, but every
    burst of allocations starts a collection that walks all the rows read so far (~10% of a read).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_sheet(book: Any, layout: SheetLayout, strings_control: bool, limits: Limits) -> Sheet:
    try:
        with collector_paused():
            values = _sheet_values(book.get_sheet_by_name(layout.name), layout, limits)
    except UnreadableWorkbook:
        raise
    except Exception as exc:  # calamine raises several unrelated types
        raise UnreadableWorkbook(
            FILE_CORRUPT, f"工作表“{layout.name}”已损坏，无法读取：{exc}", HINT_RESEND
        ) from exc
    rows = _blank_to_none(values)
    control = layout.has_control_chars or strings_control
    return Sheet(
        name=layout.name,
        rows=rows,
        visible=layout.visible,
        merged=list(layout.merged),
        hidden_rows=layout.hidden_rows,
        formulas_without_value=list(layout.formulas_without_value),
        control_cells=_control_cells(rows) if control else [],
        values=layout.values,
    )


def _sheet_values(sheet: Any, layout: SheetLayout, limits: Limits) -> list[list[Any]]:
    """The cells from A1; a sheet the scan did not measure is measured as calamine loaded it."""
    if layout.rows is not None:
        return sheet.to_python(skip_empty_area=False, nrows=layout.rows)
    end = sheet.end
    if end is not None:
        check_extent(layout.name, end[0] + 1, end[1] + 1, limits)
    return sheet.to_python(skip_empty_area=False)


def _read_checked(path: Path, layout: Layout, limits: Limits) -> Workbook:
    """calamine's part: the values of sheets that passed the pre-flight scan."""
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several unrelated types
        raise UnreadableWorkbook(
            FILE_CORRUPT,
            f"无法作为 xlsx 工作簿读取：{exc}",
            "请用 Excel 或 WPS 打开后另存为 .xlsx",
        ) from exc
    sheets = {
        sheet.name: _read_sheet(book, sheet, layout.strings_have_control_chars, limits)
        for sheet in layout.sheets
    }
    return Workbook(path=path, sheets=sheets)


def read_workbook(path: Path, limits: Limits | None = None, *, extents: bool = True) -> Workbook:
    """Read every worksheet of ``path``; raise ``UnreadableWorkbook`` when it is no safe workbook.

    ``extents=False`` is for worker processes only (see the module docstring).
    """
    wanted = limits or Limits()
    return _read_checked(path, preflight(path, wanted, extents=extents), wanted)
