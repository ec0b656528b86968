"""Every function of the formula language, declared once: name, arguments, unit rule, evaluation.

The parser (formula.py) checks names and arity here, the unit check (unit_check.py) asks each
function the unit family of its result, and the engine (compute/engine.py) calls its
``evaluate``. Adding a function is one entry in ``FUNCTIONS`` (and a line in docs/formats.md).

Evaluation is written against ``Evaluation``, which the engine implements twice: over single
values and, for functions marked ``elementwise``, over the rows of a ledger inside ``rank()``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from chengbei_report.units import NUMBER, title

if TYPE_CHECKING:
    from chengbei_report.formula import Node


class Evaluation(Protocol):
    """What a function's ``evaluate`` may ask of the engine; values are opaque to it."""

    def scalar(self, node: Node) -> Any:
        """The value of an argument in the formula's period."""

    def shifted(self, to: str) -> Evaluation:
        """The same evaluation in another period: ``prev_year``, ``prev``, ``baseline`` or a code."""

    def arithmetic(self, op: str, left: Any, right: Any) -> Any:
        """``left op right`` for ``+ - * /``, units aligned and division by zero refused."""

    def relative(self, current: Any, base: Any, unit: str) -> Any:
        """current ÷ base − 1, shown in ``unit`` (``%``, ``倍``)."""

    def rank(self, node: Node) -> Any:
        """Place (1 = largest) of the report's unit among a ledger's rows of ``node``."""

    def own(self, node: Node) -> Any:
        """The report's unit's own row of a ledger column (``node`` is a ``ColumnRef``)."""


class Records(Protocol):
    """The records of a ledger that a condition chose, in one column."""

    unit: str  # the column's unit in the catalog ("" for none)

    def count(self) -> int: ...

    def values(self) -> list[object]: ...

    def numbers(self) -> list[Decimal]:
        """The column's numbers (blank is 0); text that is no number stops with a ComputeError."""


@dataclass(frozen=True)
class FormulaFunction:
    """A function over values: ``growth(x)``, ``ratio(a, b)`` …

    ``unit`` maps the unit families of the arguments to the family of the result and raises
    ValueError (Chinese) when they do not fit; ``evaluate(evaluation, *arguments)`` gets the
    arguments unevaluated, so it may evaluate them in another period.
    """

    name: str
    arity: int
    unit: Callable[[Sequence[str]], str]
    evaluate: Callable[..., Any]
    elementwise: bool = False  # may be used inside rank(), row by row
    column_argument: bool = False  # its arguments are ledger columns (``ledger.列名``)

    def __post_init__(self) -> None:
        parameters = len(inspect.signature(self.evaluate).parameters)
        if parameters != self.arity + 1:
            raise TypeError(
                f"{self.name}: evaluate takes {parameters - 1} arguments, not {self.arity}"
            )


@dataclass(frozen=True)
class LedgerFunction:
    """A function over a ledger's records: ``count(ledger[, cond])``, ``sum(ledger.col[, cond])``.

    ``unit`` maps the family of the column (``None`` without one) to the family of the result;
    ``evaluate(records)`` gives the value and its unit.
    """

    name: str
    needs_column: bool
    unit: Callable[[str | None], str]
    evaluate: Callable[[Records], tuple[Decimal, str]]


def same_unit(name: str) -> Callable[[Sequence[str]], str]:
    """A rule for functions of like arguments (constants fit anything); the result is the first's."""

    def rule(families: Sequence[str]) -> str:
        measured = {f for f in families if f != NUMBER}
        if len(measured) > 1:
            shown = "与".join(title(f) for f in families)
            which = "两个参数" if len(families) == 2 else "参数"
            raise ValueError(f"{name} 的{which}单位不同：{shown}")
        return families[0]

    return rule


def gives(
    family: str, check: Callable[[Sequence[str]], str] | None = None
) -> Callable[[Sequence[str]], str]:
    """A rule whose result is always ``family``, after ``check`` of the arguments if given."""

    def rule(families: Sequence[str]) -> str:
        if check is not None:
            check(families)
        return family

    return rule


def _growth(ev: Evaluation, x: Node) -> Any:
    return ev.relative(ev.scalar(x), ev.shifted("prev_year").scalar(x), "%")


def _multiple(ev: Evaluation, x: Node, base: Node) -> Any:
    return ev.relative(ev.scalar(x), ev.scalar(base), "倍")


def _ratio(ev: Evaluation, a: Node, b: Node) -> Any:
    return ev.arithmetic("/", ev.scalar(a), ev.scalar(b))


def _net(ev: Evaluation, x: Node, base: Node) -> Any:
    return ev.arithmetic("-", ev.scalar(x), ev.scalar(base))


def _rank(ev: Evaluation, x: Node) -> Any:
    return ev.rank(x)


def _own(ev: Evaluation, x: Node) -> Any:
    return ev.own(x)


def _count(records: Records) -> tuple[Decimal, str]:
    return Decimal(records.count()), ""


def _sum(records: Records) -> tuple[Decimal, str]:
    return sum(records.numbers(), Decimal(0)), records.unit


def _distinct(records: Records) -> tuple[Decimal, str]:
    return Decimal(len(set(records.values()) - {None})), ""


FUNCTIONS: dict[str, FormulaFunction | LedgerFunction] = {
    entry.name: entry
    for entry in (
        FormulaFunction("growth", 1, gives("ratio"), _growth, elementwise=True),
        FormulaFunction("multiple", 2, gives("multiple", same_unit("multiple")), _multiple),
        FormulaFunction("ratio", 2, gives("ratio", same_unit("ratio")), _ratio),
        FormulaFunction("net", 2, same_unit("net"), _net),
        FormulaFunction("rank", 1, gives("rank"), _rank),
        FormulaFunction("own", 1, lambda families: families[0], _own, column_argument=True),
        LedgerFunction("count", False, lambda column: "count", _count),
        LedgerFunction("sum", True, lambda column: column or "count", _sum),
        LedgerFunction("distinct", True, lambda column: "count", _distinct),
    )
}


def lookup(name: str) -> FormulaFunction | LedgerFunction | None:
    """The function called ``name``, looked up at call time (tests swap ``FUNCTIONS``)."""
    return FUNCTIONS.get(name)


def names() -> list[str]:
    return list(FUNCTIONS)
