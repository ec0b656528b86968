"""Write the report's blocks as a .docx laid out per GB/T 9704-2012 (党政机关公文格式).

Layout is carried by named Word styles (正文 = Normal, 标题 = Title, 一级/二级标题 = Heading 1/2,
署名 = Signature) so a clerk who opens the file in Word or WPS can adjust it the usual way and the
navigation pane shows the headings. python-docx names only the Latin font, so every style and run
also gets explicit ``w:rFonts`` for East Asian text (python-docx issues #154 and #346).
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section, _Footer
from docx.shared import Emu, Length, Mm, Pt
from docx.styles.style import BaseStyle, ParagraphStyle
from docx.text.paragraph import Paragraph
from lxml import etree
from lxml.etree import _Element

from chengbei_report.render.blocks import Block, BlockKind
from chengbei_report.render.output import deterministic_zip, strip_xml_illegal

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"

BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
LINE_PITCH = Pt(28.95)  # fixed spacing that fits 22 lines into the 225 mm type area

PAGE_WIDTH = Mm(210)
PAGE_HEIGHT = Mm(297)
TOP_MARGIN = Mm(37)
BOTTOM_MARGIN = Mm(35)
LEFT_MARGIN = Mm(28)
RIGHT_MARGIN = Mm(26)
# The page number line (one exact 14 pt line) starts 7 mm below the type area.
FOOTER_DISTANCE = Emu(BOTTOM_MARGIN - Mm(7) - PAGE_NUMBER_SIZE)

# Line pitch a user gets on turning the document grid on. The grid itself stays off: exact line
# spacing already gives 22 lines, LibreOffice shifts a gridded page down by a line, and with Word's
# usual 28-a-line character grid (charSpace -849) it puts each 16 pt character into two cells.
GRID_LINE_PITCH = str(LINE_PITCH.twips)

EM_DASH = "\u2014"
LANGUAGE = "zh-CN"
SIGNATURE_STYLE = "Signature"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

_STYLE_OF_KIND = {
    BlockKind.TITLE: "Title",
    BlockKind.HEADING1: "Heading 1",
    BlockKind.HEADING2: "Heading 2",
    BlockKind.PARAGRAPH: "Normal",
    BlockKind.SIGNATURE: SIGNATURE_STYLE,
}
_FONT_OF_KIND = {
    BlockKind.TITLE: TITLE_FONT,
    BlockKind.HEADING1: HEADING1_FONT,
    BlockKind.HEADING2: HEADING2_FONT,
    BlockKind.PARAGRAPH: BODY_FONT,
    BlockKind.SIGNATURE: BODY_FONT,
}


def write_document(
    blocks: Sequence[Block],
    *,
    title: str,
    author: str,
    when: datetime,
    properties: Mapping[str, str] | None = None,
) -> bytes:
    """Build the .docx and return its bytes, identical for identical arguments.

    ``when`` dates the document: an aware time is stored in UTC, a naive one as it is.
    Each block's figures are wrapped in bookmarks of their names; ``properties`` become custom
    document properties (docProps/custom.xml), where the figures' bindings are kept.
    """
    document = Document()
    _set_document_defaults(document)
    _define_styles(document)
    _set_up_page(document.sections[0])
    _add_page_numbers(document)
    previous: BlockKind | None = None
    for block in blocks:
        _add_block(document, block, previous)
        previous = block.kind
    _set_properties(document, title=_clean(title), author=_clean(author), when=when)
    if properties:
        set_custom_properties(document, properties)
    buffer = io.BytesIO()
    document.save(buffer)
    return deterministic_zip(buffer.getvalue(), when)


def _clean(text: str) -> str:
    """Text lxml accepts; the caller has already reported what is dropped."""
    return strip_xml_illegal(text)[0]


# --- fonts and styles -------------------------------------------------------------------------


def _set_fonts(rpr: _Element, name: str) -> None:
    """Name ``name`` for Latin, East Asian and complex script text, with no theme font left over."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.attrib.clear()
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), name)
    fonts.set(qn("w:hint"), "eastAsia")


def _set_language(rpr: _Element) -> None:
    """Mark text as Simplified Chinese so proofing and line breaking follow Chinese rules."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.attrib.clear()
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    lang.set(qn("w:bidi"), "ar-SA")


def _set_document_defaults(document: DocxDocument) -> None:
    """Replace the template's theme fonts and English defaults with the body font and zh-CN."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    _set_fonts(rpr, BODY_FONT)
    _set_language(rpr)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), str(int(BODY_SIZE.pt * 2)))
    spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
    spacing.attrib.clear()
    spacing.set(qn("w:after"), "0")
    settings = document.settings.element
    settings.find(qn("w:themeFontLang")).set(qn("w:eastAsia"), LANGUAGE)
    document.settings.odd_and_even_pages_header_footer = True


def _reset(style: BaseStyle) -> None:
    """Drop the template's look (theme fonts, colours, borders, spacing) from a built-in style."""
    for tag in ("w:pPr", "w:rPr"):
        old = style.element.find(qn(tag))
        if old is not None:
            style.element.remove(old)


