"""``build``: load a period, validate it, compute its figures, render the document and working paper."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from chengbei_report.compute.figures import FigureUse
from chengbei_report.findings import Finding, FindingReport
from chengbei_report.guard import guard_outputs
from chengbei_report.periods import Period
from chengbei_report.progress import Progress
from chengbei_report.project import Project, open_project, render_document, stamp
from chengbei_report.render.leaks import refuse_internal_text
from chengbei_report.render.output import deterministic_zip, repair_folder, write_set
from chengbei_report.render.scrub import scrub_document
from chengbei_report.render.template import RenderedDocument
from chengbei_report.render.workpaper import workpaper_rows, write_workpaper


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
    repaired: list[str] = field(default_factory=list)  # an interrupted earlier build, finished

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
            "repaired": self.repaired,
        }


def build_report(
    period: Period,
    *,
    workspace_dir: Path | None = None,
    out_dir: Path | None = None,
    template: Path | None = None,
    pdf: bool = False,
    signed: date | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the work summary of ``period``; nothing is written when the data has errors.

    ``signed`` is the 成文日期 under the signature (else ``[report] date``; else no date line).
    """
    project = open_project(workspace_dir, progress)
    project.require_period(period)
    template_path = project.workspace.template_for(period, template)
    target = project.output_dir(out_dir, "out", period)
    names = _output_paths(project, period, target, pdf)
    root = project.workspace.root
    inputs = [template_path, project.workspace.catalog_path]
    guard_outputs(names, inputs=[*inputs, *_period_files(project, period)], workspace=root)
    findings = FindingReport()
    result = BuildResult(period=period, findings=findings, repaired=repair_folder(target))
    findings.extend(project.validate(period))
    if not findings.ok:
        return result
    rendered = render_document(project, period, template_path, findings)
    if not findings.ok:
        return result
    findings.extend(_validate_other_periods(project, period, rendered))
    if not findings.ok:
        return result
    findings.extend(rendered.findings)
    findings.extend(scrub_document(rendered, template_path, project.workspace.unit))
    contents = _output_bytes(project, period, rendered, signed or project.workspace.signing_date)
    if pdf:  # converted before anything is installed: the three files are one set
        from chengbei_report.render.pdf import font_findings, pdf_bytes

        contents.append(pdf_bytes(contents[0], names[0].name))
        findings.extend(font_findings(names[2].name))
    refuse_internal_text(list(zip(names[:2], contents[:2], strict=True)))
    written = write_set(
        list(zip(names, contents, strict=True)),
        inputs=[template_path, *input_files(project)],
        workspace=root,
    )
    result.document, result.workpaper = written.paths[:2]
    result.pdf = written.paths[2] if pdf else None
    result.repaired.extend(written.repaired)
    result.uses = rendered.uses
    result.figures = len(rendered.uses)
    result.paragraphs = len(rendered.blocks)
    return result


def _output_paths(project: Project, period: Period, target: Path, pdf: bool) -> list[Path]:
    """Where the document, the working paper and (``pdf``) the document's PDF go, in that order."""
    document = target / project.workspace.output_name("document", period)
    paths = [document, target / project.workspace.output_name("workpaper", period)]
    return [*paths, document.with_suffix(".pdf")] if pdf else paths


def _output_bytes(
    project: Project, period: Period, rendered: RenderedDocument, signed: date | None
) -> list[bytes]:
    """The document and the working paper, as bytes, both made before either is written."""
    when = stamp(period)
    title = _title(project, period)
    workpaper = write_workpaper(workpaper_rows(rendered.uses), title=title + "底稿", when=when)
    subject = f"{period.full_label}工作总结"
    document = _document_bytes(project, period, rendered, title, subject, when, signed)
    return [document, deterministic_zip(workpaper, when)]


def _document_bytes(
    project: Project,
    period: Period,
    rendered: RenderedDocument,
    title: str,
    subject: str,
    when: datetime,
    signed: date | None,
) -> bytes:
    office = project.workspace.unit.get("office", "")
    if rendered.docx is not None:
        from chengbei_report.render.docx_template import finish_document

        return finish_document(
            rendered.docx,
            title=title,
            subject=subject,
            author=office,
            when=when,
            official_layout=project.workspace.official_layout,
            signed=signed,
        )
    from chengbei_report.cycle.bindings import from_rendered
    from chengbei_report.render.docx_writer import write_document

    bindings = from_rendered(rendered.blocks, rendered.uses, rendered.labels, period)
    return write_document(
        rendered.blocks,
        title=title,
        subject=subject,
        author=office,
        when=when,
        signed=signed,
        properties=bindings.properties(),
    )


def _title(project: Project, period: Period) -> str:
    return f"{project.workspace.unit_name}{period.full_label}工作总结"


def _validate_other_periods(
    project: Project, period: Period, rendered: RenderedDocument
) -> list[Finding]:
    """Check every other period the document's figures were read from (2022, 2021, 2002 for 2023H1).

    A 2021 workbook copied into the 2022 folder would otherwise put last year's figures
    into the report without a word. Their findings name the period folder with the file.
    """
    used = {
        source.period
        for use in rendered.uses
        for source in use.figure.leaf_sources()
        if source.period is not None and source.period != period
    }
    return [
        replace(finding, file=f"{other.code}/{finding.file}" if finding.file else other.code)
        for other in sorted(used)
        for finding in project.validate(other)
    ]


def _period_files(project: Project, period: Period) -> list[Path]:
    """The files of the period folder, known before any is read."""
    return sorted(p for p in project.workspace.period_dir(period).iterdir() if p.is_file())


def input_files(project: Project) -> list[Path]:
    files = [project.workspace.catalog_path]
    for data in project.loaded_periods():
        files.extend(s.path for s in data.submissions)
    return files
