"""The document as a list of blocks: what the text template produces and the .docx writer consumes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BlockKind(StrEnum):
    TITLE = "title"  # 方正小标宋简体 二号, centred
    HEADING1 = "heading1"  # 一、 黑体 三号
    HEADING2 = "heading2"  # （一） 楷体_GB2312 三号; may carry run-in body text
    PARAGRAPH = "paragraph"  # 仿宋_GB2312 三号, first line indented two characters
    SIGNATURE = "signature"  # 发文机关署名 / 成文日期, right-aligned


@dataclass
class Sections:
    """The 一、（一） numbering a paragraph falls under, kept as the headings go by.

    Both template routes (text and .docx) number the working paper's 章节 with it.
    """

    heading1: str = ""
    heading2: str = ""

    def enter(self, kind: BlockKind, numbering: str) -> None:
        """A heading of ``kind`` numbered ``numbering`` (``一、`` or ``（一）``) starts here."""
        if kind is BlockKind.HEADING1:
            self.heading1, self.heading2 = numbering, ""
        elif kind is BlockKind.HEADING2:
            self.heading2 = numbering

    @property
    def current(self) -> str:
        return self.heading1 + self.heading2


@dataclass(frozen=True)
class Block:
    """One paragraph of the document.

    For a HEADING2 with run-in text (``（一）坚持党建引领，筑牢基层党建阵地。推动…``) the heading
    part is ``text`` and the rest of the paragraph is ``body``, set in the body font.
    """

    kind: BlockKind
    text: str
    body: str = ""
    # (start, end, bookmark name) of every figure, as offsets into ``full_text``
    figures: tuple[tuple[int, int, str], ...] = ()

    @property
    def full_text(self) -> str:
        return self.text + self.body