def _set_style_font(style: BaseStyle, font: str, size: Length) -> None:
    """Size through python-docx; the fonts by hand, since it would set the Latin one only."""
    style.font.size = size
    _set_fonts(style.element.get_or_add_rPr(), font)


def _set_chars(style_or_paragraph_ppr: _Element, attribute: str, hundredths: int) -> None:
    """Indent in characters (Word's 字符 unit), which Word prefers over the absolute value."""
    style_or_paragraph_ppr.get_or_add_ind().set(qn(f"w:{attribute}"), str(hundredths))


def _set_first_line(style: ParagraphStyle, chars: int) -> None:
    """First-line indent in body characters; 0 must be explicit to undo Normal's two."""
    style.paragraph_format.first_line_indent = Emu(BODY_SIZE * chars)
    _set_chars(style.element.get_or_add_pPr(), "firstLineChars", chars * 100)


def _set_outline_level(style: ParagraphStyle, level: int) -> None:
    """Outline level makes the heading appear in Word's and WPS's navigation pane."""
    ppr = style.element.get_or_add_pPr()
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level))
    ppr.append(outline)


def _define_body(style: ParagraphStyle) -> None:
    """正文: 仿宋 三号, two-character first-line indent, exact 28.95 pt lines, justified."""
    _reset(style)
    _set_style_font(style, BODY_FONT, BODY_SIZE)
    _set_language(style.element.get_or_add_rPr())
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.widow_control = True
    _set_first_line(style, 2)


def _define_title(style: ParagraphStyle) -> None:
    """标题: 小标宋 二号 centred, followed by one empty line before the body."""
    _reset(style)
    _set_style_font(style, TITLE_FONT, TITLE_SIZE)
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style.paragraph_format.space_after = LINE_PITCH
    _set_first_line(style, 0)


def _define_heading(style: ParagraphStyle, font: str, level: int) -> None:
    """一、 in 黑体 and （一） in 楷体, indented like body text, kept with the next paragraph."""
    _reset(style)
    _set_style_font(style, font, BODY_SIZE)
    style.paragraph_format.keep_with_next = True
    _set_outline_level(style, level)


def _define_signature(style: ParagraphStyle) -> None:
    """署名/成文日期: right-aligned, two characters in from the right edge."""
    _set_style_font(style, BODY_FONT, BODY_SIZE)
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    style.paragraph_format.right_indent = Emu(BODY_SIZE * 2)
    _set_chars(style.element.get_or_add_pPr(), "rightChars", 200)
    _set_first_line(style, 0)


