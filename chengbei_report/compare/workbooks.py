"""Diff two versions of one department's workbook: what a resubmission changed.

Indicator rows are matched by their code, ledger rows by the ledger's key column, so inserting
or sorting rows is not a change; a key that repeats is matched by its occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from chengbei_report.catalog import Catalog, load_catalog
from chengbei_report.decimals import exact_text
from chengbei_report.errors import UsageError
from chengbei_report.read.period import load_submission
from chengbei_report.read.safety import Limits
from chengbei_report.read.submission import (
    LedgerRow,
    LedgerTable,
    ReportedValue,
    Submission,
    number_from_cell,
)
from chengbei_report.read.workbook import CellValue
from chengbei_report.workspace import open_workspace


class Status(StrEnum):
    ADDED = "新增"
    REMOVED = "删除"
    CHANGED = "修改"


@dataclass(frozen=True)
class IndicatorChange:
    """One 指标 row whose value (or 单位 cell) differs; cells are A1 addresses on 指标."""

    code: str
    name: str
    status: Status
    old: Decimal | None
    new: Decimal | None
    old_text: str
    new_text: str
    old_cell: str
    new_cell: str
    old_unit: str
    new_unit: str
    unit: str = ""  # the catalog's, for a row whose 单位 cell is blank

    @property
    def unit_changed(self) -> bool:
        """Both versions have the row and their 单位 differ (68000000 元 → 6800 万元)."""
        return self.status is Status.CHANGED and self.shown_unit("old") != self.shown_unit("new")

    def shown_unit(self, side: str) -> str:
        """The unit a version's value is in: its 单位 cell, else the catalog's."""
        return (self.old_unit if side == "old" else self.new_unit) or self.unit

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "status": self.status.value,
            "old": exact_text(self.old),
            "new": exact_text(self.new),
            "old_text": self.old_text,
            "new_text": self.new_text,
            "old_cell": self.old_cell,
            "new_cell": self.new_cell,
            "old_unit": self.old_unit,
            "new_unit": self.new_unit,
            "unit": self.unit,
            "unit_changed": self.unit_changed,
        }


@dataclass(frozen=True)
class ColumnChange:
    column: str
    old: str
    new: str

    def to_dict(self) -> dict[str, str]:
        return {"column": self.column, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class LedgerRowChange:
    """A ledger row added, removed or changed; ``values`` is the row as it stands (or stood)."""

    ledger: str
    sheet: str
    key: str
    status: Status
    old_row: int | None
    new_row: int | None
    columns: tuple[ColumnChange, ...] = ()
    values: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ledger": self.ledger,
            "sheet": self.sheet,
            "key": self.key,
            "status": self.status.value,
            "old_row": self.old_row,
            "new_row": self.new_row,
            "columns": [c.to_dict() for c in self.columns],
            "values": dict(self.values),
        }


@dataclass
class WorkbookDiff:
    old: Path
    new: Path
    department: str
    indicators: list[IndicatorChange]
    ledger_rows: list[LedgerRowChange]

    @property
    def changed(self) -> bool:
        return bool(self.indicators or self.ledger_rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": str(self.old),
            "new": str(self.new),
            "department": self.department,
            "changed": self.changed,
            "indicators": [c.to_dict() for c in self.indicators],
            "ledger_rows": [r.to_dict() for r in self.ledger_rows],
        }


def diff_workbooks(old: Path, new: Path, *, workspace_dir: Path | None = None) -> WorkbookDiff:
    """Compare two versions of one department's workbook, both read with the workspace catalog."""
    workspace = open_workspace(workspace_dir)
    catalog = load_catalog(workspace.catalog_path)
    limits = Limits.from_config(workspace.limits)
    before, after = _load(old, catalog, limits), _load(new, catalog, limits)
    assert before.department is not None and after.department is not None
    if before.department != after.department:
        raise UsageError(
            f"两份报表不是同一部门：{old.name} 是“{before.department.name}”，"
            f"{new.name} 是“{after.department.name}”。",
            hint="工作簿对比用于同一部门报表的两个版本；对比两个报告期请用 diff 2022H1 2023H1。",
        )
    return WorkbookDiff(
        old=old,
        new=new,
        department=after.department.name,
        indicators=_indicator_changes(before, after, catalog),
        ledger_rows=_ledger_changes(before, after),
    )


def _load(path: Path, catalog: Catalog, limits: Limits) -> Submission:
    """One version, read as validate reads it; every refusal names the file and the reason."""
    if not path.is_file():
        raise UsageError(f"找不到报表文件：{path}")
    submission = load_submission(path, catalog, limits)
    unreadable = submission.workbook is None and submission.findings
    if unreadable:
        found = submission.findings[0]
        raise UsageError(f"无法读取 {path}：{found.message}", hint=found.hint or None)
    if submission.department is None:
        raise UsageError(
            f"无法识别 {path} 的部门：“指标”表表头的“部门”一栏不是指标目录中的部门。",
            hint="“指标”表表头的“部门”一栏应填写指标目录中的部门名称。",
        )
    return submission


