"""The official layout of GB/T 9704-2012 (党政机关公文格式), applied to any python-docx document.

Every route that writes a report — our own writer, a Word/WPS template rendered by docxtpl, a
draft or a bound document — calls :func:`apply_official_layout`, so they share one page, one
grid, one set of styles and one pair of page-number footers.

Layout is carried by named Word styles (正文 = Normal, 标题 = Title, 一级/二级标题 = Heading
1/2, 署名 = Signature, run-in 二级标题 = the character style "Run-in Heading") so that a clerk
can adjust it in Word or WPS the usual way and the navigation pane shows the headings.
python-docx names only the Latin font, so every style also gets explicit ``w:rFonts`` for East
Asian text (python-docx issues #154 and #346).

The grid. ``w:docGrid`` is ``linesAndChars`` with the line pitch of 22 lines and the character
pitch of 28 characters in the 156 × 225 mm type area, which is what Word's and WPS's page set-up
shows as 每行28字、每页22行. LibreOffice 7.4 cannot narrow a grid cell below the font size (a
negative ``w:charSpace`` puts each 16 pt character into two cells: 12–14 characters a line), so
body paragraphs do not snap to the character grid; instead each character is condensed to the
grid's pitch (minus 1/20 pt for rounding), which gives the same 28 characters a line in Word,
WPS and LibreOffice, and exact 28.95 pt line spacing gives the 22 lines.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section, _Footer
from docx.shared import Emu, Length, Mm, Pt
from docx.styles.style import BaseStyle, ParagraphStyle
from docx.text.paragraph import Paragraph
from lxml.etree import _Element

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"

BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
LINE_PITCH = Pt(28.95)  # fixed spacing that fits 22 lines into the 225 mm type area
CHARS_PER_LINE = 28
LINES_PER_PAGE = 22

PAGE_WIDTH = Mm(210)
PAGE_HEIGHT = Mm(297)
TOP_MARGIN = Mm(37)
BOTTOM_MARGIN = Mm(35)
LEFT_MARGIN = Mm(28)
RIGHT_MARGIN = Mm(26)
TYPE_WIDTH = Emu(PAGE_WIDTH - LEFT_MARGIN - RIGHT_MARGIN)
# The page number line (one exact 14 pt line) starts 7 mm below the type area.
FOOTER_DISTANCE = Emu(BOTTOM_MARGIN - Mm(7) - PAGE_NUMBER_SIZE)

# w:charSpace is the character pitch's difference from the body size in 1/4096 pt; rounded down
# so that 28 characters never exceed the type area.
GRID_CHAR_SPACE = math.floor((TYPE_WIDTH.pt / CHARS_PER_LINE - BODY_SIZE.pt) * 4096)
# The same pitch as condensed character spacing (w:spacing, 1/20 pt), one twentieth tighter so
# that LibreOffice's rounding to 1/100 mm never pushes the 28th character onto the next line.
CHAR_SPACING_TWENTIETHS = math.floor((TYPE_WIDTH.pt / CHARS_PER_LINE - BODY_SIZE.pt) * 20) - 1
CHAR_ADVANCE_PT = BODY_SIZE.pt + CHAR_SPACING_TWENTIETHS / 20  # one body character, as laid out

EM_DASH = "\u2014"
LANGUAGE = "zh-CN"
APPLICATION = "chengbei-report"
SIGNATURE_STYLE = "Signature"
RUN_IN_STYLE = "Run-in Heading"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# A figure with what belongs to it: sign, digits, decimal point, %, 万/亿, 余/多 and its unit, or a
# rank such as 第二. It is never broken across lines: see keep_figures_whole.
UNITS = (
    "万元|亿元|平方公里|平方米|公顷|公里|人次|个百分点|百分点|"
    "[元米亩户家人起件处宗场个项次倍名所座条栋套间台辆吨年月日天位]"
)
FIGURE = re.compile(
    rf"(?<![A-Za-z0-9_.(])(?P<number>[-+−]?\d+(?:\.\d+)?[%％]?)(?P<unit>[万亿]?[余多]?(?:{UNITS})?)"
    r"|(?P<rank>第[一二三四五六七八九十百]+)"
)
FIGURE_LANGUAGE = "en-US"
WORD_JOINER = "2060"

HEADING1_PATTERN = re.compile(r"^[一二三四五六七八九十]+、")
HEADING2_PATTERN = re.compile(r"^（[一二三四五六七八九十]+）")
_OFFICIAL_STYLES = ("Title", "Heading 1", "Heading 2", SIGNATURE_STYLE)
_FONT_OF_STYLE = {
    "Title": TITLE_FONT,
    "Heading 1": HEADING1_FONT,
    "Heading 2": HEADING2_FONT,
    SIGNATURE_STYLE: BODY_FONT,
    "Normal": BODY_FONT,
}
# Run properties that would override the official fonts and sizes in a foreign document.
_RUN_FONT_TAGS = ("w:rFonts", "w:sz", "w:szCs", "w:spacing", "w:w", "w:kern")
_PARAGRAPH_LAYOUT_TAGS = ("w:spacing", "w:ind", "w:jc", "w:snapToGrid")
_EXTENDED_PROPERTIES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    f"<Application>{APPLICATION}</Application><DocSecurity>0</DocSecurity>"
    "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
    "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged></Properties>"
)


def apply_official_layout(document: DocxDocument, *, restyle: bool = False) -> None:
    """Give ``document`` the GB/T 9704 page, grid, styles, fonts and page numbers.

    ``restyle`` is for documents written elsewhere (a Word/WPS template, an edited draft):
    paragraphs numbered 一、 / （一） become headings, the first one the title; their runs name
    the official font of their style (as our writer's runs do), direct sizes, indents and
    spacing are removed, and figures are kept whole. A document's other styles (a table style,
    say) are left as they are.
    """
    _set_document_defaults(document)
    _define_styles(document)
    footer = _style(document, "Footer", WD_STYLE_TYPE.PARAGRAPH)
    for section in document.sections:
        set_up_page(section)
        _add_page_numbers(section, footer)
    _clean_package(document)
    if restyle:
        _restyle_paragraphs(document)


# --- fonts and styles -------------------------------------------------------------------------


def set_fonts(rpr: _Element, name: str) -> None:
    """Name ``name`` for Latin, East Asian and complex script text, with no theme font left over."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.attrib.clear()
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), name)
    fonts.set(qn("w:hint"), "eastAsia")


