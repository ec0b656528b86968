"""The .docx writer: GB/T 9704-2012 page, styles, fonts, page numbers, reproducible bytes.

Every test writes a real file and reads it back with python-docx and lxml.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Emu, Pt
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from chengbei_report.render.blocks import Block, BlockKind
from chengbei_report.render.docx_writer import date_line, write_document
from chengbei_report.render.output import strip_xml_illegal

WHEN = datetime(2023, 7, 10, 9, 0, 0)
TITLE = "城北街道2023年上半年工作总结"
AUTHOR = "城北街道办事处"
BLOCKS = [
    Block(BlockKind.TITLE, TITLE),
    Block(BlockKind.PARAGRAPH, "近年来，城北街道坚持以习近平新时代中国特色社会主义思想为指导。"),
    Block(BlockKind.HEADING1, "一、“八八战略”实施以来亮点工作"),
    Block(BlockKind.HEADING2, "（一）聚焦“重要窗口建设”，书写“发展”新篇章。"),
    Block(BlockKind.PARAGRAPH, "一是经济指标持续增长。2022年区级税收12477.4万元，增速全区第二。"),
    Block(
        BlockKind.HEADING2, "（一）坚持党建引领，筑牢基层党建阵地。", "推动基层党组织书记认真履职。"
    ),
    Block(BlockKind.SIGNATURE, AUTHOR),
    Block(BlockKind.SIGNATURE, "2023年7月10日"),
]
FANGSONG = "仿宋_GB2312"
FONT_ATTRIBUTES = ("ascii", "hAnsi", "eastAsia", "cs")


def _twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "报告.docx"
    path.write_bytes(write_document(BLOCKS, title=TITLE, author=AUTHOR, when=WHEN))
    return path


@pytest.fixture(scope="module")
def document(saved: Path) -> DocxDocument:
    return docx.Document(str(saved))


def _xml(saved: Path, part: str) -> etree._Element:
    with zipfile.ZipFile(saved) as package:
        return etree.fromstring(package.read(part))


def _fonts(rpr: etree._Element) -> dict[str, str]:
    fonts = rpr.find(qn("w:rFonts"))
    assert fonts is not None
    return {name: fonts.get(qn(f"w:{name}")) for name in (*FONT_ATTRIBUTES, "asciiTheme")}


def _all_four(font: str) -> dict[str, str | None]:
    return {**dict.fromkeys(FONT_ATTRIBUTES, font), "asciiTheme": None}


def _style_rpr(document: DocxDocument, name: str) -> etree._Element:
    return document.styles[name].element.find(qn("w:rPr"))


# --- page -------------------------------------------------------------------------------------


def test_page_is_a4_with_gb9704_margins(document: DocxDocument) -> None:
    section = document.sections[0]
    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)
    assert section.top_margin.twips == _twips(37)
    assert section.bottom_margin.twips == _twips(35)
    assert section.left_margin.twips == _twips(28)
    assert section.right_margin.twips == _twips(26)
    # the page number line (14 pt) starts 7 mm below the type area
    assert section.footer_distance.twips == _twips(35 - 7) - 14 * 20


def test_type_area_is_156_by_225_mm(document: DocxDocument) -> None:
    section = document.sections[0]
    width = Emu(section.page_width - section.left_margin - section.right_margin)
    height = Emu(section.page_height - section.top_margin - section.bottom_margin)
    assert round(width.mm) == 156
    assert round(height.mm) == 225
    assert int(height.pt // Pt(28.95).pt) == 22  # lines a page


# --- styles -----------------------------------------------------------------------------------


def test_body_style(document: DocxDocument) -> None:
    normal = document.styles["Normal"]
    fmt = normal.paragraph_format
    assert normal.font.size == Pt(16)
    assert _fonts(_style_rpr(document, "Normal")) == _all_four(FANGSONG)
    assert fmt.first_line_indent == Pt(32)
    assert fmt.element.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert fmt.line_spacing.twips == 579  # 28.95 pt
    assert (fmt.space_before, fmt.space_after) == (Pt(0), Pt(0))
    assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY


def test_document_defaults_are_chinese(saved: Path) -> None:
    styles = _xml(saved, "word/styles.xml")
    rpr = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    assert _fonts(rpr) == _all_four(FANGSONG)
    assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert rpr.find(qn("w:lang")).get(qn("w:val")) == "zh-CN"
    settings_xml = _xml(saved, "word/settings.xml")
    assert settings_xml.find(qn("w:themeFontLang")).get(qn("w:eastAsia")) == "zh-CN"
    # no theme font anywhere would override the named fonts
    assert b"Theme=" not in etree.tostring(styles.find(qn("w:docDefaults")))


@pytest.mark.parametrize(
    ("name", "font", "size", "outline"),
    [("Heading 1", "黑体", 16, "0"), ("Heading 2", "楷体_GB2312", 16, "1")],
)
def test_heading_styles(
    document: DocxDocument, name: str, font: str, size: int, outline: str
) -> None:
    style = document.styles[name]
    rpr = _style_rpr(document, name)
    assert _fonts(rpr) == _all_four(font)
    assert style.font.size == Pt(size)
    assert style.font.bold is None
    assert rpr.find(qn("w:color")) is None
    assert style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == outline
    assert style.paragraph_format.keep_with_next is True
    assert style.base_style.name == "Normal"  # indent and line spacing of body text


def test_title_style(document: DocxDocument) -> None:
    title = document.styles["Title"]
    assert _fonts(_style_rpr(document, "Title")) == _all_four("方正小标宋简体")
    assert title.font.size == Pt(22)
    assert title.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.paragraph_format.first_line_indent == 0
    assert title.element.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "0"
    assert title.element.pPr.find(qn("w:pBdr")) is None


def test_signature_style(document: DocxDocument) -> None:
    signature = document.styles["Signature"]
    assert signature.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert signature.paragraph_format.first_line_indent == 0


# --- content ----------------------------------------------------------------------------------


def test_paragraphs_carry_their_styles(document: DocxDocument) -> None:
    got = [(p.style.name, p.text) for p in document.paragraphs]
    expected_styles = {
        BlockKind.TITLE: "Title",
        BlockKind.HEADING1: "Heading 1",
        BlockKind.HEADING2: "Heading 2",
        BlockKind.PARAGRAPH: "Normal",
        BlockKind.SIGNATURE: "Signature",
    }
    expected = [(expected_styles[b.kind], b.full_text) for b in BLOCKS]
    expected[5] = ("Normal", BLOCKS[5].full_text)  # a run-in heading is a body paragraph
    assert got == expected


def test_every_run_names_its_east_asian_font(document: DocxDocument) -> None:
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            fonts = _fonts(run._r.rPr)
            assert fonts["eastAsia"] == fonts["ascii"] == fonts["hAnsi"] == fonts["cs"]
    assert _fonts(document.paragraphs[2].runs[0]._r.rPr)["eastAsia"] == "黑体"


def test_run_in_heading_is_one_paragraph_in_two_fonts(document: DocxDocument) -> None:
    paragraph = document.paragraphs[5]
    assert paragraph.style.name == "Normal"
    assert paragraph.style.paragraph_format.keep_with_next is None  # only real headings keep
    heading, body = paragraph.runs
    assert heading.style.name == "Run-in Heading"
    assert heading.text == "（一）坚持党建引领，筑牢基层党建阵地。"
    assert body.text == "推动基层党组织书记认真履职。"
    assert _fonts(heading._r.rPr)["eastAsia"] == "楷体_GB2312"
    assert _fonts(body._r.rPr) == _all_four(FANGSONG)


def test_signature_follows_body_after_one_empty_line(document: DocxDocument) -> None:
    first, second = document.paragraphs[-2:]
    assert first.paragraph_format.space_before.twips == 579
    assert second.paragraph_format.space_before is None


# --- page numbers -----------------------------------------------------------------------------


def _field_instructions(paragraph_xml: etree._Element) -> list[str]:
    return [t.text.strip() for t in paragraph_xml.iter(qn("w:instrText"))]


@pytest.mark.parametrize(
    ("which", "alignment", "side"),
    [
        ("footer", WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
        ("even_page_footer", WD_ALIGN_PARAGRAPH.LEFT, "left_indent"),
    ],
)
def test_page_number_footers(
    document: DocxDocument, which: str, alignment: WD_ALIGN_PARAGRAPH, side: str
) -> None:
    footer = getattr(document.sections[0], which)
    assert not footer.is_linked_to_previous
    (paragraph,) = footer.paragraphs
    assert paragraph.text == "\u2014 1 \u2014"
    assert paragraph.alignment == alignment
    assert getattr(paragraph.paragraph_format, side) == Pt(14)  # one character from the edge
    assert _field_instructions(paragraph._p) == ["PAGE"]
    kinds = [c.get(qn("w:fldCharType")) for c in paragraph._p.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    for run in paragraph._p.iter(qn("w:r")):
        assert _fonts(run.find(qn("w:rPr"))) == _all_four("宋体")


def test_footer_style_is_songti_size_four(document: DocxDocument) -> None:
    footer = document.styles["Footer"]
    assert footer.font.size == Pt(14)
    assert _fonts(_style_rpr(document, "Footer")) == _all_four("宋体")
    assert footer.paragraph_format.first_line_indent == 0


def test_odd_and_even_footers_are_switched_on(saved: Path, document: DocxDocument) -> None:
    assert document.settings.odd_and_even_pages_header_footer is True
    assert _xml(saved, "word/settings.xml").find(qn("w:evenAndOddHeaders")) is not None


# --- properties and reproducibility -----------------------------------------------------------


def test_core_properties(document: DocxDocument) -> None:
    props = document.core_properties
    assert props.title == TITLE
    assert props.author == AUTHOR
    assert props.last_modified_by == AUTHOR
    assert props.created == WHEN.replace(tzinfo=UTC)  # a naive time is written as it is
    assert props.modified == WHEN.replace(tzinfo=UTC)
    assert props.revision == 1
    assert props.language == "zh-CN"


def test_two_builds_are_byte_identical(saved: Path) -> None:
    again = write_document(BLOCKS, title=TITLE, author=AUTHOR, when=WHEN)
    assert again == saved.read_bytes()
    with zipfile.ZipFile(io.BytesIO(again)) as package:
        assert {info.date_time for info in package.infolist()} == {(2023, 7, 10, 9, 0, 0)}


def test_a_different_date_changes_the_bytes(saved: Path) -> None:
    later = write_document(BLOCKS, title=TITLE, author=AUTHOR, when=datetime(2023, 7, 11))
    assert later != saved.read_bytes()
    assert docx.Document(io.BytesIO(later)).core_properties.created == datetime(
        2023, 7, 11, tzinfo=UTC
    )


def test_an_aware_time_is_stored_in_utc() -> None:
    beijing = datetime(2023, 7, 10, 17, 0, tzinfo=timezone(timedelta(hours=8)))
    data = write_document(BLOCKS, title=TITLE, author=AUTHOR, when=beijing)
    assert docx.Document(io.BytesIO(data)).core_properties.modified == WHEN.replace(tzinfo=UTC)
    with zipfile.ZipFile(io.BytesIO(data)) as package:  # zip times are local wall-clock times
        assert package.infolist()[0].date_time == (2023, 7, 10, 17, 0, 0)


def test_illegal_characters_are_dropped(tmp_path: Path) -> None:
    blocks = [Block(BlockKind.HEADING2, "（一）标\x00题", "正\x0b文\x1f")]
    path = tmp_path / "控制字符.docx"
    path.write_bytes(write_document(blocks, title="标题\x07", author="作者\x01", when=WHEN))
    document = docx.Document(str(path))
    assert document.paragraphs[0].text == "（一）标题正文"
    assert document.core_properties.title == "标题"
    assert document.core_properties.author == "作者"


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r"), max_size=60))
def test_any_paragraph_text_round_trips(text: str) -> None:
    data = write_document([Block(BlockKind.PARAGRAPH, text)], title="t", author="a", when=WHEN)
    (paragraph,) = docx.Document(io.BytesIO(data)).paragraphs
    assert paragraph.text == strip_xml_illegal(text)[0]


# --- grid, figures, signature and date, package ----------------------------------------------


def test_document_grid_is_28_characters_by_22_lines(saved: Path, document: DocxDocument) -> None:
    grid = _xml(saved, "word/document.xml").find(f".//{qn('w:sectPr')}/{qn('w:docGrid')}")
    assert grid.get(qn("w:type")) == "linesAndChars"
    assert grid.get(qn("w:linePitch")) == "579"  # 28.95 pt: 22 lines in 225 mm
    pitch = 16 + int(grid.get(qn("w:charSpace"))) / 4096  # points per character
    type_width = Emu(
        document.sections[0].page_width
        - document.sections[0].left_margin
        - document.sections[0].right_margin
    ).pt
    assert 28 * pitch <= type_width < 29 * pitch
    assert grid.get(qn("w:charSpace")) == "-848"


def test_body_is_condensed_to_the_grid_pitch_and_does_not_snap(document: DocxDocument) -> None:
    normal = document.styles["Normal"].element
    spacing = int(normal.rPr.find(qn("w:spacing")).get(qn("w:val")))  # 1/20 pt
    advance = 16 + spacing / 20
    assert 28 * advance <= 156 * 72 / 25.4 < 29 * advance
    assert normal.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
    assert normal.pPr.find(qn("w:widowControl")) is not None
    assert document.styles["Normal"].paragraph_format.keep_with_next is None


def test_figures_are_kept_whole_without_changing_the_text() -> None:
    text = "拆除广告牌共计600余处，化解率99.07%，增速全区第二。"
    data = write_document([Block(BlockKind.PARAGRAPH, text)], title="t", author="a", when=WHEN)
    (paragraph,) = docx.Document(io.BytesIO(data)).paragraphs
    assert paragraph.text == text  # the joiners are w:sym, which is not text
    figures = [r.text for r in paragraph.runs if r.text and r._r.rPr.find(qn("w:lang")) is not None]
    assert "".join(figures) == "600余处99.07%第二"  # in runs marked en-US
    joiners = [r for r in paragraph._p.iter(qn("w:r")) if r.find(qn("w:sym")) is not None]
    assert len(joiners) == 3  # 600|余|处 and 第|二
    for joiner in joiners:
        assert joiner.find(qn("w:sym")).get(qn("w:char")) == "2060"  # WORD JOINER
        assert joiner.rPr.find(qn("w:vanish")) is not None  # Word and WPS neither show nor print it


def _signature_paragraphs(signed: date | None) -> list:
    blocks = [Block(BlockKind.PARAGRAPH, "正文。"), Block(BlockKind.SIGNATURE, AUTHOR)]
    data = write_document(blocks, title=TITLE, author=AUTHOR, when=WHEN, signed=signed)
    return docx.Document(io.BytesIO(data)).paragraphs


def test_the_date_line_follows_the_office_two_characters_right_of_it() -> None:
    body, office, dated = _signature_paragraphs(date(2023, 7, 10))
    assert (office.text, dated.text) == (AUTHOR, "2023年7月10日")
    assert body.paragraph_format.keep_with_next is True  # never a page with only the signature
    assert office.paragraph_format.keep_with_next is not False
    assert office.alignment is None and office.style.name == "Signature"  # right, 2 chars in
    assert office.style.paragraph_format.right_indent == Pt(32)
    assert dated.alignment == WD_ALIGN_PARAGRAPH.LEFT
    office_start = 156 * 72 / 25.4 - 32 - 7 * 15.7  # points from the type area's left edge
    assert dated.paragraph_format.left_indent.pt == pytest.approx(office_start + 32, abs=0.5)


def test_a_longer_date_is_the_one_two_characters_in() -> None:
    blocks = [Block(BlockKind.PARAGRAPH, "正文。"), Block(BlockKind.SIGNATURE, "城北街道")]
    data = write_document(blocks, title=TITLE, author=AUTHOR, when=WHEN, signed=date(2023, 12, 31))
    _, office, dated = docx.Document(io.BytesIO(data)).paragraphs
    assert dated.alignment is None and dated.style.name == "Signature"
    assert office.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert office.paragraph_format.left_indent < dated.style.paragraph_format.right_indent * 10


def test_no_date_line_without_a_date() -> None:
    assert [p.text for p in _signature_paragraphs(None)] == ["正文。", AUTHOR]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_date_line_has_no_leading_zeros(day: date) -> None:
    text = date_line(day)
    assert text == f"{day.year}年{day.month}月{day.day}日"
    assert "年0" not in text and "月0" not in text


def test_package_has_no_python_docx_leftovers(saved: Path) -> None:
    with zipfile.ZipFile(saved) as package:
        names = package.namelist()
        app = package.read("docProps/app.xml").decode()
        settings_xml = package.read("word/settings.xml").decode()
    assert not any("thumbnail" in name for name in names)
    assert "<Application>chengbei-report</Application>" in app
    assert "<Pages>" not in app and "Microsoft" not in app
    assert "savePreviewPicture" not in settings_xml


def test_subject_is_written() -> None:
    data = write_document(BLOCKS, title=TITLE, author=AUTHOR, when=WHEN, subject="工作总结")
    props = docx.Document(io.BytesIO(data)).core_properties
    assert (props.title, props.subject, props.author) == (TITLE, "工作总结", AUTHOR)


def test_the_layout_applied_again_changes_nothing(tmp_path: Path) -> None:
    """Drafts and bound files are laid out again; that must keep what the writer placed."""
    from chengbei_report.render.layout import apply_official_layout

    blocks = [*BLOCKS[:-1]]  # the office, then the date line from ``signed``
    data = write_document(blocks, title=TITLE, author=AUTHOR, when=WHEN, signed=date(2023, 7, 10))
    again = docx.Document(io.BytesIO(data))
    apply_official_layout(again, restyle=True)
    original = docx.Document(io.BytesIO(data))
    assert [(p.style.name, p.text) for p in again.paragraphs] == [
        (p.style.name, p.text) for p in original.paragraphs
    ]
    assert again.element.body.xml == original.element.body.xml
