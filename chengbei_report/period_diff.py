"""The result of diffing two periods: data that compare makes and render shows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from chengbei_report.decimals import exact_text
from chengbei_report.periods import Period

RELATIVE_PLACES = 2
PERCENT = "%"
POINTS = "百分点"


class Flag(StrEnum):
    NEW = "新增"
    DROPPED = "取消"
    SIGN = "变号"
    THRESHOLD = "超阈值"
    UNIT = "单位变化"
    UNCOMPUTABLE = "无法计算"


@dataclass(frozen=True)
class DiffRow:
    """One indicator in the two periods; ``relative`` is in ``relative_unit`` (% or 百分点).

    ``note`` gives the reason for 无法计算, in Chinese; empty otherwise.
    """

    department: str
    code: str
    name: str
    unit: str
    kind: str
    decimals: int | None
    old: Decimal | None
    new: Decimal | None
    change: Decimal | None
    relative: Decimal | None
    relative_unit: str
    flags: tuple[Flag, ...]
    note: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.flags) or (self.change is not None and self.change != 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "code": self.code,
            "name": self.name,
            "unit": self.unit,
            "kind": self.kind,
            "old": exact_text(self.old),
            "new": exact_text(self.new),
            "change": exact_text(self.change),
            "relative": exact_text(self.relative),
            "relative_unit": self.relative_unit,
            "flags": [flag.value for flag in self.flags],
            "note": self.note,
        }


@dataclass(frozen=True)
class PeriodDiff:
    old: Period
    new: Period
    threshold: Decimal | None
    rows: list[DiffRow]

    @property
    def changed(self) -> list[DiffRow]:
        return [row for row in self.rows if row.changed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old.code,
            "new": self.new.code,
            "threshold": exact_text(self.threshold),
            "indicators": len(self.rows),
            "changed": len(self.changed),
            "rows": [row.to_dict() for row in self.rows],
        }
