"""``build --template BOUND.docx``: a document with our bindings is refreshed, not run through Jinja.

Every paragraph stays as the person wrote it; each bound figure gets the period's value. A bound
figure a person overwrote, or one the period has no value for, is an error finding (as ``check``
reports 不符), so nothing is silently replaced, kept or left stale in a published report.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from chengbei_report.codes import CYCLE_FIGURE_MISSING, CYCLE_FIGURE_OVERWRITTEN
from chengbei_report.compute.figures import FigureUse
from chengbei_report.cycle import docx_text
from chengbei_report.cycle.bindings import BindingSet
from chengbei_report.cycle.document import bindings_of, open_docx, store_bindings
from chengbei_report.cycle.refresh import Outcome, format_figure, refresh, retitle
from chengbei_report.findings import Finding
from chengbei_report.periods import Period
from chengbei_report.render.blocks import Block, BlockKind
from chengbei_report.render.template import RenderedDocument

_HEADING1 = re.compile(r"^[一二三四五六七八九十]+、")
_HEADING2 = re.compile(r"^（[一二三四五六七八九十]+）")


def is_bound(path: Path) -> bool:
    """Whether ``path`` is a .docx with our bindings (a draft, a bound file, a built report)."""
    if path.suffix.lower() != ".docx" or not path.is_file():
        return False
    try:
        return bindings_of(open_docx(path)) is not None
    except Exception:
        return False


def fill_bound(project: Any, period: Period, path: Path) -> tuple[RenderedDocument, list[Finding]]:
    """The refreshed document (bytes, paragraphs, figure uses) and its problems as findings."""
    document = open_docx(path)
    bindings: BindingSet = bindings_of(document)  # type: ignore[assignment]
    docx_text.remove_own_comments(document)
    body = document.element.body
    old = bindings.period
    refreshed = refresh(body, bindings, project.engine.figure, project.catalog, period)
    paragraphs = docx_text.body_paragraphs(body)
    blocks, sections = _blocks(paragraphs)
    uses, findings = [], []
    for item in refreshed:
        where = f"第{item.paragraph}段"
        if item.outcome is Outcome.OVERWRITTEN:
            expected = _expected(item, period)
            message = f"{where}绑定的数字“{item.label}”被手工改写：{item.reason}{expected}。"
            findings.append(
                CYCLE_FIGURE_OVERWRITTEN.make(message, file=path.name, indicator=item.binding.code)
            )
        elif item.outcome is Outcome.MISSING:
            message = f"{where}的“{item.label}”在{period.full_label}没有数据：{item.reason}"
            findings.append(
                CYCLE_FIGURE_MISSING.make(message, file=path.name, indicator=item.binding.code)
            )
        elif item.figure is not None:
            block = item.paragraph - 1
            uses.append(FigureUse(item.figure, item.new_text, block, sections[block]))
    retitle(document, old, period)
    store_bindings(document, bindings)
    buffer = io.BytesIO()
    document.save(buffer)
    return RenderedDocument(blocks, uses, docx=buffer.getvalue()), findings


def _expected(item: Any, period: Period) -> str:
    if item.figure is None:
        return ""
    return f"；按{period.full_label}数据应为“{format_figure(item.binding, item.figure)}”"


def _blocks(paragraphs: list[Any]) -> tuple[list[Block], list[str]]:
    blocks, sections = [], []
    heading1 = heading2 = ""
    for paragraph in paragraphs:
        text = docx_text.paragraph_text(paragraph).strip()
        if _HEADING1.match(text):
            heading1, heading2 = text[: text.index("、") + 1], ""
        elif _HEADING2.match(text):
            heading2 = text[: text.index("）") + 1]
        blocks.append(Block(BlockKind.PARAGRAPH, text))
        sections.append(heading1 + heading2)
    return blocks, sections
