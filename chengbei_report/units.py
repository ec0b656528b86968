"""Units of measure: which units convert into each other, and by what exact factor."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from chengbei_report.decimals import exact_context

# family → {unit: size in the family's base unit}; Fractions, so that 亩 (10000/15 m²) is exact.
_FAMILIES: dict[str, dict[str, Fraction]] = {
    "money": {"元": Fraction(1), "万元": Fraction(10_000), "亿元": Fraction(100_000_000)},
    "area": {"平方米": Fraction(1), "亩": Fraction(10_000, 15), "公顷": Fraction(10_000)},
    "length": {"米": Fraction(1), "公里": Fraction(1000)},
    "ratio": {"%": Fraction(1)},
    "multiple": {"倍": Fraction(1)},
    "rank": {"位": Fraction(1)},
}
_FAMILY_OF = {unit: family for family, units in _FAMILIES.items() for unit in units}


def family(unit: str) -> str:
    """The unit's family; any other unit word (人, 户, 起 …) counts things: ``count``."""
    return _FAMILY_OF.get(unit, "count")


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
    units = _FAMILIES[family(source)]
    factor = units[source] / units[target]
    with exact_context():
        return value * factor.numerator / factor.denominator
