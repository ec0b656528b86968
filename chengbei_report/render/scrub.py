"""Remove characters Word cannot store from the rendered document, and say where they came from.

Control characters (a vertical tab pasted from another program, a stray ``\\x07``) would make the
.docx unreadable, so they are dropped; each drop is a warning naming its origin — the workbook
cell behind a figure, the template line, or the ``[unit]`` entry of workspace.toml — so the
clerk can clean the source rather than wonder why the text changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from chengbei_report.codes import TEXT_XML_ILLEGAL
from chengbei_report.findings import Finding
from chengbei_report.render.output import strip_xml_illegal
from chengbei_report.render.template import RenderedDocument


def scrub_document(
    rendered: RenderedDocument, template: Path, unit: Mapping[str, str]
) -> list[Finding]:
    """Clean every block of ``rendered`` in place; one warning per block that lost characters."""
    findings: list[Finding] = []
    for index, block in enumerate(rendered.blocks):
        text, text_dropped = strip_xml_illegal(block.text)
        body, body_dropped = strip_xml_illegal(block.body)
        if not (text_dropped or body_dropped):
            continue
        dropped = {c for c in block.full_text if c not in text + body}
        rendered.blocks[index] = replace(block, text=text, body=body)
        findings.append(_warning(index, dropped, _origin(rendered, index, dropped, template, unit)))
    return findings


def _origin(
    rendered: RenderedDocument,
    index: int,
    dropped: set[str],
    template: Path,
    unit: Mapping[str, str],
) -> Finding:
    """Where the characters came from, as a finding with the location filled in."""
    for use in rendered.uses:
        if use.block == index and dropped & set(use.text):
            # a figure shows a formatted number and its catalog unit: the unit holds the char
            code = use.figure.code
            return _located("catalog.toml", cell=f"指标 {code} 的单位", indicator=code)
    line = _template_line(template, dropped)
    if line is not None:
        return _located(template.name, cell=f"第{line}行")
    for key, value in unit.items():
        if dropped & set(value):
            return _located("workspace.toml", cell=f"[unit] {key}")
    return _located(template.name)


def _template_line(template: Path, dropped: set[str]) -> int | None:
    """The first line of a text template holding one of ``dropped``; None for a .docx template."""
    if template.suffix.lower() == ".docx" or not template.is_file():
        return None
    lines = template.read_text(encoding="utf-8", errors="replace").split("\n")
    return next((n for n, line in enumerate(lines, 1) if dropped & set(line)), None)


def _located(file: str, cell: str = "", indicator: str = "") -> Finding:
    """Where the characters came from; the message is written once the paragraph is known."""
    return TEXT_XML_ILLEGAL.make("", file=file, cell=cell, indicator=indicator)


def _warning(index: int, dropped: set[str], origin: Finding) -> Finding:
    chars = "、".join(f"U+{ord(c):04X}" for c in sorted(dropped))
    source = " ".join(filter(None, (origin.file, origin.location())))
    return TEXT_XML_ILLEGAL.make(
        paragraph=index + 1,
        chars=chars,
        source=source,
        file=origin.file,
        cell=origin.cell,
        indicator=origin.indicator,
    )
