"""Render a Word/WPS-authored .docx template with Jinja tags (docxtpl does the XML work).

The same figure filters as the text template are used, so the working paper and ``check``
work the same way. The written document gets the official layout (page, grid, styles, fonts,
page numbers) like every other route, unless the workspace turns that off; styles of the
template's own (a table style, say) stay. Values are XML-escaped (autoescape), so a ``&`` in a
name cannot break the document, and an error names the paragraph of the template it comes from.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from docx.oxml.ns import qn

from chengbei_report.errors import TemplateError
from chengbei_report.render.blocks import Block, BlockKind, Sections
from chengbei_report.render.sandbox import RenderLimits
from chengbei_report.render.template import (
    CLOSE,
    MID,
    OPEN,
    Recorder,
    RenderedDocument,
    make_environment,
    template_errors,
)

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_HEADING1 = re.compile(r"^[一二三四五六七八九十]+、")
_HEADING2 = re.compile(r"^（[一二三四五六七八九十]+）")


def render_docx_template(
    path: Path,
    context: dict[str, Any],
    roots: Sequence[Path],
    limits: RenderLimits | None = None,
) -> RenderedDocument:
    """Render a Word template; its includes, like a text template's, come from ``roots`` only."""
    from docxtpl import DocxTemplate

    recorder = Recorder()
    env = make_environment(roots, recorder, limits=limits)
    template = DocxTemplate(str(path))
    _open(template, path)
    with template_errors(path, lambda line: _paragraph(template, line), frame_name="<template>"):
        env.start()
        template.render(context, jinja_env=env, autoescape=True)
    blocks = _locate_uses(template.docx, recorder)
    buffer = BytesIO()
    template.save(buffer)
    return RenderedDocument(
        blocks, recorder.uses, docx=buffer.getvalue(), findings=recorder.findings
    )


def _open(template: Any, path: Path) -> None:
    """Load the template's package; a file that is no .docx is the user's, not a crash."""
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        template.init_docx()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, XMLSyntaxError, OSError) as exc:
        raise TemplateError(
            f"模板 {path.name} 不是有效的 Word 文档（.docx），无法打开。",
            hint="请用 Word 或 WPS 打开后“另存为”.docx；文本模板请用 .md.j2 作扩展名。",
        ) from exc


_PARAGRAPH_START = re.compile(r"<w:p[ >]")


def _paragraph(template: Any, line: int) -> str:
    """``第5段（“增速全区{{ cur.x }}…”）`` for a line of the source docxtpl compiled.

    docxtpl starts every ``<w:p>`` of the part on a new line before Jinja compiles it, so the
    line number of an error is the paragraph it lies in; paragraphs count as in ``check``
    (non-empty ones, from 1). Headers, footers and notes are compiled apart and named so.
    """
    part = getattr(template, "current_rendering_part", None)
    main = template.docx.part
    if part is not None and part is not main:
        return "页眉、页脚或脚注中"
    source = template.patch_xml(template.get_xml())
    lines = _PARAGRAPH_START.sub(lambda m: "\n" + m.group(0), source).splitlines()
    if not 1 <= line <= len(lines):
        return ""
    texts = [_text(chunk) for chunk in lines[:line] if _PARAGRAPH_START.match(chunk)]
    if not texts or not texts[-1]:
        return "（空白段落附近）"
    number = sum(1 for text in texts if text)
    excerpt = texts[-1] if len(texts[-1]) <= 30 else texts[-1][:30] + "…"
    return f"第{number}段（“{excerpt}”）"


def _text(xml: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", xml)).strip()


WORD_STARTER = "work_summary.docx"
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)


