"""The project every command opens: workspace, catalog, figure engine, limits and period folders.

Engines are made here and nowhere else, so a command never wires a catalog to a loader itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from chengbei_report.catalog import Catalog, load_catalog
from chengbei_report.compute.engine import Engine
from chengbei_report.errors import UsageError
from chengbei_report.findings import Finding
from chengbei_report.periods import Period
from chengbei_report.periods import stamp as stamp  # outputs are stamped with the period
from chengbei_report.progress import Progress
from chengbei_report.read.period import PeriodData, is_workbook_file, load_period
from chengbei_report.read.safety import Limits
from chengbei_report.read.submission import Submission, cell_decimal
from chengbei_report.render.sandbox import RenderLimits
from chengbei_report.render.template import FigureNamespace, RenderedDocument, render_text_template
from chengbei_report.validate.context import CheckContext
from chengbei_report.validate.run import validate_period
from chengbei_report.workspace import Workspace, open_workspace


@dataclass
class Project:
    """A workspace with its catalog and a figure engine over its period folders."""

    workspace: Workspace
    catalog: Catalog
    engine: Engine
    limits: Limits = field(default_factory=Limits)  # workspace.toml [limits], for every read
    progress: Progress | None = None

    def period_data(self, period: Period) -> PeriodData:
        return cast(PeriodData, self.engine.period_data(period))

    def loaded_periods(self) -> list[PeriodData]:
        return cast(list[PeriodData], self.engine.loaded_periods())

    def require_period(self, period: Period) -> Path:
        """The period's submissions folder; a usage error when there is none."""
        folder = self.workspace.period_dir(period)
        if not folder.is_dir():
            raise UsageError(
                f"找不到{period.full_label}的报表目录：{folder}",
                hint="请把各部门报表放进该目录，或用 --workspace 指定工作区。",
            )
        return folder

    def load(self, period: Period) -> PeriodData:
        """Read ``period``'s folder from disk (the engine caches what this returns)."""
        folder = self.workspace.period_dir(period)
        return load_period(folder, period, self.catalog, self.progress, self.limits)

    def engine_over(self, period: Period | None, group: Sequence[Submission]) -> Engine:
        """An engine that sees ``group`` as ``period``'s data and the workspace for other periods."""

        def load(wanted: Period) -> PeriodData:
            if wanted != period:
                folder = self.workspace.period_dir(wanted)
                return load_period(folder, wanted, self.catalog, limits=self.limits)
            data = PeriodData(
                period=wanted, folder=self.workspace.period_dir(wanted), submissions=list(group)
            )
            for submission in group:
                if submission.department is not None and is_workbook_file(submission.path):
                    data.by_department.setdefault(submission.department.code, submission)
            return data

        return make_engine(self.workspace, self.catalog, load)

    def check_context(self, period: Period | None, engine: Engine | None = None) -> CheckContext:
        """What every check needs to know; the project's engine unless another is given."""
        return CheckContext(
            catalog=self.catalog,
            engine=engine or self.engine,
            period=period,
            unit_name=self.workspace.unit_name,
            baseline=self.workspace.baseline,
            max_value=Decimal(self.limits.max_value),
            first=self.workspace.first,
        )

    def validate(self, period: Period) -> list[Finding]:
        """All findings for ``period``'s folder, read through the project's engine."""
        return validate_period(self.check_context(period), self.period_data(period))

    def output_dir(self, out_dir: Path | None, default: str, period: Period) -> Path:
        """``out_dir`` as given, or ``./<default>/<period>/`` of the working directory.

        Not resolved: the output guard resolves it and names it in its messages as the user wrote it.
        """
        return out_dir or Path.cwd() / default / period.code


def make_engine(workspace: Workspace, catalog: Catalog, load: Any) -> Engine:
    """The one place an engine is made: the workspace's unit and baseline, cells read as read/ does."""
    return Engine(
        catalog,
        load,
        unit_name=workspace.unit_name,
        baseline=workspace.baseline,
        number=cell_decimal,
    )


def open_project(workspace_dir: Path | None, progress: Progress | None = None) -> Project:
    """Open a workspace; ``progress`` hears of every workbook as the engine loads a period."""
    workspace = open_workspace(workspace_dir)
    catalog = load_catalog(workspace.catalog_path)
    limits = Limits.from_config(workspace.limits)
    project = Project(workspace, catalog, cast(Engine, None), limits, progress)
    project.engine = make_engine(workspace, catalog, project.load)
    return project


def template_context(project: Project, period: Period) -> dict[str, Any]:
    """What a template can name (docs/formats.md, "Template context")."""
    indicators = project.catalog.indicators
    codes = set(indicators)

    def due(code: str, when: Period) -> bool:
        return indicators[code].due_in(when)

    return {
        "cur": FigureNamespace(project.engine.figure, codes, period, due),
        "year": FigureNamespace(project.engine.figure, codes, period.last_full_year(), due),
        "unit": dict(project.workspace.unit),
        "period": period,
        "baseline": project.workspace.baseline,
    }


def render_document(
    project: Project, period: Period, template_path: Path, findings: Any = None
) -> RenderedDocument:
    """The document in memory from a .md.j2 or .docx template, or a bound .docx (build and
    check share it).

    Includes come only from the workspace's and the built-in templates; the render is bounded.
    A bound .docx's problems (a figure overwritten by hand, one without data) go to
    ``findings``, a FindingReport.
    """
    from chengbei_report.cycle.fill import fill_bound, is_bound

    if is_bound(template_path):
        rendered, problems = fill_bound(project, period, template_path)
        if findings is not None:
            findings.extend(problems)
        return rendered
    roots = project.workspace.template_roots
    limits = RenderLimits(seconds=project.limits.max_render_seconds)
    context = template_context(project, period)
    if template_path.suffix.lower() == ".docx":
        from chengbei_report.render.docx_template import render_docx_template

        return render_docx_template(template_path, context, roots, limits)
    return render_text_template(template_path, context, roots, limits)
