"""What each bookmark of a report stands for, kept in the .docx's custom document properties.

A figure in a document we write is a bookmark ``cbf_0001`` around its text; the custom property
of the same name says which figure it shows and how (namespace, indicator, filter call, the text
as written). A period year written by the ``year`` filter is a bookmark ``cby_0001``. Word, WPS
and LibreOffice keep both bookmarks and custom properties (docs/formats.md, "Bindings").
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from chengbei_report.compute.figures import FigureUse
from chengbei_report.errors import UsageError
from chengbei_report.periods import Period
from chengbei_report.render.blocks import Block

PERIOD_PROPERTY = "cbr_period"  # the period whose figures the document shows
VERSION_PROPERTY = "cbr_bindings"
VERSION = "1"
FIGURE_PREFIX = "cbf_"
LABEL_PREFIX = "cby_"
CURRENT, LAST_YEAR = "cur", "year"
CONTEXT_BEFORE, CONTEXT_AFTER = 8, 4  # characters of context kept with a binding


@dataclass(frozen=True)
class Binding:
    """A bookmark's figure: ``call`` is the filter and its arguments, ``["approx", 10, "余", …]``.

    ``namespace`` is ``cur`` (the report period), ``year`` (its last full year) or a fixed
    period code such as ``2002``; ``code`` is empty for a period year (``call`` ``["year"]``).
    """

    name: str
    namespace: str
    code: str
    call: tuple[Any, ...]
    text: str
    before: str = ""  # the words around it when last written: they find the figure again
    after: str = ""  # if its bookmark is lost (Word drops one whose text is typed over)

    @property
    def is_label(self) -> bool:
        return not self.code

    def period_for(self, period: Period) -> Period:
        """The period this binding reads in a report of ``period``: namespaces move with it."""
        if self.namespace == CURRENT:
            return period
        if self.namespace == LAST_YEAR:
            return period.last_full_year()
        return Period.parse(self.namespace)

    def with_text(self, text: str) -> Binding:
        return replace(self, text=text)

    def with_context(self, paragraph: str, start: int, end: int) -> Binding:
        """The binding with the words around ``start:end`` of ``paragraph`` as its context."""
        before = paragraph[max(0, start - CONTEXT_BEFORE) : start]
        return replace(self, before=before, after=paragraph[end : end + CONTEXT_AFTER])

    def encode(self) -> str:
        data = {"ns": self.namespace, "code": self.code, "call": list(self.call), "text": self.text}
        data |= {"b": self.before, "a": self.after}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def decode(cls, name: str, value: str) -> Binding | None:
        """None for a property that is not a binding of ours (a person's or another tool's)."""
        try:
            data = json.loads(value)
            return cls(
                name,
                str(data["ns"]),
                str(data["code"]),
                tuple(data["call"]),
                str(data["text"]),
                str(data.get("b", "")),
                str(data.get("a", "")),
            )
        except (ValueError, KeyError, TypeError):
            return None


def namespace_of(period: Period, report: Period) -> str:
    if period == report:
        return CURRENT
    if period == report.last_full_year():
        return LAST_YEAR
    return period.code


@dataclass
class BindingSet:
    """Every binding of one document and the period its figures were written for."""

    period: Period
    bindings: dict[str, Binding]

    def properties(self) -> dict[str, str]:
        props = {name: b.encode() for name, b in self.bindings.items()}
        return props | {PERIOD_PROPERTY: self.period.code, VERSION_PROPERTY: VERSION}


def from_rendered(
    blocks: Sequence[Block], uses: list[FigureUse], labels: Mapping[str, Period], period: Period
) -> BindingSet:
    """The bindings of a freshly rendered document (build's writer route)."""
    bindings: dict[str, Binding] = {}
    for use in uses:
        if use.bookmark:
            ns = namespace_of(use.figure.period, period)
            bindings[use.bookmark] = Binding(use.bookmark, ns, use.figure.code, use.call, use.text)
    for name, label in labels.items():
        text = f"{label.year}年"
        bindings[name] = Binding(name, namespace_of(label, period), "", ("year",), text)
    for block in blocks:
        for start, end, name in block.figures:
            if name in bindings:
                bindings[name] = bindings[name].with_context(block.full_text, start, end)
    return BindingSet(period, bindings)


def read_bindings(properties: Mapping[str, str]) -> BindingSet | None:
    """The document's bindings, or None when it has none (not written by this tool)."""
    if PERIOD_PROPERTY not in properties:
        return None
    period = Period.parse(properties[PERIOD_PROPERTY])
    bindings = {}
    for name, value in properties.items():
        if name.startswith((FIGURE_PREFIX, LABEL_PREFIX)):
            binding = Binding.decode(name, value)
            if binding is not None:
                bindings[name] = binding
    return BindingSet(period, bindings)


def require_bindings(properties: Mapping[str, str], name: str) -> BindingSet:
    found = read_bindings(properties)
    if found is None:
        raise UsageError(
            f"文档 {name} 中没有数字绑定：它不是本工具生成、起草或绑定的工作总结。",
            hint="请用 chengbei-report bind 文档.docx --period 报告期 先绑定其中的数字。",
        )
    return found
