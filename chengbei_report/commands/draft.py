"""``draft``: the draft of the next report from the last one (see cycle/draft.py)."""

from __future__ import annotations

from pathlib import Path

from chengbei_report.commands.build import input_files
from chengbei_report.cycle.draft import (
    DraftResult,
    draft_document,
    draft_output_name,
    find_last_report,
)
from chengbei_report.guard import guard_outputs
from chengbei_report.periods import Period, stamp
from chengbei_report.project import open_project
from chengbei_report.render.output import write_atomic


def draft_report(
    period: Period,
    *,
    workspace_dir: Path | None = None,
    source: Path | None = None,
    out_dir: Path | None = None,
) -> DraftResult:
    """Write the draft of ``period`` from ``source`` (default: the last report of its kind)."""
    project = open_project(workspace_dir)
    project.require_period(period)
    origin = (source or find_last_report(project, period, Path.cwd() / "out")).resolve()
    target = project.output_dir(out_dir, "out", period) / draft_output_name(project, period)
    root = project.workspace.root
    protected = [origin, project.workspace.catalog_path]
    guard_outputs([target], inputs=protected, workspace=root)  # before any work is done
    result, data = draft_document(project, period, origin, target, stamp(period))
    write_atomic(target, data, inputs=[origin, *input_files(project)], workspace=root)
    return result
