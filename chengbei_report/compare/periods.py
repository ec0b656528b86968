"""Diff every indicator between two periods: what changed since last year, and by how much.

Rates and ratios change by 百分点 (percentage points), not by a percentage of a percentage.  A
figure whose data is not in a period (no workbook, no row, not due) is absent there, so it shows
as 新增 or 取消; one whose data is there but unusable (a cell reading 约500, a zero divisor) is
flagged 无法计算 with the reason, so a bad cell is never mistaken for a dropped indicator.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from chengbei_report.catalog import Catalog, Indicator
from chengbei_report.compute.change import beyond, relative_change
from chengbei_report.compute.engine import Engine
from chengbei_report.decimals import exact_context, round_half_up
from chengbei_report.errors import ComputeError, MissingDataError
from chengbei_report.period_diff import PERCENT, POINTS, RELATIVE_PLACES, DiffRow, Flag, PeriodDiff
from chengbei_report.periods import Period


@dataclass(frozen=True)
class Observed:
    """An indicator's value in one period, with the 单位 cell of its row when it was reported."""

    value: Decimal
    unit_cell: str | None = None


@dataclass(frozen=True)
class Unusable:
    """An indicator whose data is in a period but cannot be computed there; ``reason`` says why."""

    reason: str


def compare_periods(
    catalog: Catalog,
    engine: Engine,
    old: Period,
    new: Period,
    *,
    only_changed: bool = False,
    threshold: Decimal | None = None,
) -> PeriodDiff:
    """Every indicator of either period, by department then catalog order.

    ``threshold`` (a fraction: 0.2 = 20%) overrides each indicator's catalog threshold.
    """
    rows = []
    for indicator in _ordered(catalog):
        before, after = _observe(engine, indicator, old), _observe(engine, indicator, new)
        if before is None and after is None:
            continue
        row = _row(catalog, indicator, before, after, threshold)
        if row.changed or not only_changed:
            rows.append(row)
    return PeriodDiff(old=old, new=new, threshold=threshold, rows=rows)


def _ordered(catalog: Catalog) -> list[Indicator]:
    """Department order of the catalog, then the catalog order within a department."""
    departments = list(catalog.departments)
    indicators = list(catalog.indicators.values())
    return sorted(indicators, key=lambda i: departments.index(i.department))


def _observe(engine: Engine, indicator: Indicator, period: Period) -> Observed | Unusable | None:
    """The value in ``period``; None when the indicator does not exist there."""
    unit_cell = None
    if indicator.derived:
        if not indicator.due_in(period):
            return None
    else:
        found = engine.period_data(period).reported(indicator.code, indicator.department)
        if found is None:
            return None
        unit_cell = found[1].unit
    try:
        value = engine.figure(indicator.code, period).value
    except MissingDataError:
        return None
    except ComputeError as err:
        return Unusable(f"{period.full_label}：{err.message}")
    return Observed(value, unit_cell)


def _row(
    catalog: Catalog,
    indicator: Indicator,
    before: Observed | Unusable | None,
    after: Observed | Unusable | None,
    threshold: Decimal | None,
) -> DiffRow:
    old = before.value if isinstance(before, Observed) else None
    new = after.value if isinstance(after, Observed) else None
    change = relative = None
    if old is not None and new is not None:
        with exact_context():
            change = new - old
        relative = relative_change(old, new, indicator.kind)
    reasons = [seen.reason for seen in (before, after) if isinstance(seen, Unusable)]
    limit = threshold if threshold is not None else indicator.threshold
    return DiffRow(
        department=catalog.departments[indicator.department].name,
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
