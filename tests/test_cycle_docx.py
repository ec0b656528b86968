"""Ranges of a paragraph however its runs are split; bindings as stored in custom properties."""

from __future__ import annotations

import io
import itertools
from datetime import datetime

import docx
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st

from chengbei_report.cycle import docx_text
from chengbei_report.cycle.bindings import Binding, BindingSet, read_bindings
from chengbei_report.periods import Period
from chengbei_report.render.blocks import Block, BlockKind
from chengbei_report.render.docx_writer import get_custom_properties, write_document

TEXT = "目前园区入驻单位54家，年营业额达6000万元。"


def _paragraph(pieces: list[str]) -> docx.text.paragraph.Paragraph:
    document = docx.Document()
    paragraph = document.add_paragraph()
    for piece in pieces:
        paragraph.add_run(piece)
    return paragraph


@st.composite
def split_text(draw: st.DrawFn) -> tuple[list[str], int, int]:
    """TEXT cut into runs at arbitrary points, and a range of it."""
    cuts = sorted(draw(st.sets(st.integers(1, len(TEXT) - 1), max_size=8)))
    points = [0, *cuts, len(TEXT)]
    pieces = [TEXT[a:b] for a, b in itertools.pairwise(points)]
    start = draw(st.integers(0, len(TEXT) - 1))
    end = draw(st.integers(start + 1, len(TEXT)))
    return pieces, start, end


@settings(max_examples=60, deadline=None)
@given(split_text(), st.text(alphabet="0123456789.万元家%第二", min_size=1, max_size=8))
def test_replace_touches_exactly_the_range(case: tuple[list[str], int, int], new: str) -> None:
    pieces, start, end = case
    paragraph = _paragraph(pieces)
    docx_text.replace_text(paragraph._p, start, end, new)
    assert docx_text.paragraph_text(paragraph._p) == TEXT[:start] + new + TEXT[end:]


@settings(max_examples=60, deadline=None)
@given(split_text())
def test_a_wrapped_bookmark_covers_exactly_the_range(case: tuple[list[str], int, int]) -> None:
    pieces, start, end = case
    paragraph = _paragraph(pieces)
    docx_text.wrap_bookmark(paragraph._p, start, end, "cbf_0001", 1)
    [mark] = docx_text.paragraph_bookmarks(paragraph._p)
    assert (mark.name, mark.start, mark.end) == ("cbf_0001", start, end)
    assert docx_text.paragraph_text(paragraph._p) == TEXT


def test_runs_keep_their_formatting_when_split() -> None:
    paragraph = _paragraph([TEXT])
    paragraph.runs[0].bold = True
    runs = docx_text.isolate(paragraph._p, 8, 11)
    assert "".join(r.find(qn("w:t")).text for r in runs) == "54家"
    assert all(
        r.find(f"{qn('w:rPr')}/{qn('w:b')}") is not None for r in paragraph._p.iter(qn("w:r"))
    )


def test_the_writer_puts_each_figure_in_a_bookmark_and_stores_the_bindings() -> None:
    block = Block(BlockKind.PARAGRAPH, TEXT, figures=((8, 11, "cbf_0001"), (18, 24, "cbf_0002")))
    binding = Binding("cbf_0001", "cur", "econ_park_units", ("num", True), "54家")
    bindings = BindingSet(Period.parse("2023H1"), {"cbf_0001": binding})
    data = write_document(
        [block], title="t", author="a", when=datetime(2023, 6, 30), properties=bindings.properties()
    )
    document = docx.Document(io.BytesIO(data))
    marks = list(docx_text.bookmarks(document.element.body))
    assert [(m.name, m.start, m.end) for m in marks] == [("cbf_0001", 8, 11), ("cbf_0002", 18, 24)]
    assert document.paragraphs[0].text == TEXT
    found = read_bindings(get_custom_properties(document))
    assert found is not None and found.period == Period.parse("2023H1")
    assert found.bindings == {"cbf_0001": binding}


def test_namespaces_move_with_the_period() -> None:
    half = Period.parse("2024H1")
    assert Binding("x", "cur", "a", ("num",), "").period_for(half) == half
    assert Binding("x", "year", "a", ("num",), "").period_for(half) == Period.parse("2023")
    assert Binding("x", "2002", "a", ("num",), "").period_for(half) == Period.parse("2002")


@given(st.text(max_size=30))
def test_a_property_that_is_no_binding_is_ignored(value: str) -> None:
    decoded = Binding.decode("cbf_0001", value)
    assert decoded is None or decoded.name == "cbf_0001"
