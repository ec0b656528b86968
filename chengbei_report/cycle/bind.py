"""``bind``: turn an edited draft into the template of the next build.

Figures still bound stay bound. Every other number is matched against the period's figures;
a unique match becomes a new bookmark with its binding, an ambiguous one is listed with its
candidates, an unmatched one is listed as a figure without data. A person settles a case in
Word with a comment on the number: ``指标：婺州英才创新园入驻单位`` (a name or code;
``指标：上年区级税收`` for the last full year) binds it, ``指标：无`` says it is no data figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chengbei_report.cycle import docx_text
from chengbei_report.cycle.bindings import FIGURE_PREFIX, Binding, BindingSet
from chengbei_report.cycle.document import (
    Loose,
    bindings_of,
    context,
    loose_numbers,
    open_docx,
    save,
)
from chengbei_report.cycle.match import Candidate, Matcher
from chengbei_report.cycle.refresh import locate, reanchor
from chengbei_report.errors import UsageError
from chengbei_report.periods import Period
from chengbei_report.read.numbers_text import FigureMatch
from chengbei_report.render.layout import apply_official_layout

_SETTLE = re.compile(r"^\s*指标\s*[:：]\s*(?P<name>.+?)\s*$")
_NO_DATA = {"无", "没有", "不是数据", "否"}
BOUND_SUFFIX = "_绑定"


class How:
    KEPT = "原有绑定"
    UNIQUE = "唯一"
    CONTEXT = "上下文"
    NAMED = "批注指定"
    AMBIGUOUS = "有歧义"
    UNMATCHED = "无数据"
    LITERAL = "批注：非数据"


@dataclass(frozen=True)
class BindRow:
    """One number of the document and what bind made of it."""

    paragraph: int
    text: str
    context: str
    how: str
    indicator: str = ""
    indicator_name: str = ""
    namespace: str = ""
    candidates: tuple[str, ...] = ()
    note: str = ""

    @property
    def bound(self) -> bool:
        return bool(self.indicator)

    def to_dict(self) -> dict[str, Any]:
        return {
            "paragraph": self.paragraph,
            "text": self.text,
            "context": self.context,
            "how": self.how,
            "bound": self.bound,
            "indicator": self.indicator,
            "indicator_name": self.indicator_name,
            "namespace": self.namespace,
            "candidates": list(self.candidates),
            "note": self.note,
        }


@dataclass
class BindResult:
    period: Period
    source: Path
    document: Path
    rows: list[BindRow] = field(default_factory=list)

    def _with(self, *hows: str) -> list[BindRow]:
        return [row for row in self.rows if row.how in hows]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "kept": len(self._with(How.KEPT)),
            "bound": len(self._with(How.UNIQUE, How.CONTEXT, How.NAMED)),
            "ambiguous": len(self._with(How.AMBIGUOUS)),
            "unmatched": len(self._with(How.UNMATCHED)),
            "literal": len(self._with(How.LITERAL)),
        }

    @property
    def listed(self) -> list[BindRow]:
        """The rows a person reads: every number except those that stayed bound."""
        return [row for row in self.rows if row.how != How.KEPT]

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.code,
            "source": str(self.source),
            "document": str(self.document),
            **self.counts,
            "rows": [row.to_dict() for row in self.rows],
        }


def bind_document(
    project: Any, period: Period, source: Path, target: Path, when: Any
) -> tuple[BindResult, bytes]:
    """The bound document's bytes and the table of bindings; nothing is written here."""
    document = open_docx(source)
    bindings = bindings_of(document) or BindingSet(period, {})
    if bindings.bindings and bindings.period != period:
        raise UsageError(
            f"{source.name} 中的数字是{bindings.period.full_label}的，不能按{period.full_label}绑定。",
            hint=f"请先运行 chengbei-report draft --period {period.code} --from {source.name}。",
        )
    bindings.period = period
    settled = _settlements(document)
    docx_text.remove_own_comments(document)
    body = document.element.body
    rows = _check_kept(body, bindings, project, period)
    matcher = Matcher(project.engine.figure, list(project.catalog.indicators), period)
    numbering = _Numbering(body)
    for item in loose_numbers(body, set(bindings.bindings), skip_first=True):
        if item.time:
            continue
        rows.append(_bind_one(document, item, matcher, bindings, settled, numbering, when))
    rows.sort(key=lambda row: row.paragraph)
    if project.workspace.official_layout:
        apply_official_layout(document, restyle=True)
    return BindResult(period, source, target, rows), save(document, bindings, when)


def _settlements(document: Any) -> dict[tuple[Any, int, int], str]:
    """A person's comments ``指标：…``: (paragraph, start, end) of the anchor → what it names."""
    texts = {}
    for note in document.comments:
        found = _SETTLE.match(note.text or "")
        if found and note.author != docx_text.AUTHOR:
            texts[str(note.comment_id)] = found["name"]
    settled = {}
    for paragraph in docx_text.body_paragraphs(document.element.body):
        for anchor in docx_text.comment_ranges(paragraph):
            if anchor.name in texts:
                settled[(paragraph, anchor.start, anchor.end)] = texts[anchor.name]
    return settled


