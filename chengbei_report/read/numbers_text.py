"""Numbers as people write them: in a workbook cell typed as text, or in a document's prose.

``parse_number_text`` is strict: a cell either holds one exact figure (possibly with a unit, a
percent sign, full-width digits or thousands separators, each normalisation noted in Chinese)
or it is refused, so that 约3000 or 待统计 become findings instead of guesses.
``find_figures`` reads prose leniently and locates every figure so that a hand-edited document
can be compared with the computed figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH_DIGITS = frozenset(chr(code) for code in range(0xFF10, 0xFF1A))
_ODD_CHARACTERS = {0x3000: " ", 0x00A0: " ", 0x2212: "-"}
_TRANSLATION = {**_FULL_WIDTH, **_ODD_CHARACTERS}

# A trailing word made of these is a unit; approximation words are not.
_UNIT_CHARS = r"A-Za-z\u4e00-\u9fff/²³"
_APPROX_RE = re.compile("余|多|约|近|超|来|几|许|左右|以上|以下|上下|不到|不足")

_CELL_RE = re.compile(
    rf"(?P<sign>[+-]?)(?P<int>\d{{1,3}}(?:,\d{{3}})+|\d+)(?P<frac>\.\d+)?"
    rf"(?:(?P<pct>%)|(?P<unit>[{_UNIT_CHARS}]{{1,8}}))?"
)

# Units and counting words as they follow a figure in prose, longest first where one is a
# prefix of another.  万元/亿元/万平方米 are units in their own right (the catalog uses them);
# any other 万 scales the figure (3万余人 → 30000, 人).
_PROSE_UNITS = (
    "万平方米",
    "平方公里",
    "平方米",
    "个百分点",
    "百分点",
    "万元",
    "亿元",
    "元",
    "公顷",
    "公里",
    "千米",
    "米",
    "亩",
    "吨",
    "人次",
    "场次",
    "人",
    "户",
    "家",
    "个",
    "件",
    "起",
    "条",
    "次",
    "场",
    "处",
    "宗",
    "本",
    "名",
    "项",
    "篇",
    "倍",
    "年",
    "月份",
    "月",
    "日",
    "天",
    "台",
    "辆",
    "所",
    "座",
    "栋",
    "间",
    "套",
    "份",
    "批",
    "支",
    "例",
    "岁",
    "小时",
    "季度",
)
_PROSE_RE = re.compile(
    r"(?<![A-Za-z\d.])(?P<sign>-)?"
    r"(?P<int>\d{1,3}(?:,\d{3})+(?![\d])|\d+)(?P<frac>\.\d+)?"
    r"(?P<wan>万(?!元|平方米))?(?P<approx>[余多])?"
    rf"(?:(?P<pct>%)|(?P<unit>{'|'.join(_PROSE_UNITS)}))?"
)
_NUMERAL_CHARS = "零〇一二两三四五六七八九十百千"
_RANK_RE = re.compile(
    rf"(?:全区|全市|全省|全国|全县|排名|位列|位居)(?P<rank>第[{_NUMERAL_CHARS}]+)"
)
_NUMERAL_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_NUMERAL_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMERAL_UNITS = {"十": 10, "百": 100, "千": 1000}


@dataclass(frozen=True)
class ParsedNumber:
    """One figure read from a cell.

    ``value`` is the number as written (``98.43%`` → 98.43 with ``percent`` true; ``12477.4万元``
    → 12477.4 with ``unit`` 万元): converting units or percentages is the caller's decision.
    ``notes`` say in Chinese what was normalised, for an informational finding.
    """

    value: Decimal
    unit: str = ""
    percent: bool = False
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FigureMatch:
    """One figure found in prose, with its span in the original text.

    ``value`` is what the text means: ``3万余人`` → 30000 (``wan`` true, ``approx`` 余, ``unit``
    人); ``98.43%`` → 98.43 with ``percent`` true; ``全区第二`` → 2 with ``rank`` true and the
    span covering ``第二``.
    """

    start: int
    end: int
    text: str
    value: Decimal
    unit: str = ""
    percent: bool = False
    approx: str = ""
    wan: bool = False
    rank: bool = False


def _normalise_width(text: str) -> str:
    """Full-width ASCII to half-width, odd spaces and minus signs to ASCII; length-preserving."""
    return text.translate(_TRANSLATION)


def _width_notes(text: str) -> list[str]:
    """Say which characters the width normalisation changed, digits apart from symbols."""
    notes: list[str] = []
    if any(ch in _FULL_WIDTH_DIGITS for ch in text):
        notes.append("全角数字已转为半角")
    if any(ord(ch) in _FULL_WIDTH and ch not in _FULL_WIDTH_DIGITS for ch in text):
        notes.append("全角符号已转为半角")
    if "\u2212" in text:
        notes.append("数学负号“−”已转为“-”")
    return notes


def parse_number_text(text: str) -> ParsedNumber | None:
    """Read one exact figure from a cell's text, or None when the text is not exactly a figure."""
    converted = _normalise_width(text)
    notes = _width_notes(text)
    stripped = converted.strip()
    if stripped != converted:
        notes.append("已去掉首尾空格")
    match = _CELL_RE.fullmatch(stripped)
    if match is None:
        return None
    unit = match["unit"] or ""
    if _APPROX_RE.search(unit):
        return None
    integer = match["int"]
    if "," in integer:
        notes.append("已去掉千位分隔符")
    if unit:
        notes.append(f"已去掉单位“{unit}”")
    value = Decimal(f"{match['sign']}{integer.replace(',', '')}{match['frac'] or ''}")
    return ParsedNumber(value=value, unit=unit, percent=bool(match["pct"]), notes=tuple(notes))


