"""Open a workbook and hand back its sheets as plain grids of cell values.

This is the only place that touches the xlsx file. ``safety.preflight`` checks the raw bytes
first (calamine aborts the process on some hostile files); then python-calamine reads the values
(several times faster than openpyxl). The grid starts at A1 so that positions map straight to
addresses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from chengbei_report.read.safety import (
    HINT_RESEND,
    Layout,
    Limits,
    SheetLayout,
    UnreadableWorkbook,
    preflight,
)

__all__ = [
    "CellValue",
    "Limits",
    "Sheet",
    "UnreadableWorkbook",
    "Workbook",
    "cell_address",
    "column_letter",
    "read_workbook",
    "read_workbooks",
]

CellValue = str | float | int | bool | date | datetime | time | None

_CONTROL_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


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
    """One worksheet as rows of values from A1; empty cells are ``None``.

    The metadata comes from the pre-flight scan of the sheet's XML, for the validator:
    rows hidden by the clerk (1-based), merged ranges (0-based corners, as calamine gives them),
    formula cells saved without a computed value and text cells holding control characters
    (A1 addresses; the text is kept as it is).
    """

    name: str
    rows: list[list[CellValue]]
    visible: bool = True
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    hidden_rows: frozenset[int] = frozenset()
    formulas_without_value: list[str] = field(default_factory=list)
    control_cells: list[str] = field(default_factory=list)

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


@dataclass
class Workbook:
    path: Path
    sheets: dict[str, Sheet]

    @property
    def name(self) -> str:
        return self.path.name


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


def _read_sheet(book: Any, layout: SheetLayout, strings_control: bool) -> Sheet:
    try:
        values = book.get_sheet_by_name(layout.name).to_python(
            skip_empty_area=False, nrows=layout.rows
        )
    except Exception as exc:  # calamine raises several unrelated types
        raise UnreadableWorkbook(
            "FILE_CORRUPT", f"工作表“{layout.name}”已损坏，无法读取：{exc}", HINT_RESEND
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
    )


def _read_checked(path: Path, layout: Layout) -> Workbook:
    """calamine's part: the values of sheets that passed the pre-flight scan."""
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several unrelated types
        raise UnreadableWorkbook(
            "FILE_CORRUPT",
            f"无法作为 xlsx 工作簿读取：{exc}",
            "请用 Excel 或 WPS 打开后另存为 .xlsx",
        ) from exc
    sheets = {
        sheet.name: _read_sheet(book, sheet, layout.strings_have_control_chars)
        for sheet in layout.sheets
    }
    return Workbook(path=path, sheets=sheets)


def read_workbook(path: Path, limits: Limits | None = None) -> Workbook:
    """Read every worksheet of ``path``; raise ``UnreadableWorkbook`` when it is no safe workbook."""
    return _read_checked(path, preflight(path, limits or Limits()))


Outcome = Workbook | UnreadableWorkbook
_Started = Future[Workbook] | UnreadableWorkbook


def read_workbooks(
    paths: Iterable[Path], limits: Limits | None = None
) -> Iterator[tuple[Path, Outcome]]:
    """Read many files in order: each path with its Workbook, or the UnreadableWorkbook it raised.

    calamine releases the GIL while it parses, so the pre-flight scan of the next file runs
    beside calamine's read of this one (and beside the caller's work on the previous one):
    on two cores the scan costs almost no wall time.
    """
    wanted = limits or Limits()
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: tuple[Path, _Started] | None = None
        for path in paths:
            started = _start(pool, path, wanted)
            if pending is not None:
                yield _finish(*pending)
            pending = (path, started)
        if pending is not None:
            yield _finish(*pending)


def _start(pool: ThreadPoolExecutor, path: Path, limits: Limits) -> _Started:
    try:
        layout = preflight(path, limits)
    except UnreadableWorkbook as exc:
        return exc
    return pool.submit(_read_checked, path, layout)


def _finish(path: Path, started: _Started) -> tuple[Path, Outcome]:
    if isinstance(started, UnreadableWorkbook):
        return path, started
    try:
        return path, started.result()
    except UnreadableWorkbook as exc:
        return path, exc