def set_language(rpr: _Element, language: str = LANGUAGE) -> None:
    """Mark text as Simplified Chinese so proofing and line breaking follow Chinese rules."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.attrib.clear()
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)
    lang.set(qn("w:bidi"), "ar-SA")


def _child(parent: _Element, tag: str) -> _Element:
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        parent.append(found)
    return found


def _set_document_defaults(document: DocxDocument) -> None:
    """Replace a template's theme fonts and English defaults with the body font and zh-CN."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr = _child(_child(defaults, "w:rPrDefault"), "w:rPr")
    set_fonts(rpr, BODY_FONT)
    set_language(rpr)
    for tag in ("w:sz", "w:szCs"):
        _child(rpr, tag).set(qn("w:val"), str(int(BODY_SIZE.pt * 2)))
    spacing = _child(_child(_child(defaults, "w:pPrDefault"), "w:pPr"), "w:spacing")
    spacing.attrib.clear()
    spacing.set(qn("w:after"), "0")
    settings = document.settings.element
    _child(settings, "w:themeFontLang").set(qn("w:eastAsia"), LANGUAGE)
    preview = settings.find(qn("w:savePreviewPicture"))
    if preview is not None:
        settings.remove(preview)
    document.settings.odd_and_even_pages_header_footer = True


def _reset(style: BaseStyle) -> None:
    """Drop a template's look (theme fonts, colours, borders, spacing) from a built-in style."""
    for tag in ("w:pPr", "w:rPr"):
        old = style.element.find(qn(tag))
        if old is not None:
            style.element.remove(old)


def _set_style_font(style: BaseStyle, font: str, size: Length) -> None:
    """Size through python-docx; the fonts by hand, since it would set the Latin one only."""
    style.font.size = size
    set_fonts(style.element.get_or_add_rPr(), font)


def set_chars(ppr: _Element, attribute: str, hundredths: int) -> None:
    """Indent in characters (Word's 字符 unit), which Word prefers over the absolute value."""
    ppr.get_or_add_ind().set(qn(f"w:{attribute}"), str(hundredths))


def _set_first_line(style: ParagraphStyle, chars: int) -> None:
    """First-line indent in body characters; 0 must be explicit to undo Normal's two."""
    style.paragraph_format.first_line_indent = Emu(BODY_SIZE * chars)
    set_chars(style.element.get_or_add_pPr(), "firstLineChars", chars * 100)