def word_starter(text_template: Path, *, when: datetime) -> bytes:
    """A text template as a Word document in the official layout, its Jinja tags kept as text.

    Opened in Word or WPS it reads like the report, and ``build --template`` renders it through
    docxtpl like any Word template; ``{% %}`` statements spanning paragraphs are not supported.
    """
    from chengbei_report.render.docx_writer import write_document
    from chengbei_report.render.template import split_blocks

    source = _JINJA_COMMENT.sub("", text_template.read_text(encoding="utf-8"))
    blocks = split_blocks(source, []).blocks
    return write_document(blocks, title="工作总结（Word 模板）", author="", when=when)


def finish_document(
    data: bytes,
    *,
    title: str,
    subject: str,
    author: str,
    when: datetime,
    official_layout: bool = True,
    signed: date | None = None,
) -> bytes:
    """The rendered template in the official layout, with our properties, reproducibly zipped.

    ``signed`` is the 成文日期 put under the signature, as the text route prints it.
    """
    import docx

    from chengbei_report.render.docx_writer import set_properties, sign_document
    from chengbei_report.render.layout import apply_official_layout
    from chengbei_report.render.output import deterministic_zip

    document = docx.Document(BytesIO(data))
    if official_layout:
        apply_official_layout(document, restyle=True)
    if signed is not None:
        sign_document(document, author, signed)
    set_properties(document, title=title, subject=subject, author=author, when=when)
    buffer = BytesIO()
    document.save(buffer)
    return deterministic_zip(buffer.getvalue(), when)


def _locate_uses(document: Any, recorder: Recorder) -> list[Block]:
    """Strip the marks from every paragraph (body, tables, text boxes, headers, footers).

    Body paragraphs become blocks that the uses point to; a mark that survives anywhere would
    print its index digits next to the figure, so that is an error rather than a wrong number.
    """
    blocks: list[Block] = []
    sections = Sections()
    body = document.element.body
    for paragraph in body.iter(qn("w:p")):
        marks, text = _strip_paragraph(paragraph)
        if not text:
            continue
        if _HEADING1.match(text):
            sections.enter(BlockKind.HEADING1, text[: text.index("、") + 1])
        elif _HEADING2.match(text):
            sections.enter(BlockKind.HEADING2, text[: text.index("）") + 1])
        for index in marks:
            use = recorder.uses[index]
            use.block, use.section = len(blocks), sections.current
        blocks.append(Block(BlockKind.PARAGRAPH, text))
    for part in _other_parts(document):
        for paragraph in part.iter(qn("w:p")):
            _strip_paragraph(paragraph)
    for element in (body, *_other_parts(document)):
        if any(
            mark in (node.text or "")
            for node in element.iter(qn("w:t"))
            for mark in (OPEN, MID, CLOSE)
        ):
            raise TemplateError(
                "Word 模板中有数字标记未能去除（标记被拆进了不同的段落），请把该 {{ }} 标签放在同一段内。"
            )
    return blocks


def _other_parts(document: Any) -> list[Any]:
    """Header, footer and note parts: everything with text except the main body."""
    main = document.part
    return [
        part.element
        for part in main.package.iter_parts()
        if part is not main
        and getattr(part, "element", None) is not None
        and part.element.tag.startswith(f"{{{_W}}}")
    ]


def _strip_paragraph(paragraph: Any) -> tuple[list[int], str]:
    """Remove the marks from one paragraph's own text nodes (a mark may span runs)."""
    nodes = [t for t in paragraph.iter(qn("w:t")) if next(t.iterancestors(qn("w:p"))) is paragraph]
    marks: list[int] = []
    in_index = False
    digits = ""
    for node in nodes:
        kept = []
        for char in node.text or "":
            if char == OPEN:
                in_index, digits = True, ""
            elif char == MID:
                in_index = False
                if digits.isdigit():  # a year label ("y0") is not a figure use
                    marks.append(int(digits))
            elif char == CLOSE:
                continue
            elif in_index:
                digits += char
            else:
                kept.append(char)
        if len(kept) != len(node.text or ""):
            node.text = "".join(kept)
    return marks, "".join(node.text or "" for node in nodes).strip()