def _define_footer(style: ParagraphStyle) -> None:
    """页码: 宋体 四号 on one exact line, outside the document grid."""
    _reset(style)
    _set_style_font(style, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = PAGE_NUMBER_SIZE
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    style.element.get_or_add_pPr().insert(0, snap)
    _set_first_line(style, 0)


def _define_styles(document: DocxDocument) -> None:
    """Restyle the built-in styles Word and WPS know, so navigation and style lists work."""
    styles = document.styles
    _define_body(styles["Normal"])
    _define_title(styles["Title"])
    _define_heading(styles["Heading 1"], HEADING1_FONT, 0)
    _define_heading(styles["Heading 2"], HEADING2_FONT, 1)
    signature = styles.add_style(SIGNATURE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    signature.base_style = styles["Normal"]
    _define_signature(signature)
    _define_footer(styles["Footer"])


# --- page -------------------------------------------------------------------------------------


def _set_up_page(section: Section) -> None:
    """A4 with the GB/T 9704 type area (156 × 225 mm)."""
    section.page_width = PAGE_WIDTH
    section.page_height = PAGE_HEIGHT
    section.top_margin = TOP_MARGIN
    section.bottom_margin = BOTTOM_MARGIN
    section.left_margin = LEFT_MARGIN
    section.right_margin = RIGHT_MARGIN
    section.footer_distance = FOOTER_DISTANCE
    grid = section._sectPr.find(qn("w:docGrid"))
    grid.attrib.clear()
    grid.set(qn("w:linePitch"), GRID_LINE_PITCH)


def _add_run(paragraph: Paragraph, text: str, font: str) -> None:
    """A run that names its font for every script, whatever its paragraph style says."""
    run = paragraph.add_run(text)
    _set_fonts(run._r.get_or_add_rPr(), font)


def _fonted_run(child: _Element, font: str) -> _Element:
    """A bare w:r around ``child`` with its fonts named, as field parts must be built by hand."""
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    _set_fonts(rpr, font)
    run.append(rpr)
    run.append(child)
    return run


def _field_char(kind: str) -> _Element:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    return char


def _page_field(font: str) -> list[_Element]:
    """A PAGE field; its placeholder "1" shows until the viewer computes the number."""
    instruction = OxmlElement("w:instrText")
    instruction.set(XML_SPACE, "preserve")
    instruction.text = " PAGE "
    placeholder = OxmlElement("w:t")
    placeholder.text = "1"
    parts = (_field_char("begin"), instruction, _field_char("separate"), placeholder)
    return [_fonted_run(part, font) for part in (*parts, _field_char("end"))]


def _fill_page_number(footer: _Footer, *, odd: bool) -> None:
    """Page number "— N —": odd pages at the right, even at the left, one character in."""
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.style = "Footer"
    fmt = paragraph.paragraph_format
    ppr = paragraph._p.get_or_add_pPr()
    if odd:
        fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = PAGE_NUMBER_SIZE
        _set_chars(ppr, "rightChars", 100)
    else:
        fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
        fmt.left_indent = PAGE_NUMBER_SIZE
        _set_chars(ppr, "leftChars", 100)
    _add_run(paragraph, f"{EM_DASH} ", PAGE_NUMBER_FONT)
    paragraph._p.extend(_page_field(PAGE_NUMBER_FONT))
    _add_run(paragraph, f" {EM_DASH}", PAGE_NUMBER_FONT)


def _add_page_numbers(document: DocxDocument) -> None:
    section = document.sections[0]
    _fill_page_number(section.footer, odd=True)
    _fill_page_number(section.even_page_footer, odd=False)


# --- content ----------------------------------------------------------------------------------


def _add_block(document: DocxDocument, block: Block, previous: BlockKind | None) -> None:
    """One paragraph; a 二级标题 with body text is a run-in heading in one paragraph.

    Each figure is a run of its own between ``w:bookmarkStart`` and ``w:bookmarkEnd``.
    """
    paragraph = document.add_paragraph(style=_STYLE_OF_KIND[block.kind])
    for start, end, name in _segments(block):
        font = _FONT_OF_KIND[block.kind] if start < len(block.text) else BODY_FONT
        if name:
            paragraph._p.append(_bookmark("w:bookmarkStart", name))
        _add_run(paragraph, _clean(block.full_text[start:end]), font)
        if name:
            paragraph._p.append(_bookmark("w:bookmarkEnd", name))
    if block.kind is BlockKind.SIGNATURE and previous not in (None, BlockKind.SIGNATURE):
        paragraph.paragraph_format.space_before = LINE_PITCH  # 正文下空一行编排署名


def _segments(block: Block) -> list[tuple[int, int, str]]:
    """The paragraph cut at the heading/body border and around each figure (name "" for text)."""
    cuts = {0, len(block.text), len(block.full_text)}
    for start, end, _name in block.figures:
        cuts.update((start, end))
    names = {start: (end, name) for start, end, name in block.figures}
    points = sorted(cuts)
    return [
        (a, b, names[a][1] if a in names and names[a][0] == b else "")
        for a, b in itertools.pairwise(points)
        if b > a
    ]


def _bookmark(tag: str, name: str) -> _Element:
    """A bookmark edge; its id is the number in its name (cbf_0007 → 7, cby_0002 → 10002)."""
    element = OxmlElement(tag)
    number = int(name.rsplit("_", 1)[1]) + (10000 if name.startswith("cby_") else 0)
    element.set(qn("w:id"), str(number))
    if tag == "w:bookmarkStart":
        element.set(qn("w:name"), name)
    return element


_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
)
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def custom_properties_xml(properties: Mapping[str, str]) -> bytes:
    """docProps/custom.xml holding ``properties`` as text properties, sorted by name."""
    root = etree.Element(f"{{{_CUSTOM_NS}}}Properties", nsmap={None: _CUSTOM_NS, "vt": _VT_NS})
    for pid, name in enumerate(sorted(properties), start=2):
        prop = etree.SubElement(root, f"{{{_CUSTOM_NS}}}property")
        prop.set("fmtid", _FMTID)
        prop.set("pid", str(pid))
        prop.set("name", name)
        etree.SubElement(prop, f"{{{_VT_NS}}}lpwstr").text = _clean(properties[name])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def set_custom_properties(document: DocxDocument, properties: Mapping[str, str]) -> None:
    """Replace the package's custom properties (Word, WPS and LibreOffice all keep them)."""
    package = document.part.package
    for rel in list(package.rels.values()):
        if rel.reltype == _CUSTOM_REL:
            package.rels.pop(rel.rId)
    part = Part(PackURI("/docProps/custom.xml"), _CUSTOM_TYPE, custom_properties_xml(properties))
    package.relate_to(part, _CUSTOM_REL)


def get_custom_properties(document: DocxDocument) -> dict[str, str]:
    """The custom text properties of a .docx (empty when it has none)."""
    for rel in document.part.package.rels.values():
        if rel.reltype == _CUSTOM_REL and not rel.is_external:
            root = etree.fromstring(rel.target_part.blob)
            return {
                prop.get("name", ""): "".join(prop.itertext())
                for prop in root.iter(f"{{{_CUSTOM_NS}}}property")
            }
    return {}


def _set_properties(document: DocxDocument, *, title: str, author: str, when: datetime) -> None:
    """Core properties from the arguments only, so two builds are byte-identical."""
    props = document.core_properties
    stamp = when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when
    props.title = title
    props.author = author
    props.last_modified_by = author
    props.created = stamp
    props.modified = stamp
    props.revision = 1
    props.language = LANGUAGE
    props.comments = ""
