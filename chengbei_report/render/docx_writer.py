"""Write the report's blocks as a .docx laid out per GB/T 9704-2012 (党政机关公文格式).

The page, grid, styles and page numbers come from :mod:`chengbei_report.render.layout`, which
every route shares; this module adds the paragraphs: headings as styled paragraphs, run-in
headings as body paragraphs with a styled run-in part, figures kept whole, and the signature
with the 成文日期 placed as GB/T 9704-2012 7.3.5.2 places them for a document without a seal.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from lxml import etree
from lxml.etree import _Element

from chengbei_report.render.blocks import Block, BlockKind
from chengbei_report.render.layout import (
    BODY_FONT,
    CHAR_ADVANCE_PT,
    HEADING1_FONT,
    HEADING2_FONT,
    LANGUAGE,
    LINE_PITCH,
    RUN_IN_STYLE,
    SIGNATURE_STYLE,
    TITLE_FONT,
    TYPE_WIDTH,
    add_run,
    apply_official_layout,
    keep_figures_whole,
    set_fonts,
)
from chengbei_report.render.output import deterministic_zip, strip_xml_illegal

SIGNATURE_OFFSET_CHARS = 2  # 7.3.5.2: right indent, and the date's offset from the office

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
    subject: str = "",
    signed: date | None = None,
    properties: Mapping[str, str] | None = None,
) -> bytes:
    """Build the .docx and return its bytes, identical for identical arguments.

    ``when`` dates the document: an aware time is stored in UTC, a naive one as it is.
    ``signed`` is the 成文日期 printed under the signature; without it there is no date line.
    Each block's figures are wrapped in bookmarks of their names; ``properties`` become custom
    document properties (docProps/custom.xml), where the figures' bindings are kept.
    """
    document = Document()
    apply_official_layout(document)
    body = [b for b in blocks if b.kind is not BlockKind.SIGNATURE]
    for block in body:
        _add_block(document, block)
    signature = [_clean(b.text) for b in blocks if b.kind is BlockKind.SIGNATURE]
    _add_signature(document, signature, date_line(signed) if signed else None)
    set_properties(
        document, title=_clean(title), subject=_clean(subject), author=_clean(author), when=when
    )
    if properties:
        set_custom_properties(document, properties)
    buffer = io.BytesIO()
    document.save(buffer)
    return deterministic_zip(buffer.getvalue(), when)


def date_line(day: date) -> str:
    """成文日期 in Arabic numerals, month and day without a leading zero (7.3.5.4)."""
    return f"{day.year}年{day.month}月{day.day}日"


def sign_document(document: DocxDocument, office: str, day: date) -> None:
    """Put the 成文日期 under a finished document's signature, placed as ``write_document`` does.

    The signature is the last paragraph when it reads ``office`` or has the signature style;
    it is written again with the date. A document without the official styles (official_layout
    = false) gets both right-aligned.
    """
    filled = [p for p in document.paragraphs if p.text.strip()]
    names: list[str] = []
    if filled:
        last = filled[-1]
        style = last.style.name if last.style is not None else ""
        if last.text.strip() == office.strip() or style == SIGNATURE_STYLE:
            names.append(last.text.strip())
            last._p.getparent().remove(last._p)
    if SIGNATURE_STYLE in {style.name for style in document.styles}:
        _add_signature(document, names, date_line(day))
        return
    for text in [*names, date_line(day)]:
        document.add_paragraph(text).paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _clean(text: str) -> str:
    """Text lxml accepts; the caller has already reported what is dropped."""
    return strip_xml_illegal(text)[0]


# --- content ----------------------------------------------------------------------------------


def _add_text(
    paragraph: Paragraph,
    text: str,
    font: str,
    figures: Sequence[tuple[int, int, str]] = (),
    offset: int = 0,
) -> None:
    """``text`` in ``font``, each figure in runs of its own that keep it whole.

    ``figures`` are (start, end, bookmark) in a text of which ``text`` begins at ``offset``;
    each is put between ``w:bookmarkStart`` and ``w:bookmarkEnd``.
    """
    own = [(a - offset, b - offset, n) for a, b, n in figures if offset <= a < offset + len(text)]
    for start, end, name in _segments(len(text), own):
        if name:
            paragraph._p.append(_bookmark("w:bookmarkStart", name))
        add_run(paragraph, _clean(text[start:end]), font)
        if name:
            paragraph._p.append(_bookmark("w:bookmarkEnd", name))
    keep_figures_whole(paragraph._p)


def _segments(length: int, figures: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """``0:length`` cut around each figure: (start, end, bookmark name, "" for plain text)."""
    cuts = {0, length}
    for start, end, _name in figures:
        cuts.update((start, end))
    names = {start: (end, name) for start, end, name in figures}
    return [
        (a, b, names[a][1] if a in names and names[a][0] == b else "")
        for a, b in itertools.pairwise(sorted(cuts))
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


def _add_block(document: DocxDocument, block: Block) -> Paragraph:
    """One paragraph; a 二级标题 followed by body text is a body paragraph with a run-in part."""
    if block.kind is BlockKind.HEADING2 and block.body:
        paragraph = document.add_paragraph(style="Normal")
        heading = paragraph.add_run(_clean(block.text), style=RUN_IN_STYLE)
        heading_rpr = heading._r.get_or_add_rPr()
        set_fonts(heading_rpr, HEADING2_FONT)
        _add_text(paragraph, block.body, BODY_FONT, block.figures, len(block.text))
        return paragraph
    paragraph = document.add_paragraph(style=_STYLE_OF_KIND[block.kind])
    _add_text(paragraph, block.full_text, _FONT_OF_KIND[block.kind], block.figures)
    return paragraph


# Half-width digits of 仿宋 faces are 0.5–0.55 em; the larger keeps a date that is longer than
# the office's name from being placed as the shorter one and running into the margin.
HALF_WIDTH_EM = 0.55


def text_width_pt(text: str) -> float:
    """Width of body text as laid out: full-width characters one advance, digits about half."""
    half = HALF_WIDTH_EM * 16 + (CHAR_ADVANCE_PT - 16)
    return sum(CHAR_ADVANCE_PT if ord(c) >= 0x2E80 else half for c in text)


def _add_signature(document: DocxDocument, names: list[str], dated: str | None) -> None:
    """发文机关署名 and 成文日期 (7.3.5.2): one empty line below the body, the office two
    characters from the right, the date's first character two characters right of the
    office's; a longer date is the one two characters from the right, the office moves left.
    """
    lines = [*names, dated] if dated else names
    if not lines:
        return
    body = document.paragraphs
    if body:
        body[-1].paragraph_format.keep_with_next = True  # no page holds only the signature
    paragraphs = [document.add_paragraph(style=SIGNATURE_STYLE) for _ in lines]
    for paragraph, text in zip(paragraphs, lines, strict=True):
        _add_text(paragraph, text, BODY_FONT)
    paragraphs[0].paragraph_format.space_before = LINE_PITCH  # 正文下空一行编排署名
    paragraphs[-1].paragraph_format.keep_with_next = False
    if not dated or not names:
        return
    office, day = paragraphs[-2], paragraphs[-1]
    offset = SIGNATURE_OFFSET_CHARS * 16.0
    office_width, date_width = text_width_pt(names[-1]), text_width_pt(dated)
    if date_width <= office_width:
        _start_at(day, TYPE_WIDTH.pt - offset - office_width + offset)
    else:
        _start_at(office, TYPE_WIDTH.pt - offset - date_width - offset)


def _start_at(paragraph: Paragraph, left_pt: float) -> None:
    """Left-aligned at ``left_pt`` from the left edge of the type area, on one line.

    The right indent may reach into the margin: Word's and LibreOffice's extra space between
    Chinese characters and digits makes a date a little wider than its characters, and it must
    not wrap.
    """
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
    fmt.left_indent = Pt(round(left_pt, 1))
    fmt.right_indent = -Pt(SIGNATURE_OFFSET_CHARS * 16)


def set_properties(
    document: DocxDocument, *, title: str, subject: str, author: str, when: datetime
) -> None:
    """Core properties from the arguments only, so two builds are byte-identical."""
    props = document.core_properties
    stamp = when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when
    props.title = title
    props.subject = subject
    props.author = author
    props.last_modified_by = author
    props.created = stamp
    props.modified = stamp
    props.revision = 1
    props.language = LANGUAGE
    props.comments = ""
    props.keywords = ""
    props.category = ""


# --- custom document properties (where the cycle keeps its bindings) ---------------------------

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
