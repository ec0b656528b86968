"""``forms``: write a blank form per department that owes figures or ledgers in a period."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from chengbei_report.catalog import Indicator
from chengbei_report.errors import ComputeError
from chengbei_report.guard import guard_outputs
from chengbei_report.periods import Period
from chengbei_report.project import Project, open_project, stamp
from chengbei_report.read.period import submission_files
from chengbei_report.render.forms import due, form_bytes
from chengbei_report.render.output import write_atomic


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


def make_forms(period: Period, *, workspace_dir: Path | None, out_dir: Path | None) -> FormsResult:
    """Write a blank form per department that has indicators or ledgers due in ``period``."""
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
    guard_outputs([path for path, _data in planned], inputs=protected, workspace=root)
    for path, data in planned:
        result.files.append(write_atomic(path, data, inputs=protected, workspace=root))
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
