"""The last guard before an output is written: no program-internal text in it.

Figures, sources and periods print as figures (``Figure.__str__``), and the templates refuse
any other object, so nothing here should ever match; if a future route forgets that, the run
stops with a message instead of sending ``Figure(code=…)`` or ``<… object at 0x…>`` to the
district in an official document.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

from chengbei_report.errors import OutputError

_NAMES = (
    *("Figure", "FigureUse", "CellSource", "LedgerSource"),
    *("Reading", "Period", "PeriodKind", "Decimal"),
)
_ANGLE = re.compile(r"<[A-Za-z_][\w.]*\.[A-Za-z_]\w*: [^>]*>")
_INTERNAL = re.compile(
    rf"(?<![A-Za-z0-9_])(?:{'|'.join(_NAMES)})\(|object at 0x[0-9a-fA-F]+|{_ANGLE.pattern}"
)


def internal_text(text: str) -> str | None:
    """The first piece of ``text`` that is a program's view of an object, with some context."""
    if not _may_hold_internal(text):
        return None
    match = _INTERNAL.search(text)
    if match is None:
        return None
    return text[max(0, match.start() - 10) : match.end() + 20]


def _may_hold_internal(text: str) -> bool:
    """What any match of ``_INTERNAL`` needs; substring tests are ~6x faster than the full
    pattern, whose lookbehind and alternation are tried at every position of a megabyte of XML."""
    return (
        any(f"{name}(" in text for name in _NAMES)
        or "object at 0x" in text
        or _ANGLE.search(text) is not None
    )


def refuse_internal_text(outputs: list[tuple[Path, bytes]]) -> None:
    """Refuse to write a set of outputs when any part of any of them holds internal text."""
    for path, data in outputs:
        for part, text in _parts(data):
            found = internal_text(text)
            if found is not None:
                raise OutputError(
                    f"{path.name} 中出现了程序内部的表示“{found}”（{part}），未写出任何文件。",
                    hint="这是模板或本工具的问题：请检查模板中该处的写法；若模板无误，请用 --debug 重试并报告。",
                )


def _parts(data: bytes) -> list[tuple[str, str]]:
    """The text of every XML part of a docx/xlsx (entities resolved), or the bytes as text."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return [("", data.decode("utf-8", errors="replace"))]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            (name, html.unescape(archive.read(name).decode("utf-8", errors="replace")))
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        ]
