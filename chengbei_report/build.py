"""``build``: load a period, validate it, compute its figures, render the document and working paper."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from chengbei_report.catalog import Catalog, load_catalog
from chengbei_report.compute.engine import Engine
from chengbei_report.compute.figures import Figure, FigureUse
from chengbei_report.errors import UsageError
from chengbei_report.findings import Finding, FindingReport
from chengbei_report.periods import Period
from chengbei_report.progress import Progress
from chengbei_report.read.period import PeriodData, load_period
from chengbei_report.read.safety import Limits
from chengbei_report.render.leaks import guard_outputs
from chengbei_report.render.output import deterministic_zip, write_all_atomic
from chengbei_report.render.scrub import scrub_document
from chengbei_report.render.template import FigureNamespace, RenderedDocument, render_text_template
from chengbei_report.render.workpaper import WorkpaperRow, write_workpaper
from chengbei_report.workspace import Workspace, open_workspace


@dataclass
class Project:
    """A workspace with its catalog and a figure engine over its period folders."""

    workspace: Workspace
    catalog: Catalog
    engine: Engine
    limits: Limits = field(default_factory=Limits)  # workspace.toml [limits], for every read

    def period_data(self, period: Period) -> PeriodData:
        return self.engine.period_data(period)

    def require_period(self, period: Period) -> Path:
        """The period's submissions folder; a usage error when there is none."""
        folder = self.workspace.period_dir(period)
        if not folder.is_dir():
            raise UsageError(
                f"找不到{period.full_label}的报表目录：{folder}",
                hint="请把各部门报表放进该目录，或用 --workspace 指定工作区。",
            )
        return folder


def open_project(workspace_dir: Path | None, progress: Progress | None = None) -> Project:
    """Open a workspace; ``progress`` hears of every workbook as the engine loads a period."""
    workspace = open_workspace(workspace_dir)
    catalog = load_catalog(workspace.catalog_path)
    limits = Limits.from_config(workspace.limits)

    def load(period: Period) -> PeriodData:
        return load_period(workspace.period_dir(period), period, catalog, progress, limits)

    engine = Engine(catalog, load, unit_name=workspace.unit_name, baseline=workspace.baseline)
    return Project(workspace, catalog, engine, limits)


@dataclass
class BuildResult:
    period: Period
    findings: FindingReport
    document: Path | None = None
    workpaper: Path | None = None
    pdf: Path | None = None
    figures: int = 0
    paragraphs: int = 0
    uses: list[FigureUse] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.findings.ok and self.document is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "period": self.period.code,
            "document": str(self.document) if self.document else None,
            "workpaper": str(self.workpaper) if self.workpaper else None,
            "pdf": str(self.pdf) if self.pdf else None,
            "figures": self.figures,
            "paragraphs": self.paragraphs,
            "findings": self.findings.to_dict(),
        }


def stamp(period: Period) -> datetime:
    """The time written into outputs: the last day of the period, so rebuilds are identical."""
    last_day = calendar.monthrange(period.year, period.end_month)[1]
    return datetime(period.year, period.end_month, last_day, 12, 0, 0)


def template_context(project: Project, period: Period) -> dict[str, Any]:
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


