"""The built sample report, read back: GB/T 9704-2012 page, styles, fonts and page numbers."""

from __future__ import annotations

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt

from chengbei_report.commands.build import BuildResult


@pytest.fixture(scope="module")
def document(built_sample: BuildResult):
    return docx.Document(str(built_sample.document))


def test_a4_page_and_official_margins(document) -> None:
    for section in document.sections:
        assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)  # A4
        margins = (
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
        assert tuple(round(m.mm) for m in margins) == (37, 35, 28, 26)


def test_paragraph_styles_follow_the_document_structure(document) -> None:
    by_text = {p.text: p for p in document.paragraphs if p.text}
    assert by_text["一、“八八战略”实施以来亮点工作"].style.name == "Heading 1"
    assert by_text["（一）聚焦“重要窗口建设”，书写“发展”新篇章。"].style.name == "Heading 2"
    body = next(p for p in document.paragraphs if p.text.startswith("一是经济指标持续增长"))
    assert body.style.name == "Normal"
    title = document.paragraphs[0]
    assert title.text == "城北街道2023年上半年工作总结"
    assert title.style.font.size == Pt(22)


@pytest.mark.parametrize(
    ("style", "font", "size"),
    [("Normal", "仿宋_GB2312", 16), ("Heading 1", "黑体", 16), ("Heading 2", "楷体_GB2312", 16)],
)
def test_style_fonts_are_set_for_east_asian_text(
    document, style: str, font: str, size: int
) -> None:
    element = document.styles[style].element.find(qn("w:rPr")).find(qn("w:rFonts"))
    assert element.get(qn("w:eastAsia")) == font
    assert element.get(qn("w:ascii")) == font
    assert document.styles[style].font.size == Pt(size)


def test_body_indent_and_fixed_line_spacing(document) -> None:
    fmt = document.styles["Normal"].paragraph_format
    assert fmt.first_line_indent == Pt(32)
    assert fmt.line_spacing == Pt(28.95)


def test_run_in_headings_of_section_three_mix_kai_and_fangsong(document) -> None:
    paragraph = next(p for p in document.paragraphs if p.text.startswith("（一）坚持党建引领"))
    fonts = [
        r.element.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia"))
        for r in paragraph.runs
    ]
    assert fonts[0] == "楷体_GB2312"
    assert set(fonts[1:]) == {"仿宋_GB2312"}  # the body part, figures in runs of their own
    assert paragraph.style.name == "Normal"
    assert paragraph.runs[0].style.name == "Run-in Heading"


def test_page_numbers_in_odd_and_even_footers(document) -> None:
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and "—" in xml
