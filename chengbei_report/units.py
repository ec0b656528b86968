"""Units of measure: which units convert into each other, and by what exact factor."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from chengbei_report.decimals import exact_context


@dataclass(frozen=True)
class Family:
    """Units that convert into each other: sizes in the family's base unit, as exact Fractions
    (亩 is 10000/15 m²); ``title`` names the family in messages (金额与计数不能相加减)."""

    title: str
    units: dict[str, Fraction]


# Adding a unit is one entry here; a family is one line. Words in no family count things.
FAMILIES: dict[str, Family] = {
    "money": Family("金额", {"元": Fraction(1), "万元": Fraction(10_000), "亿元": Fraction(10**8)}),
    "area": Family(
        "面积", {"平方米": Fraction(1), "亩": Fraction(10_000, 15), "公顷": Fraction(10_000)}
    ),
    "length": Family("长度", {"米": Fraction(1), "公里": Fraction(1000)}),
    "ratio": Family("比率", {"%": Fraction(1)}),
    "multiple": Family("倍数", {"倍": Fraction(1)}),
    "rank": Family("位次", {"位": Fraction(1)}),
    "count": Family("计数", {}),  # 人, 户, 起 …: any measure word
}
NUMBER = "number"  # the family of a bare constant in a formula: it scales anything


def family(unit: str) -> str:
    """The unit's family; any other unit word (人, 户, 起 …) counts things: ``count``."""
    return next((name for name, found in FAMILIES.items() if unit in found.units), "count")


def title(family_name: str) -> str:
    """How messages name a unit family: 金额, 面积 … (常数 for a bare number)."""
    return "常数" if family_name == NUMBER else FAMILIES[family_name].title


def convertible(source: str, target: str) -> bool:
    return family(source) == family(target)


def align(value: Decimal, unit: str, target: str) -> Decimal:
    """``value`` in ``unit`` expressed in ``target`` when the two convert (万元 from 元); else as is.

    Either unit empty means a bare number: nothing to convert.
    """
    if unit and target and unit != target and convertible(unit, target):
        return convert(value, unit, target)
    return value


def convert(value: Decimal, source: str, target: str) -> Decimal:
    """Convert between units of one family with one division: 2 公顷 is exactly 30 亩."""
    if source == target or family(source) == "count":
        return value
    sizes = FAMILIES[family(source)].units
    factor = sizes[source] / sizes[target]
    with exact_context():
        return value * factor.numerator / factor.denominator
