"""``forms``: write a blank form per department that owes figures or ledgers in a period."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from chengbei_report.catalog import Indicator
from chengbei_report.errors import ComputeError, UsageError
from chengbei_report.guard import guard_outputs
from chengbei_report.periods import Period
from chengbei_report.project import Project, open_project, stamp
from chengbei_report.read.period import submission_files
from chengbei_report.render.forms import due, form_bytes
from chengbei_report.render.output import write_set


@dataclass
class FormsResult:
    period: Period
    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # departments with nothing to report

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.code,
            "files": [str(path) for path in self.files],
            "skipped": self.skipped,
        }


def make_forms(
    period: Period, *, workspace_dir: Path | None, out_dir: Path | None, force: bool = False
) -> FormsResult:
    """Write a blank form per department that has indicators or ledgers due in ``period``.

    The forms are one set (all or none); an existing form may already be filled in, so it is
    replaced only with ``force``.
    """
    project = open_project(workspace_dir)
    target = project.output_dir(out_dir, "forms", period)
    protected = submission_files(project.workspace.period_dir(period))
    result = FormsResult(period)
    planned: list[tuple[Path, bytes]] = []
    for department in project.catalog.departments.values():
        indicators, ledgers = due(project.catalog, department, period)
        if not indicators and not ledgers:
            result.skipped.append(department.name)
            continue
        previous = _previous_values(project, indicators, period)
        when = stamp(period)
        data = form_bytes(
            project.workspace.unit_name, department, period, (indicators, ledgers), previous, when
        )
        name = f"{project.workspace.unit_name}_{period.code}_{department.name}.xlsx"
        planned.append((target / name, data))
    root = project.workspace.root
    resolved = guard_outputs([path for path, _data in planned], inputs=protected, workspace=root)
    existing = [path for path in resolved if path.exists()]
    if existing and not force:
        raise UsageError(
            f"表格 {existing[0]} 已存在（可能已经填写），未生成任何表格"
            + (f"；同目录另有 {len(existing) - 1} 个同名表格。" if len(existing) > 1 else "。"),
            hint="确需重新生成空白表格请加 --force（会覆盖已有表格），或用 --out 指定其他目录。",
        )
    if planned:
        result.files = write_set(planned, inputs=protected, workspace=root).paths
    return result


def _previous_values(
    project: Project, indicators: list[Indicator], period: Period
) -> dict[str, Decimal]:
    """Last period's values, for reference beside each input; missing ones are left out."""
    values: dict[str, Decimal] = {}
    for indicator in indicators:
        try:
            values[indicator.code] = project.engine.figure(indicator.code, period.previous()).value
        except ComputeError:
            continue
    return values
