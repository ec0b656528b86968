"""Open, read and save a bound .docx: paragraphs, bindings, the numbers that are not bound."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from chengbei_report.compare.check import open_document
from chengbei_report.cycle import docx_text
from chengbei_report.cycle.bindings import BindingSet, read_bindings
from chengbei_report.read.numbers_text import FigureMatch, find_figures
from chengbei_report.render.docx_writer import get_custom_properties, set_custom_properties
from chengbei_report.render.output import deterministic_zip

# Time words whose meaning depends on when the report is written (今年8月底, 下半年, 半年来).
_TIME = re.compile(
    r"(?:今年|去年|明年|本年|年内)?\d{1,2}月(?:份|底|初|中旬|上旬|下旬)?(?:起|前|以来)?"
    r"|今年来|今年|去年|明年|下半年|半年来|一年来|年底前?"
)
WORD_JOINER = "\u2060"
_TIME_UNITS = {"年", "月", "月份", "日", "天", "季度"}


def open_docx(path: Path) -> Any:
    """The document as ``check`` opens it, with LibreOffice's round-trip artefacts undone."""
    document = open_document(path)
    _normalise_core_relationship(document)
    _drop_word_joiners(document)
    return document


def _drop_word_joiners(document: Any) -> None:
    """LibreOffice turns the layout's hidden word joiners (``w:sym``) into U+2060 in the text.

    They are no text of the report: they go here, and the official layout, applied again when
    the document is written, puts its hidden joiners back.
    """
    from docx.oxml.ns import qn

    for node in document.element.body.iter(qn("w:t")):
        if node.text and WORD_JOINER in node.text:
            node.text = node.text.replace(WORD_JOINER, "")


def _normalise_core_relationship(document: Any) -> None:
    """LibreOffice types the core-properties relationship ``…/officedocument/2006/…``.

    python-docx, which looks for the standard ``…/package/2006/…`` type, would not find it, add
    a second docProps/core.xml and write a zip with two entries of one name; the relationship
    is given the standard type instead.
    """
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    for rel in document.part.package.rels.values():
        if rel.reltype != RT.CORE_PROPERTIES and rel.reltype.endswith("/metadata/core-properties"):
            rel._reltype = RT.CORE_PROPERTIES


def bindings_of(document: Any) -> BindingSet | None:
    return read_bindings(get_custom_properties(document))


def save(document: Any, bindings: BindingSet, when: datetime) -> bytes:
    """The document's bytes with its bindings stored, identical for identical content."""
    store_bindings(document, bindings)
    buffer = io.BytesIO()
    document.save(buffer)
    return deterministic_zip(buffer.getvalue(), when)


def store_bindings(document: Any, bindings: BindingSet) -> None:
    """Write the bindings into the custom properties, each with the words now around its
    figure, to find it again if its bookmark is lost."""
    for mark in docx_text.bookmarks(document.element.body):
        binding = bindings.bindings.get(mark.name)
        if binding is not None and mark.end > mark.start:
            text = docx_text.paragraph_text(mark.paragraph)
            bindings.bindings[mark.name] = binding.with_context(text, mark.start, mark.end)
    set_custom_properties(document, bindings.properties())


@dataclass(frozen=True)
class Loose:
    """A number (or time word) in the text that no binding covers."""

    paragraph: int
    element: Any
    match: FigureMatch
    time: bool
    context: str


def bound_ranges(body: Any, names: set[str]) -> dict[Any, list[tuple[int, int]]]:
    """Per paragraph element, the text ranges of bookmarks that are bindings."""
    ranges: dict[Any, list[tuple[int, int]]] = {}
    for mark in docx_text.bookmarks(body):
        if mark.name in names:
            ranges.setdefault(mark.paragraph, []).append((mark.start, mark.end))
    return ranges


def loose_numbers(body: Any, names: set[str], skip_first: bool = False) -> list[Loose]:
    """Numbers and time expressions outside every bound figure, in document order."""
    bound = bound_ranges(body, names)
    found: list[Loose] = []
    for number, paragraph in enumerate(docx_text.body_paragraphs(body), start=1):
        if skip_first and number == 1:
            continue
        text = docx_text.paragraph_text(paragraph)
        taken = list(bound.get(paragraph, []))

        def free(start: int, end: int, taken: list[tuple[int, int]] = taken) -> bool:
            return all(end <= a or start >= b for a, b in taken)

        items: list[tuple[FigureMatch, bool]] = []
        for m in _TIME.finditer(text):
            if free(m.start(), m.end()):
                items.append((FigureMatch(m.start(), m.end(), m[0], _value(m[0])), True))
                taken.append(m.span())
        for match in find_figures(text):
            if free(match.start, match.end):
                items.append((match, match.unit in _TIME_UNITS))
        for match, time in sorted(items, key=lambda pair: pair[0].start):
            found.append(Loose(number, paragraph, match, time, context(text, match)))
    return found


def _value(text: str) -> Any:
    from decimal import Decimal

    digits = re.search(r"\d+", text)
    return Decimal(digits[0]) if digits else Decimal(0)


def context(text: str, match: FigureMatch, width: int = 12) -> str:
    start, end = max(0, match.start - width), min(len(text), match.end + width)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
