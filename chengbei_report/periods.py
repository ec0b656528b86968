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

    @property
    def start_month(self) -> int:
        """The first month of the period: 7 for 2023H2, 1 for a whole year."""
        return self.end_month - _MONTHS[self.kind.value] + 1

    def begins_before(self, other: Period) -> bool:
        """Whether this period starts earlier than ``other`` (2022 before 2022H2, not 2022H1)."""
        return (self.year, self.start_month) < (other.year, other.start_month)

    def ends_after(self, other: Period) -> bool:
        """Whether this period ends later than ``other`` (2024H1 after 2023, 2023 not after 2023H2)."""
        return (self.year, self.end_month) > (other.year, other.end_month)

    @property
    def is_year(self) -> bool:
        """A whole year (2023): the annual summary."""
        return self.kind is PeriodKind.YEAR

    @property
    def is_half(self) -> bool:
        """A half-year (2023H1, 2023H2)."""
        return self.kind is PeriodKind.HALF

    @property
    def since_start(self) -> str:
        """``今年来`` when the period starts in January, else ``下半年以来``, ``第三季度以来``, ``7月以来``."""
        if self.start_month == 1:
            return "今年来"
        return f"{self.label}以来"

    @property
    def elapsed(self) -> str:
        """How long the period lasted, as a sentence opens: 半年来, 一年来, 一季度来, 一个月来."""
        return {"H": "半年来", "Y": "一年来", "Q": "一季度来", "M": "一个月来"}[self.kind.value]

    @property
    def next(self) -> Period:
        """The period that follows, of the same kind: 2023H1 → 2023H2, 2023H2 → 2024H1, 2023 → 2024."""
        if self.index < _COUNT[self.kind.value]:
            return Period(self.year, self.kind, self.index + 1)
        return Period(self.year + 1, self.kind, 1)

    @property
    def next_label(self) -> str:
        """What the plans of the last section are for, as the heading names it: 下半年 (after
        2023H1), 2024年 (after 2023H2 or 2023: the coming year), 第三季度, 2024年1月."""
        following = self.next
        if following.year == self.year:
            return following.label
        if self.kind in (PeriodKind.YEAR, PeriodKind.HALF):
            return f"{following.year}年"
        return following.full_label

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