def _indicator_changes(
    before: Submission, after: Submission, catalog: Catalog
) -> list[IndicatorChange]:
    order = list(catalog.indicators)
    codes = sorted(
        before.values.keys() | after.values.keys(),
        key=lambda code: (order.index(code) if code in order else len(order), code),
    )
    changes = []
    for code in codes:
        old, new = before.values.get(code), after.values.get(code)
        status = _indicator_status(old, new)
        if status is None:
            continue
        indicator = catalog.indicators.get(code)
        changes.append(
            IndicatorChange(
                code=code,
                name=indicator.name if indicator else "",
                status=status,
                old=old.value if old else None,
                new=new.value if new else None,
                old_text=_cell_text(old.raw) if old else "",
                new_text=_cell_text(new.raw) if new else "",
                old_cell=old.cell if old else "",
                new_cell=new.cell if new else "",
                old_unit=old.unit if old else "",
                new_unit=new.unit if new else "",
                unit=indicator.unit if indicator else "",
            )
        )
    return changes


def _indicator_status(old: ReportedValue | None, new: ReportedValue | None) -> Status | None:
    if old is None:
        return Status.ADDED
    if new is None:
        return Status.REMOVED
    same_value = old.value == new.value if old.value is not None else _same(old.raw, new.raw)
    return None if same_value and old.unit == new.unit else Status.CHANGED


def _ledger_changes(before: Submission, after: Submission) -> list[LedgerRowChange]:
    changes: list[LedgerRowChange] = []
    for code in [*before.ledgers, *(c for c in after.ledgers if c not in before.ledgers)]:
        changes.extend(_table_changes(before.ledgers.get(code), after.ledgers.get(code)))
    return changes


def _keyed(table: LedgerTable | None) -> dict[tuple[str, int], LedgerRow]:
    """Rows by (key text, occurrence), so a repeated key pairs first with first."""
    if table is None:
        return {}
    seen: dict[str, int] = {}
    keyed = {}
    for row in table.rows:
        key = _cell_text(row.values.get(table.ledger.key))
        seen[key] = seen.get(key, 0) + 1
        keyed[(key, seen[key])] = row
    return keyed


def _table_changes(old: LedgerTable | None, new: LedgerTable | None) -> list[LedgerRowChange]:
    table = new or old
    assert table is not None
    before, after = _keyed(old), _keyed(new)
    changes = []
    for key in [*before, *(k for k in after if k not in before)]:
        old_row, new_row = before.get(key), after.get(key)
        columns: tuple[ColumnChange, ...] = ()
        if old_row is not None and new_row is not None:
            columns = _column_changes(old_row, new_row)
            if not columns:
                continue
        shown = new_row or old_row
        assert shown is not None
        changes.append(
            LedgerRowChange(
                ledger=table.ledger.name,
                sheet=table.sheet,
                key=key[0],
                status=_row_status(old_row, new_row),
                old_row=old_row.row if old_row else None,
                new_row=new_row.row if new_row else None,
                columns=columns,
                values={name: _cell_text(value) for name, value in shown.values.items()},
            )
        )
    return changes


def _row_status(old: LedgerRow | None, new: LedgerRow | None) -> Status:
    if old is None:
        return Status.ADDED
    return Status.REMOVED if new is None else Status.CHANGED


def _column_changes(old: LedgerRow, new: LedgerRow) -> tuple[ColumnChange, ...]:
    names = [*old.values, *(n for n in new.values if n not in old.values)]
    return tuple(
        ColumnChange(name, _cell_text(old.values.get(name)), _cell_text(new.values.get(name)))
        for name in names
        if not _same(old.values.get(name), new.values.get(name))
    )


def _normal(value: CellValue) -> object:
    """One value, one form: 3 and 3.0 are equal, a midnight datetime is its date."""
    number = number_from_cell(value)
    if number is not None:
        return number
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    if isinstance(value, str):
        return value.strip() or None
    return value


def _same(old: CellValue, new: CellValue) -> bool:
    return _normal(old) == _normal(new)


def _cell_text(value: CellValue) -> str:
    """How a cell reads: numbers exact, dates ISO, text as typed."""
    normal = _normal(value)
    if normal is None:
        return ""
    if isinstance(normal, Decimal):
        return exact_text(normal)
    if isinstance(normal, date | datetime):
        return normal.isoformat()
    return str(normal)
