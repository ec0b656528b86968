"""``check``: is every figure of a hand-edited report still the figure the data gives?"""

from __future__ import annotations

from pathlib import Path

from chengbei_report.compare.check import CheckResult, compare_report, read_paragraphs
from chengbei_report.cycle.document import bindings_of, open_docx
from chengbei_report.cycle.match import Matcher
from chengbei_report.cycle.verify import check_bound, name_candidates
from chengbei_report.periods import Period
from chengbei_report.project import open_project, render_document


def check_report(
    docx: Path, period: Period, *, workspace_dir: Path | None = None, template: Path | None = None
) -> CheckResult:
    """Match every figure of ``docx`` against the figures ``period``'s data gives.

    A document with bindings (built, drafted or bound) is checked by them, any other against
    the template; each 待确认 number names the figure of the period it reads the same as.
    """
    paragraphs = read_paragraphs(docx)
    document = open_docx(docx)
    project = open_project(workspace_dir)
    project.require_period(period)
    matcher = Matcher(project.engine.figure, list(project.catalog.indicators), period)
    bindings = bindings_of(document)
    if bindings is not None:
        return check_bound(docx, document, bindings, project, period, matcher)
    rendered = render_document(project, period, project.workspace.template_for(period, template))
    texts = [block.full_text for block in rendered.blocks]
    result = compare_report(docx, paragraphs, period, texts, rendered.uses)
    return name_candidates(result, paragraphs, matcher)