def _set_on_off(ppr: _Element, tag: str, on: bool) -> None:
    """A w:pPr switch in schema order (python-docx knows the order of its own children)."""
    for old in ppr.findall(qn(tag)):
        ppr.remove(old)
    element = OxmlElement(tag)
    element.set(qn("w:val"), "1" if on else "0")
    ppr.insert_element_before(element, *_AFTER[tag])


# Children of w:pPr that come after the switches we set (ECMA-376 CT_PPrBase sequence).
_TAIL = (
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_AFTER = {
    "w:overflowPunct": ("w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
                        "w:adjustRightInd", "w:snapToGrid", *_TAIL),
    "w:snapToGrid": _TAIL,
}  # fmt: skip


def _outline_level(style: ParagraphStyle, level: int) -> None:
    """Outline level makes the heading appear in Word's and WPS's navigation pane."""
    ppr = style.element.get_or_add_pPr()
    old = ppr.find(qn("w:outlineLvl"))
    if old is not None:
        ppr.remove(old)
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level))
    ppr.insert_element_before(outline, "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _condense(style: BaseStyle) -> None:
    """Character pitch of the grid (28 a line) as condensed spacing; see the module docstring."""
    rpr = style.element.get_or_add_rPr()
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.insert_element_before(spacing, "w:w", "w:kern", "w:position", "w:sz", "w:szCs",
                                  "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd",
                                  "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em",
                                  "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")  # fmt: skip
    spacing.set(qn("w:val"), str(CHAR_SPACING_TWENTIETHS))


def _define_body(style: ParagraphStyle) -> None:
    """正文: 仿宋 三号, two-character indent, exact 28.95 pt lines, justified, 28 a line."""
    _reset(style)
    _set_style_font(style, BODY_FONT, BODY_SIZE)
    _condense(style)
    set_language(style.element.get_or_add_rPr())
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.widow_control = True
    ppr = style.element.get_or_add_pPr()
    _set_on_off(ppr, "w:overflowPunct", False)  # punctuation stays inside the type area
    _set_on_off(ppr, "w:snapToGrid", False)
    _set_first_line(style, 2)


def _define_title(style: ParagraphStyle) -> None:
    """标题: 小标宋 二号 centred, followed by one empty line before the body."""
    _reset(style)
    _set_style_font(style, TITLE_FONT, TITLE_SIZE)
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style.paragraph_format.space_after = LINE_PITCH
    style.paragraph_format.keep_with_next = True
    _set_first_line(style, 0)


def _define_heading(style: ParagraphStyle, font: str, level: int) -> None:
    """一、 in 黑体 and （一） in 楷体, indented like body text, kept with the next paragraph."""
    _reset(style)
    _set_style_font(style, font, BODY_SIZE)
    style.paragraph_format.keep_with_next = True
    _outline_level(style, level)


def _define_run_in(style: BaseStyle) -> None:
    """The （一） part of a paragraph that goes on in body text: 楷体, no keep-with-next."""
    _reset(style)
    set_fonts(style.element.get_or_add_rPr(), HEADING2_FONT)


def _define_signature(style: ParagraphStyle) -> None:
    """署名/成文日期: right-aligned, two characters (absolute, so a paragraph can undo it) in."""
    _reset(style)
    _set_style_font(style, BODY_FONT, BODY_SIZE)
    fmt = style.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    fmt.right_indent = Emu(BODY_SIZE * 2)
    fmt.keep_with_next = True
    _set_first_line(style, 0)


def _define_footer(style: ParagraphStyle) -> None:
    """页码: 宋体 四号 on one exact line, outside the document grid."""
    _reset(style)
    _set_style_font(style, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = PAGE_NUMBER_SIZE
    _set_on_off(style.element.get_or_add_pPr(), "w:snapToGrid", False)
    spacing = style.element.get_or_add_rPr().find(qn("w:spacing"))
    if spacing is not None:
        spacing.getparent().remove(spacing)
    _set_first_line(style, 0)


def _style(document: DocxDocument, name: str, kind: WD_STYLE_TYPE) -> BaseStyle:
    """A style by its English name, added when a foreign template lacks it.

    Word stores built-in names in lower case (``heading 1``), LibreOffice as shown (``Heading
    1``); python-docx's ``styles[name]`` finds only Word's spelling and then falls back to the
    style id (with a warning), or misses and would add a second ``Heading1``. ``style.name``
    reads both spellings alike, so the style is looked up by it.
    """
    found = [s for s in document.styles if s.type == kind and s.name.casefold() == name.casefold()]
    return found[0] if found else document.styles.add_style(name, kind)


def _define_styles(document: DocxDocument) -> None:
    """Restyle the built-in styles Word and WPS know, so navigation and style lists work."""
    paragraph = WD_STYLE_TYPE.PARAGRAPH
    normal = _style(document, "Normal", paragraph)
    _define_body(normal)
    for name, define in (
        ("Title", _define_title),
        ("Heading 1", lambda s: _define_heading(s, HEADING1_FONT, 0)),
        ("Heading 2", lambda s: _define_heading(s, HEADING2_FONT, 1)),
        (SIGNATURE_STYLE, _define_signature),
        ("Footer", _define_footer),
    ):
        style = _style(document, name, paragraph)
        style.base_style = normal
        define(style)
    _define_run_in(_style(document, RUN_IN_STYLE, WD_STYLE_TYPE.CHARACTER))


# --- page -------------------------------------------------------------------------------------


def set_up_page(section: Section) -> None:
    """A4 with the GB/T 9704 type area (156 × 225 mm) and its 28 × 22 document grid."""
    section.page_width = PAGE_WIDTH
    section.page_height = PAGE_HEIGHT
    section.top_margin = TOP_MARGIN
    section.bottom_margin = BOTTOM_MARGIN
    section.left_margin = LEFT_MARGIN
    section.right_margin = RIGHT_MARGIN
    section.footer_distance = FOOTER_DISTANCE
    section.gutter = Emu(0)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.insert_element_before(grid, "w:printerSettings", "w:sectPrChange")
    grid.attrib.clear()
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH.twips))
    grid.set(qn("w:charSpace"), str(GRID_CHAR_SPACE))