def _check_kept(body: Any, bindings: BindingSet, project: Any, period: Period) -> list[BindRow]:
    """Bound figures whose text is still theirs stay; overwritten ones are unbound and matched."""
    rows = []
    reanchor(body, bindings)
    paragraphs = {p: n for n, p in enumerate(docx_text.body_paragraphs(body), start=1)}
    present = set()
    for mark in list(docx_text.bookmarks(body)):
        binding = bindings.bindings.get(mark.name)
        if binding is None:
            continue
        found = locate(mark, binding)
        if found is not None:
            present.add(mark.name)
            if not binding.is_label:
                name = _name(project, binding.code)
                at = FigureMatch(*found, binding.text, 0)  # type: ignore[arg-type]
                rows.append(
                    BindRow(
                        paragraphs.get(mark.paragraph, 0),
                        binding.text,
                        context(docx_text.paragraph_text(mark.paragraph), at),
                        How.KEPT,
                        binding.code,
                        name,
                        binding.namespace,
                    )
                )
        else:  # deleted (an empty bookmark) or overwritten: typed text is matched afresh below
            docx_text.remove_bookmark(mark.paragraph, mark.name)
    bindings.bindings = {n: b for n, b in bindings.bindings.items() if n in present}
    return rows


def _name(project: Any, code: str) -> str:
    indicator = project.catalog.indicators.get(code)
    return indicator.name if indicator else code


class _Numbering:
    """New bookmark names and ids that do not clash with what the document has."""

    def __init__(self, body: Any) -> None:
        self.next_id = docx_text.next_bookmark_id(body)
        names = [m.name for m in docx_text.bookmarks(body) if m.name.startswith(FIGURE_PREFIX)]
        numbers = [int(n[len(FIGURE_PREFIX) :]) for n in names if n[len(FIGURE_PREFIX) :].isdigit()]
        self.next_number = max(numbers, default=0) + 1

    def take(self) -> tuple[str, int]:
        name, ident = f"{FIGURE_PREFIX}{self.next_number:04d}", self.next_id
        self.next_number += 1
        self.next_id += 1
        return name, ident


def _bind_one(
    document: Any,
    item: Loose,
    matcher: Matcher,
    bindings: BindingSet,
    settled: dict[tuple[Any, int, int], str],
    numbering: _Numbering,
    when: Any,
) -> BindRow:
    text = docx_text.paragraph_text(item.element)
    named = _named(item, settled)
    base = {"paragraph": item.paragraph, "text": item.match.text, "context": item.context}
    if named is not None and named in _NO_DATA:
        return BindRow(**base, how=How.LITERAL)
    if named is not None:
        chosen = matcher.named(named, item.match)
        if chosen is None:
            note = f"批注中的指标“{named}”在{matcher.period.full_label}没有数据或不在指标目录中"
            _note(document, item, f"{note}。", when)
            return BindRow(**base, how=How.UNMATCHED, note=note)
        how, note = How.NAMED, ""
        if chosen.text != item.match.text:
            note = f"批注指定，但文中“{item.match.text}”与数据“{chosen.text}”不符；生成时将写为数据"
        return _bound(item, chosen, bindings, numbering, how, note, base)
    found = matcher.match(item.match, text)
    if found.chosen is not None:
        how = How.UNIQUE if found.how == "唯一" else How.CONTEXT
        return _bound(item, found.chosen, bindings, numbering, how, "", base)
    if found.candidates:
        labels = tuple(c.label for c in found.candidates)
        _note(
            document,
            item,
            f"有多个指标是这个数：{'、'.join(labels)}。请加批注“指标：指标名称”。",
            when,
        )
        return BindRow(**base, how=How.AMBIGUOUS, candidates=labels)
    _note(
        document, item, "没有与之相同的数据，请人工确认（是数据请加批注“指标：指标名称”）。", when
    )
    return BindRow(**base, how=How.UNMATCHED)


def _named(item: Loose, settled: dict[tuple[Any, int, int], str]) -> str | None:
    for (paragraph, start, end), name in settled.items():
        if paragraph is item.element and start <= item.match.start and item.match.end <= end:
            return name
    return None


def _bound(
    item: Loose,
    candidate: Candidate,
    bindings: BindingSet,
    numbering: _Numbering,
    how: str,
    note: str,
    base: dict[str, Any],
) -> BindRow:
    name, ident = numbering.take()
    docx_text.wrap_bookmark(item.element, item.match.start, item.match.end, name, ident)
    figure = candidate.figure
    binding = Binding(name, candidate.namespace, figure.code, candidate.call, item.match.text)
    bindings.bindings[name] = binding
    return BindRow(
        **base,
        how=how,
        indicator=figure.code,
        indicator_name=figure.name,
        namespace=candidate.namespace,
        note=note,
    )


def _note(document: Any, item: Loose, text: str, when: Any) -> None:
    runs = docx_text.isolate(item.element, item.match.start, item.match.end)
    if runs:
        docx_text.comment(document, runs, text, when)


def bound_output_name(source: Path) -> str:
    stem = source.stem.removesuffix("_初稿").removesuffix(BOUND_SUFFIX)
    return f"{stem}{BOUND_SUFFIX}.docx"