def parse_chinese_numeral(text: str) -> int | None:
    """Read a Chinese numeral below 10000 (二, 十一, 一百零五); None for anything ambiguous.

    Colloquial forms whose meaning depends on context (一百五 for 150) are refused.
    """
    if text in ("零", "〇"):
        return 0
    total, digit, last_unit, after_zero = 0, None, 10000, False
    for index, char in enumerate(text):
        value = _NUMERAL_DIGITS.get(char)
        if value == 0:
            if digit is not None or after_zero or total == 0:
                return None
            after_zero = True
        elif value is not None:
            if digit is not None:
                return None
            digit = value
        elif char in _NUMERAL_UNITS:
            unit = _NUMERAL_UNITS[char]
            leading_ten = digit is None and index == 0 and unit == 10
            if unit >= last_unit or (digit is None and not leading_ten):
                return None
            total += (digit or 1) * unit
            digit, last_unit, after_zero = None, unit, False
        else:
            return None
    return _close_numeral(total, digit, last_unit, after_zero)


def _close_numeral(total: int, digit: int | None, last_unit: int, after_zero: bool) -> int | None:
    """Finish a numeral: a trailing 零 or a bare digit after 百/千 (一百五) is ambiguous."""
    if digit is None:
        return None if after_zero or total == 0 else total
    if total and last_unit > 10 and not after_zero:
        return None
    return total + digit


def _prose_value(match: re.Match[str]) -> Decimal:
    """The value a prose figure stands for, with 万 applied."""
    value = Decimal(f"{match['sign'] or ''}{match['int'].replace(',', '')}{match['frac'] or ''}")
    if not match["wan"]:
        return value
    sign, digits, exponent = value.as_tuple()
    shifted = int(exponent) + 4
    if shifted > 0:
        return Decimal((sign, digits + (0,) * shifted, 0))
    return Decimal((sign, digits, shifted))


def _arabic_figures(text: str) -> list[FigureMatch]:
    """Every Arabic figure in already width-normalised text."""
    return [
        FigureMatch(
            start=match.start(),
            end=match.end(),
            text=match[0],
            value=_prose_value(match),
            unit=match["unit"] or "",
            percent=bool(match["pct"]),
            approx=match["approx"] or "",
            wan=bool(match["wan"]),
        )
        for match in _PROSE_RE.finditer(text)
    ]


def _rank_figures(text: str) -> list[FigureMatch]:
    """Chinese ranks after 全区, 全市, 排名 … (第一种形态 is not a rank)."""
    found: list[FigureMatch] = []
    for match in _RANK_RE.finditer(text):
        numeral = parse_chinese_numeral(match["rank"][1:])
        if numeral:
            start, end = match.span("rank")
            found.append(FigureMatch(start, end, match["rank"], Decimal(numeral), rank=True))
    return found


def find_figures(text: str) -> list[FigureMatch]:
    """All figures of a paragraph in reading order; spans index the text as given."""
    normalised = _normalise_width(text)
    found = _arabic_figures(normalised) + _rank_figures(normalised)
    found.sort(key=lambda figure: figure.start)
    return [replace(figure, text=text[figure.start : figure.end]) for figure in found]