def build_report(
    period: Period,
    *,
    workspace_dir: Path | None = None,
    out_dir: Path | None = None,
    template: Path | None = None,
    pdf: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the work summary of ``period``; nothing is written when the data has errors."""
    from chengbei_report.validate.run import validate_loaded_period

    project = open_project(workspace_dir, progress)
    project.require_period(period)
    findings = FindingReport()
    findings.extend(validate_loaded_period(project, period))
    result = BuildResult(period=period, findings=findings)
    if not findings.ok:
        return result
    template_path = project.workspace.template_for(period, template)
    rendered = render_document(project, period, template_path)
    findings.extend(_validate_other_periods(project, period, rendered))
    if not findings.ok:
        return result
    findings.extend(rendered.findings)
    findings.extend(scrub_document(rendered, template_path, project.workspace.unit))
    target = (out_dir or Path.cwd() / "out" / period.code).resolve()
    outputs = _outputs(project, period, rendered, target)
    guard_outputs(outputs)
    result.document, result.workpaper = write_all_atomic(
        outputs,
        inputs=[template_path, *_input_files(project)],
    )
    result.uses = rendered.uses
    result.figures = len(rendered.uses)
    result.paragraphs = len(rendered.blocks)
    if pdf:
        from chengbei_report.render.pdf import convert_to_pdf

        result.pdf = convert_to_pdf(result.document, target)
    return result


def _outputs(
    project: Project, period: Period, rendered: RenderedDocument, target: Path
) -> list[tuple[Path, bytes]]:
    """The document and the working paper, as bytes, both made before either is written."""
    when = stamp(period)
    title = _title(project, period)
    workpaper = write_workpaper(workpaper_rows(rendered.uses), title=title + "底稿", when=when)
    return [
        (
            target / project.workspace.output_name("document", period),
            _document_bytes(project, rendered, title, when),
        ),
        (
            target / project.workspace.output_name("workpaper", period),
            deterministic_zip(workpaper, when),
        ),
    ]


def render_document(project: Project, period: Period, template_path: Path) -> RenderedDocument:
    if template_path.suffix.lower() == ".docx":
        from chengbei_report.render.docx_template import render_docx_template

        return render_docx_template(template_path, template_context(project, period))
    return render_text_template(template_path, template_context(project, period))


def _document_bytes(
    project: Project, rendered: RenderedDocument, title: str, when: datetime
) -> bytes:
    if rendered.docx is not None:
        return deterministic_zip(rendered.docx, when)
    from chengbei_report.render.docx_writer import write_document

    office = project.workspace.unit.get("office", "")
    return write_document(rendered.blocks, title=title, author=office, when=when)


def _title(project: Project, period: Period) -> str:
    return f"{project.workspace.unit_name}{period.full_label}工作总结"


def _validate_other_periods(
    project: Project, period: Period, rendered: RenderedDocument
) -> list[Finding]:
    """Check every other period the document's figures were read from (2022, 2021, 2002 for 2023H1).

    A 2021 workbook copied into the 2022 folder would otherwise put last year's figures
    into the report without a word. Their findings name the period folder with the file.
    """
    from chengbei_report.validate.run import validate_loaded_period

    used = {
        source.period
        for use in rendered.uses
        for source in use.figure.leaf_sources()
        if source.period is not None and source.period != period
    }
    return [
        replace(finding, file=f"{other.code}/{finding.file}" if finding.file else other.code)
        for other in sorted(used)
        for finding in validate_loaded_period(project, other)
    ]


def _input_files(project: Project) -> list[Path]:
    files = [project.workspace.catalog_path]
    for data in project.engine.loaded_periods():
        files.extend(s.path for s in data.submissions)
    return files


def workpaper_rows(uses: list[FigureUse]) -> list[WorkpaperRow]:
    return [
        WorkpaperRow(
            index=number,
            section=use.section,
            paragraph=use.block + 1,
            text=use.text,
            value=use.figure.value,
            unit=use.figure.unit,
            kind=use.figure.kind,
            indicator=use.figure.code,
            indicator_name=use.figure.name,
            period=use.figure.period.code,
            formula=describe_formula(use.figure),
            sources="；".join(source.describe() for source in use.figure.leaf_sources()),
        )
        for number, use in enumerate(uses, start=1)
    ]


def describe_formula(figure: Figure) -> str:
    """``ratio(a, b)；a（2023H1）= 500人，b（2023H1）= 508人`` — the formula with what went in."""
    if not figure.formula:
        return ""
    inputs = "，".join(f"{f.code}（{f.period.code}）= {f.reader_value()}" for f in figure.inputs)
    return f"{figure.formula}；{inputs}" if inputs else figure.formula
