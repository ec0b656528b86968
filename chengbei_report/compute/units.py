"""Units of measure: which units convert into each other, and by what factor."""

from __future__ import annotations

from decimal import Decimal

# family → {unit: factor to the family's base unit}
_FAMILIES: dict[str, dict[str, Decimal]] = {
    "money": {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)},
    "area": {"平方米": Decimal(1), "亩": Decimal(10_000) / Decimal(15), "公顷": Decimal(10_000)},
    "length": {"米": Decimal(1), "公里": Decimal(1000)},
    "ratio": {"%": Decimal(1)},
    "multiple": {"倍": Decimal(1)},
    "rank": {"位": Decimal(1)},
}
_FAMILY_OF = {unit: family for family, units in _FAMILIES.items() for unit in units}


def family(unit: str) -> str:
    """The unit's family; any other unit word (人, 户, 起 …) counts things: ``count``."""
    return _FAMILY_OF.get(unit, "count")


def convertible(source: str, target: str) -> bool:
    return family(source) == family(target)


def convert(value: Decimal, source: str, target: str) -> Decimal:
    """Convert between units of one family; counts pass through unchanged."""
    if source == target or family(source) == "count":
        return value
    units = _FAMILIES[family(source)]
    return value * units[source] / units[target]


def known_units(family_name: str) -> tuple[str, ...]:
    return tuple(_FAMILIES.get(family_name, {}))
