"""Figures: exact values that know where they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from chengbei_report.periods import Period


@dataclass(frozen=True)
class CellSource:
    """A value typed into one cell of a submitted workbook."""

    file: str
    sheet: str
    cell: str

    def describe(self) -> str:
        return f"{self.file} {self.sheet}!{self.cell}"


@dataclass(frozen=True)
class LedgerSource:
    """An aggregate over ledger rows: ``cells`` is a compact A1 list such as ``D2:D40``."""

    file: str
    sheet: str
    cells: str
    rows: int
    aggregate: str

    def describe(self) -> str:
        return f"{self.file} {self.sheet}!{self.cells}（{self.aggregate}，{self.rows}行）"


Source = CellSource | LedgerSource


@dataclass(frozen=True)
class Figure:
    """One value of one indicator for one period (and one unit of the district).

    ``inputs`` are the figures a formula used; ``sources`` are the leaf cells or ledger
    ranges.  Together they let the working paper trace every number to its origin.
    """

    code: str
    name: str
    unit: str
    kind: str
    period: Period
    value: Decimal
    decimals: int | None = None
    formula: str = ""
    inputs: tuple[Figure, ...] = ()
    sources: tuple[Source, ...] = ()
    department: str = ""

    def leaf_sources(self) -> tuple[Source, ...]:
        """All cells and ledger ranges behind this figure, first-seen order, no repeats."""
        seen: dict[Source, None] = {}
        stack: list[Figure] = [self]
        ordered: list[Source] = []
        while stack:
            figure = stack.pop(0)
            for source in figure.sources:
                if source not in seen:
                    seen[source] = None
                    ordered.append(source)
            stack.extend(figure.inputs)
        return tuple(ordered)


@dataclass
class FigureUse:
    """A figure as it appears in the rendered document, in document order."""

    figure: Figure
    text: str
    block: int = -1
    section: str = ""
    extra: dict[str, str] = field(default_factory=dict)
