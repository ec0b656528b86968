"""Exact Chinese formatting of figures: the text a reader sees for a Decimal value.

Chinese statistical usage (see the reference README): percentages with two decimals rounded
half up, 增长N倍 as a whole number, approximate figures rounded *down* to a granularity
followed by 余 or 多, ranks as 第二.  Everything works on ``Decimal``; floats never enter.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from chengbei_report.decimals import quantize as _quantize
from chengbei_report.decimals import require_finite as _require_finite
from chengbei_report.decimals import round_half_up
from chengbei_report.errors import TemplateError

_DIGITS = "零一二三四五六七八九"
_UNITS = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))


def _shift(value: Decimal, places: int) -> Decimal:
    """Multiply by 10**places exactly, whatever the context precision."""
    sign, digits, exponent = value.as_tuple()
    return Decimal((sign, digits, int(exponent) + places))


def _strip_zeros(value: Decimal) -> Decimal:
    """Drop trailing zeros after the point exactly (``normalize`` would round past 28 digits)."""
    sign, digits, exponent = value.as_tuple()
    exponent = int(exponent)
    while exponent < 0 and len(digits) > 1 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    if exponent < 0 and digits == (0,):
        exponent = 0
    return Decimal((sign, digits, exponent))


def _plain(value: Decimal) -> str:
    """Positional notation, never an exponent; negative zero shows as zero."""
    if value.is_zero():
        value = abs(value)
    return format(value, "f")


def format_number(value: Decimal, decimals: int | None = None) -> str:
    """A figure as recorded, or half up to ``decimals`` places.

    With ``decimals`` None trailing zeros are dropped (``38.6700`` → ``38.67``, ``1E+3`` →
    ``1000``): a clerk's ``3.0`` is the figure 3.  With ``decimals`` the places are kept
    (``38.7`` with 2 → ``38.70``) because the catalog asked for a fixed number of places.
    No thousands separators: Chinese official documents write ``1954945``.
    """
    _require_finite(value)
    if decimals is None:
        return _plain(_strip_zeros(value))
    return _plain(round_half_up(value, decimals))


def format_percent(ratio: Decimal) -> str:
    """A ratio as a percentage with two decimals, half up: ``0.984252`` → ``98.43%``.

    Only a ratio that is *exactly* a whole percentage drops the decimals (``1`` → ``100%``);
    ``0.999996`` shows as ``100.00%`` so that a rounded figure never claims to be exact.
    """
    _require_finite(ratio)
    hundred = _shift(ratio, 2)
    if hundred == hundred.to_integral_value():
        return f"{_plain(round_half_up(hundred, 0))}%"
    return f"{_plain(round_half_up(hundred, 2))}%"


def format_multiple(value: Decimal) -> str:
    """增长N倍: half up to a whole number (``76.98`` → ``77``); the caller appends 倍."""
    return _plain(round_half_up(value, 0))


def _check_step(step: int) -> None:
    """A granularity is 1, 10, 100 …: 130余 and 3000多 floor to a power of ten."""
    if step < 1 or str(step).rstrip("0") != "1":
        raise TemplateError(f"约数的取整单位必须是1、10、100等10的整数次幂，模板给的是{step}。")


def approx_fits(value: Decimal, step: int) -> bool:
    """Whether ``value`` has an approximate form at granularity ``step``: zero, or at least one
    whole ``step`` (9 has none at 10: “0余” would be false and “9余” would not be rounded)."""
    _check_step(step)
    _require_finite(value)
    return value.is_zero() or value >= step


def format_approx(value: Decimal, step: int, word: str = "余", wan: bool = False) -> str:
    """An approximate figure: ``value`` floored to a multiple of ``step``, then ``word``.

    ``134`` step 10 → ``130余``; ``3260`` step 1000 word 多 → ``3000多``; ``31250`` step 10000
    with ``wan`` → ``3万余``.  When the value is an exact multiple of ``step`` 余/多 would be
    false, so the plain number is returned (``130``, ``3万``).  A negative value, or one below
    ``step``, has no honest approximate form and is a template error.
    """
    _check_step(step)
    _require_finite(value)
    power = len(str(step)) - 1
    steps = _quantize(_shift(value, -power), 0, ROUND_FLOOR)
    if value < 0 or (steps.is_zero() and not value.is_zero()):
        raise TemplateError(f"数值{format_number(value)}小于约数的取整单位{step}，不能写成约数。")
    shown = _shift(steps, power)
    suffix = "" if shown == value else word
    if wan:
        return f"{format_number(_shift(shown, -4))}万{suffix}"
    return f"{format_number(shown)}{suffix}"


def chinese_numeral(n: int) -> str:
    """Chinese numeral for 0…9999 as used in ranks and counts: 二, 十一, 一百零五, 一千零一十."""
    if not 0 <= n <= 9999:
        raise ValueError(f"chinese_numeral supports 0…9999, got {n}")
    if n == 0:
        return _DIGITS[0]
    parts: list[str] = []
    zero_pending = False
    for unit, name in _UNITS:
        digit = n // unit % 10
        if digit == 0:
            zero_pending = bool(parts)
            continue
        if zero_pending:
            parts.append(_DIGITS[0])
            zero_pending = False
        parts.append(_DIGITS[digit] + name)
    text = "".join(parts)
    return text[1:] if 10 <= n <= 19 else text


def format_rank(n: int) -> str:
    """A rank among the district's units: 2 → 第二."""
    if n < 1:
        raise ValueError(f"a rank starts at 1, got {n}")
    return f"第{chinese_numeral(n)}"


def format_year(year: int) -> str:
    """A year as written in the text: 2022 → 2022年."""
    return f"{year}年"