def add_run(paragraph: Paragraph, text: str, font: str) -> _Element:
    """A run that names its font for every script, whatever its paragraph style says."""
    run = paragraph.add_run(text)
    set_fonts(run._r.get_or_add_rPr(), font)
    return run._r


def _fonted_run(child: _Element, font: str) -> _Element:
    """A bare w:r around ``child`` with its fonts named, as field parts must be built by hand."""
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    set_fonts(rpr, font)
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


def _fill_page_number(footer: _Footer, style: BaseStyle, *, odd: bool) -> None:
    """Page number "— N —": odd pages at the right, even at the left, one character in."""
    footer.is_linked_to_previous = False
    element = footer._element
    for old in list(element):
        element.remove(old)
    paragraph = footer.add_paragraph()
    paragraph.style = style
    fmt = paragraph.paragraph_format
    ppr = paragraph._p.get_or_add_pPr()
    if odd:
        fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = PAGE_NUMBER_SIZE
        set_chars(ppr, "rightChars", 100)
    else:
        fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
        fmt.left_indent = PAGE_NUMBER_SIZE
        set_chars(ppr, "leftChars", 100)
    add_run(paragraph, f"{EM_DASH} ", PAGE_NUMBER_FONT)
    paragraph._p.extend(_page_field(PAGE_NUMBER_FONT))
    add_run(paragraph, f" {EM_DASH}", PAGE_NUMBER_FONT)


def _add_page_numbers(section: Section, style: BaseStyle) -> None:
    section.different_first_page_header_footer = False
    _fill_page_number(section.footer, style, odd=True)
    _fill_page_number(section.even_page_footer, style, odd=False)


# --- figures ----------------------------------------------------------------------------------


def keep_figures_whole(paragraph: _Element) -> None:
    """Set each figure of the paragraph's plain text runs in runs that no client breaks.

    LibreOffice breaks Chinese text between any two characters (资源29 / 1人, 化解率99. / 07%),
    but text marked en-US by Unicode's rules: never between digits, nor around a word joiner.
    So a figure is marked en-US, with a hidden word joiner — a ``w:sym``, which python-docx and
    our readers do not count as text, in a ``w:vanish`` run, which Word and WPS neither show nor
    print — before each character that follows a digit or Chinese character of it. Word and WPS
    keep half-width digits, decimal point and % together as one word of their own.
    """
    for run in list(paragraph.iter(qn("w:r"))):
        children = [c for c in run if c.tag != qn("w:rPr")]
        if len(children) != 1 or children[0].tag != qn("w:t") or not children[0].text:
            continue
        text = children[0].text
        if not FIGURE.search(text):
            continue
        pieces = list(_figure_pieces(text))
        parent, index = run.getparent(), run.getparent().index(run)
        parent.remove(run)
        for offset, (piece, kind) in enumerate(pieces):
            parent.insert(index + offset, _run_like(run, piece, kind))


