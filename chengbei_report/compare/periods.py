"""Diff every indicator between two periods: what changed since last year, and by how much.

Rates and ratios change by 百分点 (percentage points), not by a percentage of a percentage.  A
figure whose data is not in a period (no workbook, no row, not due) is absent there, so it shows
as 新增 or 取消; one whose data is there but unusable (a cell reading 约500, a zero divisor) is
flagged 无法计算 with the reason, so a bad cell is never mistaken for a dropped indicator.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum
from pathlib import Path
from typing import Any

from chengbei_report.build import Project, open_project
from chengbei_report.catalog import Indicator
from chengbei_report.compute.change import beyond, relative_change
from chengbei_report.compute.figures import exact_text
from chengbei_report.errors import ComputeError, MissingDataError, UsageError
from chengbei_report.periods import Period
from chengbei_report.render.numbers import round_half_up

RELATIVE_PLACES = 2
PERCENT = "%"
POINTS = "百分点"
_PRECISION = 34
_HUNDRED = Decimal(100)


class Flag(StrEnum):
    NEW = "新增"
    DROPPED = "取消"
    SIGN = "变号"
    THRESHOLD = "超阈值"
    UNIT = "单位变化"
    UNCOMPUTABLE = "无法计算"


@dataclass(frozen=True)
class Observed:
    """An indicator's value in one period, with the 单位 cell of its row when it was reported."""

    value: Decimal
    unit_cell: str | None = None


@dataclass(frozen=True)
class Unusable:
    """An indicator whose data is in a period but cannot be computed there; ``reason`` says why."""

    reason: str


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


def diff_periods(
    old: Period,
    new: Period,
    *,
    workspace_dir: Path | None = None,
    only_changed: bool = False,
    threshold: Decimal | None = None,
) -> PeriodDiff:
    """Every indicator of either period, by department then catalog order.

    ``threshold`` (a fraction: 0.2 = 20%) overrides each indicator's catalog threshold.
    """
    if threshold is not None and threshold < 0:
        raise UsageError(f"阈值不能为负数：{threshold}", hint="例如 --threshold 0.2 表示20%。")
    project = open_project(workspace_dir)
    for period in (old, new):
        project.require_period(period)
    rows = []
    for indicator in _ordered(project):
        before, after = _observe(project, indicator, old), _observe(project, indicator, new)
        if before is None and after is None:
            continue
        row = _row(project, indicator, before, after, threshold)
        if row.changed or not only_changed:
            rows.append(row)
    return PeriodDiff(old=old, new=new, threshold=threshold, rows=rows)


def _ordered(project: Project) -> list[Indicator]:
    """Department order of the catalog, then the catalog order within a department."""
    departments = list(project.catalog.departments)
    indicators = list(project.catalog.indicators.values())
    return sorted(indicators, key=lambda i: departments.index(i.department))


def _observe(project: Project, indicator: Indicator, period: Period) -> Observed | Unusable | None:
    """The value in ``period``; None when the indicator does not exist there."""
    unit_cell = None
    if indicator.derived:
        if not indicator.due_in(period):
            return None
    else:
        found = project.period_data(period).reported(indicator.code, indicator.department)
        if found is None:
            return None
        unit_cell = found[1].unit
    try:
        value = project.engine.figure(indicator.code, period).value
    except MissingDataError:
        return None
    except ComputeError as err:
        return Unusable(f"{period.full_label}：{err.message}")
    return Observed(value, unit_cell)


def _row(
    project: Project,
    indicator: Indicator,
    before: Observed | Unusable | None,
    after: Observed | Unusable | None,
    threshold: Decimal | None,
) -> DiffRow:
    old = before.value if isinstance(before, Observed) else None
    new = after.value if isinstance(after, Observed) else None
    change = relative = None
    if old is not None and new is not None:
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            change = new - old
        relative = relative_change(old, new, indicator.kind)
    reasons = [seen.reason for seen in (before, after) if isinstance(seen, Unusable)]
    limit = threshold if threshold is not None else indicator.threshold
    return DiffRow(
        department=project.catalog.departments[indicator.department].name,
        code=indicator.code,
        name=indicator.name,
        unit=indicator.unit,
        kind=indicator.kind,
        decimals=indicator.decimals,
        old=old,
        new=new,
        change=change,
        relative=None if relative is None else round_half_up(relative, RELATIVE_PLACES),
        relative_unit=POINTS if indicator.kind == "ratio" else PERCENT,
        flags=_flags(before, after, relative, limit),
        note="；".join(reasons),
    )


def _flags(
    before: Observed | Unusable | None,
    after: Observed | Unusable | None,
    relative: Decimal | None,
    limit: Decimal | None,
) -> tuple[Flag, ...]:
    """无法计算 first: a bad cell must not read as 新增 or 取消."""
    if isinstance(before, Unusable) or isinstance(after, Unusable):
        return (Flag.UNCOMPUTABLE,)
    if before is None:
        return (Flag.NEW,)
    if after is None:
        return (Flag.DROPPED,)
    flags = []
    if before.value * after.value < 0:
        flags.append(Flag.SIGN)
    if beyond(relative, limit):
        flags.append(Flag.THRESHOLD)
    if before.unit_cell != after.unit_cell:  # both None for a derived indicator
        flags.append(Flag.UNIT)
    return tuple(flags)
