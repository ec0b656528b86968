"""Decimal arithmetic every stage shares: one working precision, and rounding half up."""

from __future__ import annotations

from contextlib import AbstractContextManager
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import overload

PRECISION = 34  # digits of every intermediate result: far beyond any figure a report shows


def exact_context() -> AbstractContextManager[Context]:
    """A local context at the shared working precision (``with exact_context():``)."""
    return localcontext(prec=PRECISION)


def require_finite(value: Decimal) -> None:
    """Figures are always finite; NaN or Infinity means a bug upstream, not bad data."""
    if not value.is_finite():
        raise ValueError(f"not a finite figure: {value!r}")


def quantize(value: Decimal, places: int, rounding: str) -> Decimal:
    """Quantize with enough precision that the default 28-digit context never truncates."""
    require_finite(value)
    with localcontext() as ctx:
        ctx.prec = max(28, value.adjusted() + places + 2)
        return value.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def round_half_up(value: Decimal, places: int) -> Decimal:
    """Round half up (四舍五入 on the decimal value) to ``places`` decimals; negative = tens…"""
    return quantize(value, places, ROUND_HALF_UP)


@overload
def exact_text(value: Decimal) -> str: ...
@overload
def exact_text(value: None) -> None: ...
@overload
def exact_text(value: Decimal | None) -> str | None: ...
def exact_text(value: Decimal | None) -> str | None:
    """A Decimal as plain digits (``0.5``, never ``5E-1``), every digit kept; None stays None."""
    return None if value is None else format(value, "f")
