"""Write a period's values into the bound figures of a .docx, in place, and say what happened.

Each bookmark of ours is looked up in the bindings; its text is compared with the text the
binding says was written. When the person left it alone (or typed around it) the figure is
replaced with the period's value; when they overwrote it, it is left as they wrote it and
reported, never silently replaced or kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from lxml.etree import _Element

from chengbei_report.compute.figures import Figure
from chengbei_report.cycle import docx_text
from chengbei_report.cycle.bindings import Binding, BindingSet
from chengbei_report.errors import ReportError
from chengbei_report.periods import Period
from chengbei_report.read.numbers_text import find_figures
from chengbei_report.render import numbers
from chengbei_report.render.template import _MARK, Recorder


class Outcome(StrEnum):
    SAME = "未变"
    CHANGED = "变化"
    MISSING = "缺数据"
    OVERWRITTEN = "被改写"
    DELETED = "已删除"  # a person deleted the figure's text; its binding goes


@dataclass
class Refreshed:
    """One bound figure after the refresh; ``paragraph`` counts as ``check`` does, from 1."""

    binding: Binding
    paragraph: int
    element: _Element
    old_text: str
    new_text: str
    outcome: Outcome
    figure: Figure | None = None
    reason: str = ""
    start: int = 0  # offsets of the figure's text in the paragraph after the refresh
    end: int = 0
    name: str = ""  # the indicator's name, from the catalog

    @property
    def label(self) -> str:
        """What the figure is, for messages: its indicator name, or 年份."""
        return self.name or "年份"

    @property
    def missing(self) -> bool:
        """No value in the period: the document shows a placeholder instead."""
        return self.outcome is Outcome.MISSING

    def to_dict(self) -> dict[str, Any]:
        return {
            "paragraph": self.paragraph,
            "bookmark": self.binding.name,
            "indicator": self.binding.code,
            "indicator_name": self.name,
            "namespace": self.binding.namespace,
            "old_text": self.old_text,
            "new_text": self.new_text,
            "outcome": self.outcome.value,
            "reason": self.reason,
        }


def placeholder(name: str) -> str:
    return f"【缺：{name}】"


def format_binding(binding: Binding, lookup: Any, period: Period) -> tuple[str, Figure | None]:
    """The text ``binding`` shows in a report of ``period``; ReportError when it has no value."""
    target = binding.period_for(period)
    if binding.is_label:
        return numbers.format_year(target.year), None
    figure = lookup(binding.code, target)
    return format_figure(binding, figure), figure


def format_figure(binding: Binding, figure: Figure) -> str:
    """``figure`` written by the binding's filter call, without the template's marks."""
    marked = getattr(Recorder(), str(binding.call[0]))(figure, *binding.call[1:])
    return _MARK.sub(lambda m: m.group(2), marked)


def locate(mark: docx_text.Bookmark, binding: Binding) -> tuple[int, int] | None:
    """Where the binding's text is: inside its bookmark, or starting where the bookmark starts.

    LibreOffice 7.4 may end a bookmark a character early when a comment precedes it in the
    paragraph; its start is reliable, so text that begins there as written is still the figure
    (and the bookmark is put right). None when a person overwrote the figure.
    """
    if not binding.text:
        return None
    full = docx_text.paragraph_text(mark.paragraph)
    inside = full[mark.start : mark.end]
    if inside.count(binding.text) == 1:
        start = mark.start + inside.index(binding.text)
        return start, start + len(binding.text)
    if full.startswith(binding.text, mark.start):
        end = mark.start + len(binding.text)
        docx_text.reset_bookmark(mark.paragraph, binding.name, mark.start, end)
        return mark.start, end
    return None


_MIN_CONTEXT = 3  # characters of context that must match before a lost figure is found again


def reanchor(body: _Element, bindings: BindingSet) -> None:
    """Bookmarks for bound figures that lost theirs, found again by the words around them.

    Word deletes a bookmark whose whole text is typed over, and retyping a paragraph leaves
    its bookmarks empty; the binding's context (the words before and after the figure when it
    was last written) finds the text that now stands there, so an overwritten figure is still
    reported, never silently dropped. A figure whose words changed too is taken as deleted.
    """
    marks = {m.name: m for m in docx_text.bookmarks(body)}
    lost = [
        b
        for name, b in bindings.bindings.items()
        if (name not in marks or deleted(marks[name])) and len(b.before + b.after) >= _MIN_CONTEXT
    ]
    if not lost:
        return
    paragraphs = docx_text.body_paragraphs(body)
    ident = docx_text.next_bookmark_id(body)
    for binding in lost:
        pattern = re.compile(re.escape(binding.before) + "(.{1,30}?)" + re.escape(binding.after))
        for paragraph in paragraphs:
            found = pattern.search(docx_text.paragraph_text(paragraph))
            if found and _figure_like(found.group(1), binding):
                if binding.name in marks:
                    docx_text.remove_bookmark(marks[binding.name].paragraph, binding.name)
                docx_text.wrap_bookmark(paragraph, *found.span(1), binding.name, ident)
                ident += 1
                break


def _figure_like(text: str, binding: Binding) -> bool:
    """Whether ``text`` can stand where the figure stood: its own text, one figure, a placeholder."""
    if text == binding.text or text.startswith("【缺："):
        return True
    found = find_figures(text)
    return len(found) == 1 and found[0].text == text


def deleted(mark: docx_text.Bookmark) -> bool:
    """A bookmark left empty: the person deleted the figure (Word keeps the collapsed mark)."""
    return mark.start == mark.end


def retitle(document: Any, old: Period, new: Period) -> None:
    """The title names the period: 2023年上半年 → 2024年上半年 (first paragraph and properties)."""
    paragraphs = docx_text.body_paragraphs(document.element.body)
    if paragraphs and old != new:
        title = paragraphs[0]
        text = docx_text.paragraph_text(title)
        at = text.find(old.full_label)
        if at >= 0:
            docx_text.replace_text(title, at, at + len(old.full_label), new.full_label)
    props = document.core_properties
    props.title = (props.title or "").replace(old.full_label, new.full_label)


def indicator_name(catalog: Any, code: str) -> str:
    indicator = catalog.indicators.get(code)
    return indicator.name if indicator else code


def refresh(
    body: _Element, bindings: BindingSet, lookup: Any, catalog: Any, period: Period
) -> list[Refreshed]:
    """Refresh every bound figure of ``body`` for ``period``; bindings without a bookmark go."""
    reanchor(body, bindings)
    paragraphs = {p: n for n, p in enumerate(docx_text.body_paragraphs(body), start=1)}
    found: list[Refreshed] = []
    seen: set[str] = set()
    for first in list(docx_text.bookmarks(body)):
        binding = bindings.bindings.get(first.name)
        if binding is None or first.name in seen:
            continue
        seen.add(first.name)
        mark = docx_text.find_bookmark(first.paragraph, first.name) or first  # offsets now
        text = docx_text.paragraph_text(mark.paragraph)[mark.start : mark.end]
        number = paragraphs.get(mark.paragraph, 0)
        item = _refresh_one(mark, binding, text, number, lookup, catalog, period)
        item.name = indicator_name(catalog, binding.code) if binding.code else ""
        found.append(item)
    kept = [r for r in found if r.outcome is not Outcome.DELETED]
    bindings.bindings = {r.binding.name: r.binding for r in kept}
    bindings.period = period
    return kept


def _refresh_one(
    mark: docx_text.Bookmark,
    binding: Binding,
    text: str,
    number: int,
    lookup: Any,
    catalog: Any,
    period: Period,
) -> Refreshed:
    found = locate(mark, binding)
    if found is None and deleted(mark):
        return Refreshed(binding, number, mark.paragraph, binding.text, "", Outcome.DELETED)
    if found is None:
        return Refreshed(
            binding, number, mark.paragraph, text, text, Outcome.OVERWRITTEN,
            _figure_or_none(binding, lookup, period),
            reason=f"原为“{binding.text}”，已被改为“{text}”",
            start=mark.start, end=mark.end,
        )  # fmt: skip
    try:
        new, figure = format_binding(binding, lookup, period)
        outcome = Outcome.SAME if new == binding.text else Outcome.CHANGED
        reason = ""
    except ReportError as exc:
        name = indicator_name(catalog, binding.code)
        new, figure, outcome, reason = placeholder(name), None, Outcome.MISSING, exc.message
    start = found[0]
    if new != binding.text:
        docx_text.replace_text(mark.paragraph, start, start + len(binding.text), new)
    return Refreshed(
        binding.with_text(new), number, mark.paragraph, binding.text, new, outcome, figure,
        reason, start, start + len(new),
    )  # fmt: skip


def _figure_or_none(binding: Binding, lookup: Any, period: Period) -> Figure | None:
    if binding.is_label:
        return None
    try:
        return lookup(binding.code, binding.period_for(period))
    except ReportError:
        return None
