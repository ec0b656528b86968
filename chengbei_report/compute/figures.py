"""Figures: exact values that know where they came from."""

from __future__ import annotations

import html
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from typing import Any

from chengbei_report.decimals import exact_text
from chengbei_report.periods import Period

# Moving the decimal point must never round: a 34-digit ratio stays 34 digits in percent.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


@dataclass(frozen=True)
class Reading:
    """A value in the unit a reader expects: ``98.425…%``, not the stored fraction ``0.98425…``."""

    value: Decimal
    unit: str

    def __str__(self) -> str:
        return f"{exact_text(self.value)}{self.unit}"


def reader_value(value: Decimal, unit: str, kind: str) -> Reading:
    """Ratios are stored as fractions but read as percentages; everything else as stored."""
    if kind == "ratio":
        return Reading(value.scaleb(2, _EXACT), "%")
    return Reading(value, unit)


@dataclass(frozen=True)
class CellSource:
    """A value typed into one cell of a submitted workbook."""

    file: str
    sheet: str
    cell: str
    period: Period | None = None

    def describe(self) -> str:
        return f"{_folder(self.period)}{self.file} {self.sheet}!{self.cell}"

    def __str__(self) -> str:
        return self.describe()


@dataclass(frozen=True)
class LedgerSource:
    """An aggregate over ledger rows: ``cells`` is a compact A1 list such as ``D2:D40``."""

    file: str
    sheet: str
    cells: str
    rows: int
    aggregate: str
    period: Period | None = None

    def describe(self) -> str:
        where = f"{_folder(self.period)}{self.file} {self.sheet}!{self.cells}"
        return f"{where}（{self.aggregate}，{self.rows}行）"

    def __str__(self) -> str:
        return self.describe()


Source = CellSource | LedgerSource


def _folder(period: Period | None) -> str:
    """``2022/`` — the submissions folder a source file lies in, so an auditor can find it."""
    return f"{period.code}/" if period is not None else ""


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

    def reader_value(self) -> Reading:
        """The value as a reader expects it next to its unit: a rate in percent."""
        return reader_value(self.value, self.unit, self.kind)

    def __str__(self) -> str:
        """The exact reading with its unit (``508人``, ``98.4251968…%``), never the dataclass
        repr: whatever route a figure takes into a text, a message or a cell, it reads as a
        figure. Documents show the rounded default form of its kind (render.template)."""
        return str(self.reader_value())

    def __format__(self, spec: str) -> str:
        """``f"{figure}"`` is ``str(figure)``; a spec formats the reading: ``f"{rate:.2f}"``."""
        if not spec:
            return str(self)
        reading = self.reader_value()
        return f"{format(reading.value, spec)}{reading.unit}"

    def __html__(self) -> str:
        """Markup-aware code (Jinja autoescape) gets the same text, escaped."""
        return html.escape(str(self))

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
    call: tuple[Any, ...] = ()  # the filter call that wrote it: ("approx", 10, "余", False, True)
    bookmark: str = ""  # its bookmark in a document our writer made: cbf_0001
