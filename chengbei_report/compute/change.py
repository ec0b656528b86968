"""How much a figure changed: one definition for ``validate``'s warnings and ``diff``'s table."""

from __future__ import annotations

from decimal import Decimal

from chengbei_report.decimals import exact_context

_HUNDRED = Decimal(100)


def relative_change(old: Decimal, new: Decimal, kind: str) -> Decimal | None:
    """Change in % of the old value; for ratios the change in 百分点; None when undefined.

    A rate going from 97.62% to 98.43% rose 0.81 百分点, not 0.83%: a percentage of a
    percentage misleads, so rates are compared by difference.
    """
    with exact_context():
        if kind == "ratio":
            return (new - old) * _HUNDRED
        if kind == "rank" or old == 0:
            return None
        return (new - old) / abs(old) * _HUNDRED


def beyond(relative: Decimal | None, threshold: Decimal | None) -> bool:
    """Whether a relative change passes a catalog threshold (a fraction: 0.5 is 50% or 50 百分点)."""
    return relative is not None and threshold is not None and abs(relative) > threshold * _HUNDRED
