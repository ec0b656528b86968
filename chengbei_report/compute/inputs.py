"""What the engine reads from a period, described by shape so that compute never imports read/.

``read.period.PeriodData`` and ``read.submission.LedgerTable`` are what the project hands in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from chengbei_report.catalog import Ledger
from chengbei_report.sheets import CellValue

CellNumber = Callable[[CellValue], Decimal | None]  # a cell's exact number, None when it has none


class ReportedCell(Protocol):
    """One row of a 指标 sheet: the value, its unit cell, where it is and what was typed."""

    value: Decimal | None
    unit: str
    cell: str
    raw: CellValue


class LedgerData(Protocol):
    """A ledger sheet's records, column by column."""

    ledger: Ledger
    file: str
    sheet: str
    columns: dict[str, int]
    numbers: Sequence[int]

    def __len__(self) -> int: ...
    def column(self, name: str) -> Sequence[CellValue]: ...
    def column_range(self, name: str) -> str: ...


class PeriodInput(Protocol):
    """One period folder's data."""

    folder: Path

    def reported(self, code: str, department: str) -> tuple[Any, ReportedCell] | None: ...
    def ledger(self, code: str, department: str) -> LedgerData | None: ...
