"""Render a Word/WPS-authored .docx template with Jinja tags (docxtpl does the XML work).

The same figure filters as the text template are used, so the working paper and ``check``
work the same way; the layout is whatever the template's author set in Word.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

import jinja2

from chengbei_report.errors import TemplateError
from chengbei_report.render.blocks import Block, BlockKind
from chengbei_report.render.template import (
    CLOSE,
    MID,
    OPEN,
    Recorder,
    RenderedDocument,
    jinja_message,
    make_environment,
)

_HEADING1 = re.compile(r"^[一二三四五六七八九十]+、")
_HEADING2 = re.compile(r"^（[一二三四五六七八九十]+）")


def render_docx_template(path: Path, context: dict[str, Any]) -> RenderedDocument:
    from docxtpl import DocxTemplate

    recorder = Recorder()
    env = make_environment(path.parent, recorder)
    template = DocxTemplate(str(path))
    try:
        template.render(context, jinja_env=env, autoescape=False)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"Word 模板 {path.name} 有语法错误（第{exc.lineno}行附近）：{jinja_message(exc)}"
        ) from exc
    except (jinja2.UndefinedError, jinja2.exceptions.SecurityError, TypeError, ValueError) as exc:
        raise TemplateError(f"Word 模板 {path.name}：{jinja_message(exc)}") from exc
    blocks: list[Block] = []
    heading1 = heading2 = ""
    for paragraph in template.docx.paragraphs:
        marks = _strip_runs(paragraph.runs)
        text = paragraph.text.strip()
        if not text:
            continue
        if _HEADING1.match(text):
            heading1, heading2 = text[: text.index("、") + 1], ""
        elif _HEADING2.match(text):
            heading2 = text[: text.index("）") + 1]
        for index in marks:
            use = recorder.uses[index]
            use.block, use.section = len(blocks), heading1 + heading2
        blocks.append(Block(BlockKind.PARAGRAPH, text))
    buffer = BytesIO()
    template.save(buffer)
    return RenderedDocument(blocks, recorder.uses, docx=buffer.getvalue())


def _strip_runs(runs: list[Any]) -> list[int]:
    """Remove the sentinels from a paragraph's runs (a mark may span runs); return mark indices."""
    marks: list[int] = []
    in_index = False
    digits = ""
    for run in runs:
        kept = []
        for char in run.text:
            if char == OPEN:
                in_index, digits = True, ""
            elif char == MID:
                in_index = False
                marks.append(int(digits))
            elif char == CLOSE:
                continue
            elif in_index:
                digits += char
            else:
                kept.append(char)
        if len(kept) != len(run.text):
            run.text = "".join(kept)
    return marks
