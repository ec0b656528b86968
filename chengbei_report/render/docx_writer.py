"""Write the report's blocks as a .docx laid out per GB/T 9704-2012 (党政机关公文格式).

The page, grid, styles and page numbers come from :mod:`chengbei_report.render.layout`, which
every route shares; this module adds the paragraphs: headings as styled paragraphs, run-in
headings as body paragraphs with a styled run-in part, figures kept whole, and the signature
with the 成文日期 placed as GB/T 9704-2012 7.3.5.2 places them for a document without a seal.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, date, datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docx.text.paragraph import Paragraph

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
) -> bytes:
    """Build the .docx and return its bytes, identical for identical arguments.

    ``when`` dates the document: an aware time is stored in UTC, a naive one as it is.
    ``signed`` is the 成文日期 printed under the signature; without it there is no date line.
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


def _add_text(paragraph: Paragraph, text: str, font: str) -> None:
    """``text`` in ``font``, each figure in runs of its own that keep it whole."""
    add_run(paragraph, text, font)
    keep_figures_whole(paragraph._p)


def _add_block(document: DocxDocument, block: Block) -> Paragraph:
    """One paragraph; a 二级标题 followed by body text is a body paragraph with a run-in part."""
    if block.kind is BlockKind.HEADING2 and block.body:
        paragraph = document.add_paragraph(style="Normal")
        heading = paragraph.add_run(_clean(block.text), style=RUN_IN_STYLE)
        heading_rpr = heading._r.get_or_add_rPr()
        set_fonts(heading_rpr, HEADING2_FONT)
        _add_text(paragraph, _clean(block.body), BODY_FONT)
        return paragraph
    paragraph = document.add_paragraph(style=_STYLE_OF_KIND[block.kind])
    _add_text(paragraph, _clean(block.full_text), _FONT_OF_KIND[block.kind])
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
