"""``bind``: an edited draft becomes the template of the next build (see cycle/bind.py)."""

from __future__ import annotations

from pathlib import Path

from chengbei_report.commands.build import input_files
from chengbei_report.cycle.bind import BindResult, bind_document, bound_output_name
from chengbei_report.guard import guard_outputs
from chengbei_report.periods import Period, stamp
from chengbei_report.project import open_project
from chengbei_report.render.output import write_atomic


def bind_report(
    docx: Path,
    period: Period,
    *,
    workspace_dir: Path | None = None,
    out: Path | None = None,
) -> BindResult:
    """Bind ``docx`` for ``period`` and write the bound copy (never over the input)."""
    project = open_project(workspace_dir)
    project.require_period(period)
    target = (out or docx.parent / bound_output_name(docx)).resolve()
    root = project.workspace.root
    guard_outputs([target], inputs=[docx, project.workspace.catalog_path], workspace=root)
    result, data = bind_document(project, period, docx.resolve(), target, stamp(period))
    write_atomic(target, data, inputs=[docx, *input_files(project)], workspace=root)
    return result