def _figure_pieces(text: str) -> Iterable[tuple[str, str]]:
    """``(text, kind)``: kind "" for plain text, "figure" for figure text, "joiner" between."""
    position = 0
    for match in FIGURE.finditer(text):
        if match.start() > position:
            yield text[position : match.start()], ""
        number, rest = match.group("number"), match.group("unit")
        if number is None:
            number, rest = "", match.group("rank")
        if number:
            yield number, "figure"
        for index, char in enumerate(rest):
            if number or index:
                yield "", "joiner"
            yield char, "figure"
        position = match.end()
    if position < len(text):
        yield text[position:], ""


def _run_like(model: _Element, text: str, kind: str) -> _Element:
    """A run with ``model``'s properties holding ``text``, a figure part, or a hidden joiner."""
    run = OxmlElement("w:r")
    model_rpr = model.find(qn("w:rPr"))
    rpr = copy.deepcopy(model_rpr) if model_rpr is not None else OxmlElement("w:rPr")
    run.append(rpr)
    if kind:
        set_language(rpr, FIGURE_LANGUAGE)
    if kind == "joiner":
        rpr.insert_element_before(OxmlElement("w:vanish"), *_RPR_AFTER_VANISH)
        fonts = rpr.find(qn("w:rFonts"))
        symbol = OxmlElement("w:sym")
        symbol.set(qn("w:font"), fonts.get(qn("w:eastAsia")) if fonts is not None else BODY_FONT)
        symbol.set(qn("w:char"), WORD_JOINER)
        run.append(symbol)
        return run
    element = OxmlElement("w:t")
    element.text = text
    if text != text.strip():
        element.set(XML_SPACE, "preserve")
    run.append(element)
    return run


_RPR_AFTER_VANISH = (
    "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs",
    "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl",
    "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
)  # fmt: skip


# --- package ----------------------------------------------------------------------------------


def _clean_package(document: DocxDocument) -> None:
    """No python-docx leftovers: its thumbnail, and app.xml naming Word and a page count of 1."""
    package = document.part.package
    for key, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(key)
        elif rel.reltype == RT.EXTENDED_PROPERTIES and not rel.is_external:
            rel.target_part._blob = _EXTENDED_PROPERTIES.encode()


# --- paragraphs of a foreign document ---------------------------------------------------------


def _strip(element: _Element | None, tags: Iterable[str]) -> None:
    if element is None:
        return
    for tag in tags:
        for found in element.findall(qn(tag)):
            element.remove(found)


def _official_style(paragraph: Paragraph, first: bool) -> str:
    """The official style of a paragraph of a foreign document, from its place and numbering."""
    current = paragraph.style.name if paragraph.style is not None else "Normal"
    if current in _OFFICIAL_STYLES:
        return current
    text = paragraph.text.strip()
    if HEADING1_PATTERN.match(text):
        return "Heading 1"
    if HEADING2_PATTERN.match(text) and text.count("。") <= 1 and text.endswith(("。", "）")):
        return "Heading 2"
    return "Title" if first else "Normal"


def _restyle_paragraphs(document: DocxDocument) -> None:
    """Top-level paragraphs get the official styles; their direct fonts and layout go."""
    first = True
    for paragraph in document.paragraphs:
        if not paragraph.text.strip():
            continue
        style = _official_style(paragraph, first)
        paragraph.style = _style(document, style, WD_STYLE_TYPE.PARAGRAPH)
        first = False
        if style != SIGNATURE_STYLE:  # the signature's and date's places are computed
            _strip(paragraph._p.pPr, _PARAGRAPH_LAYOUT_TAGS)
        for run in paragraph._p.iter(qn("w:r")):
            rpr = run.get_or_add_rPr()
            _strip(rpr, _RUN_FONT_TAGS)
            run_style = rpr.find(qn("w:rStyle"))
            run_in = run_style is not None and run_style.get(qn("w:val")) == "Run-inHeading"
            set_fonts(rpr, HEADING2_FONT if run_in else _FONT_OF_STYLE[style])
        keep_figures_whole(paragraph._p)
