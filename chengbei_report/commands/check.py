"""``check``: is every figure of a hand-edited report still the figure the data gives?"""

from __future__ import annotations

from pathlib import Path

from chengbei_report.compare.check import CheckResult, compare_report, read_paragraphs
from chengbei_report.periods import Period
from chengbei_report.project import open_project, render_document


def check_report(
    docx: Path, period: Period, *, workspace_dir: Path | None = None, template: Path | None = None
) -> CheckResult:
    """Match every figure of ``docx`` against the figures ``period``'s data gives."""
    paragraphs = read_paragraphs(docx)
    project = open_project(workspace_dir)
    project.require_period(period)
    rendered = render_document(project, period, project.workspace.template_for(period, template))
    texts = [block.full_text for block in rendered.blocks]
    return compare_report(docx, paragraphs, period, texts, rendered.uses)
