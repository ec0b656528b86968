"""Reporting periods: 2023H1, 2023Q2, 2023M06 and 2023 (a whole year), with their Chinese labels."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chengbei_report.errors import UsageError

ACCEPTED_FORMS = "2023H1（半年）、2023Q2（季度）、2023M06（月）、2023（全年）"

_CODE = re.compile(r"^(\d{4})(?:([HQM])(\d{1,2}))?$")
_LABEL = re.compile(r"^(\d{4})年(上半年|下半年|第[一二三四]季度|(\d{1,2})月|全年|年度)?$")
_CN_DIGITS = "零一二三四五六七八九十"
_COUNT = {"H": 2, "Q": 4, "M": 12, "Y": 1}
_MONTHS = {"H": 6, "Q": 3, "M": 1, "Y": 12}


class PeriodKind(StrEnum):
    YEAR = "Y"
    HALF = "H"
    QUARTER = "Q"
    MONTH = "M"


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period; ``index`` is 1-based within the year (always 1 for a year)."""

    year: int
    kind: PeriodKind
    index: int = 1

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse a period code or a Chinese label such as ``2023年上半年``."""
        cleaned = str(text).strip().upper()
        match = _CODE.match(cleaned)
        if match:
            year, kind, index = match.groups()
            if kind is None:
                return cls(int(year), PeriodKind.YEAR)
            number = int(index)
            if 1 <= number <= _COUNT[kind] and not (kind != "M" and len(index) > 1):
                return cls(int(year), PeriodKind(kind), number)
        label = _LABEL.match(str(text).strip())
        if label:
            return cls._from_label(int(label.group(1)), label.group(2), label.group(3))
        raise UsageError(
            f"无法识别的报告期“{text}”。",
            hint=f"可用的写法：{ACCEPTED_FORMS}，或“2023年上半年”这样的中文写法。",
        )

    @classmethod
    def _from_label(cls, year: int, part: str | None, month: str | None) -> Period:
        if part in (None, "全年", "年度"):
            return cls(year, PeriodKind.YEAR)
        if part == "上半年":
            return cls(year, PeriodKind.HALF, 1)
        if part == "下半年":
            return cls(year, PeriodKind.HALF, 2)
        if month is not None:
            number = int(month)
            if 1 <= number <= 12:
                return cls(year, PeriodKind.MONTH, number)
            raise UsageError(
                f"无法识别的报告期“{year}年{part}”。", hint=f"可用的写法：{ACCEPTED_FORMS}"
            )
        return cls(year, PeriodKind.QUARTER, _CN_DIGITS.index(part[1]))

    @property
    def code(self) -> str:
        if self.kind is PeriodKind.YEAR:
            return str(self.year)
        if self.kind is PeriodKind.MONTH:
            return f"{self.year}M{self.index:02d}"
        return f"{self.year}{self.kind.value}{self.index}"

    @property
    def label(self) -> str:
        """The part after the year: 上半年, 第二季度, 6月, 全年."""
        if self.kind is PeriodKind.HALF:
            return "上半年" if self.index == 1 else "下半年"
        if self.kind is PeriodKind.QUARTER:
            return f"第{_CN_DIGITS[self.index]}季度"
        if self.kind is PeriodKind.MONTH:
            return f"{self.index}月"
        return "全年"

    @property
    def full_label(self) -> str:
        """``2023年上半年``; a whole year is ``2023年``."""
        if self.kind is PeriodKind.YEAR:
            return f"{self.year}年"
        return f"{self.year}年{self.label}"

    @property
    def end_month(self) -> int:
        return self.index * _MONTHS[self.kind.value]

    def same_period_last_year(self) -> Period:
        return Period(self.year - 1, self.kind, self.index)

    def previous(self) -> Period:
        """The period just before: 2023H1 → 2022H2, 2023M01 → 2022M12, 2023 → 2022."""
        if self.index > 1:
            return Period(self.year, self.kind, self.index - 1)
        return Period(self.year - 1, self.kind, _COUNT[self.kind.value])

    def last_full_year(self) -> Period:
        """The last whole year complete when this period ends: 2022 for 2023H1, 2023 for 2023H2."""
        year = self.year if self.end_month == 12 else self.year - 1
        return Period(year, PeriodKind.YEAR)

    def __str__(self) -> str:
        return self.code


def stamp(period: Period) -> datetime:
    """The time written into outputs: the last day of the period, so rebuilds are identical."""
    last_day = calendar.monthrange(period.year, period.end_month)[1]
    return datetime(period.year, period.end_month, last_day, 12, 0, 0)
