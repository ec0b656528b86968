"""Cell values and addresses as every stage sees them, whichever library read the workbook."""

from __future__ import annotations

from datetime import date, datetime, time

CellValue = str | float | int | bool | date | datetime | time | None


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
