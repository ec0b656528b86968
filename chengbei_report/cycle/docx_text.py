"""A paragraph of a .docx as text with offsets: find, isolate, replace and wrap ranges of it.

Word and LibreOffice split text into runs as they please (``54`` and ``家``); everything here
works on the paragraph's text and splits runs only where a range begins or ends, copying the
run's formatting, so an edit touches the characters it means and nothing else.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml.etree import _Element

W_P, W_R, W_T = qn("w:p"), qn("w:r"), qn("w:t")
W_DEL = qn("w:del")
BOOKMARK_START, BOOKMARK_END = qn("w:bookmarkStart"), qn("w:bookmarkEnd")
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
AUTHOR = "chengbei-report"


def body_paragraphs(body: _Element) -> list[_Element]:
    """Paragraphs with text, body and tables, as ``check`` counts them (a text box once)."""
    found = []
    for paragraph in body.iter(W_P):
        if any(a.tag == _MC_FALLBACK for a in paragraph.iterancestors()):
            continue
        if paragraph_text(paragraph).strip():
            found.append(paragraph)
    return found


def _owner(element: _Element) -> _Element | None:
    return next(element.iterancestors(W_P), None)


def text_nodes(paragraph: _Element) -> list[_Element]:
    """The paragraph's own ``w:t`` (not a text box's, not deleted text)."""
    return [
        t
        for t in paragraph.iter(W_T)
        if _owner(t) is paragraph and not any(a.tag == W_DEL for a in t.iterancestors())
    ]


def paragraph_text(paragraph: _Element) -> str:
    return "".join(t.text or "" for t in text_nodes(paragraph))


def strip_offset(paragraph: _Element) -> int:
    """Leading white space ``check`` strips: its offsets count from the first visible character."""
    text = paragraph_text(paragraph)
    return len(text) - len(text.lstrip())


@dataclass(frozen=True)
class Bookmark:
    name: str
    start: int  # offsets in the paragraph text
    end: int
    paragraph: _Element


def bookmarks(body: _Element) -> Iterator[Bookmark]:
    """Every bookmark that starts and ends in one paragraph, with its text range."""
    for paragraph in body.iter(W_P):
        yield from paragraph_bookmarks(paragraph)


def paragraph_bookmarks(paragraph: _Element) -> list[Bookmark]:
    return _ranges(paragraph, BOOKMARK_START, BOOKMARK_END, qn("w:name"))


def comment_ranges(paragraph: _Element) -> list[Bookmark]:
    """Comments anchored in the paragraph, named by their id."""
    return _ranges(paragraph, qn("w:commentRangeStart"), qn("w:commentRangeEnd"), qn("w:id"))


def _ranges(paragraph: _Element, start_tag: str, end_tag: str, name: str) -> list[Bookmark]:
    """Ranges between start and end markers of one id, as offsets in the paragraph text."""
    found = []
    position, open_ = 0, {}
    nodes = set(text_nodes(paragraph))
    for element in paragraph.iter(start_tag, end_tag, W_T):
        if element.tag == W_T:
            if element in nodes:
                position += len(element.text or "")
        elif element.tag == start_tag and _owner(element) is paragraph:
            open_[element.get(qn("w:id"))] = (element.get(name, ""), position)
        elif element.tag == end_tag and element.get(qn("w:id")) in open_:
            label, start = open_.pop(element.get(qn("w:id")))
            found.append(Bookmark(label, start, position, paragraph))
    return found


def find_bookmark(paragraph: _Element, name: str) -> Bookmark | None:
    return next((b for b in paragraph_bookmarks(paragraph) if b.name == name), None)


def _split_run(run: _Element, at: int) -> None:
    """Split a run with one ``w:t`` at a character offset; the right part follows it."""
    t = run.find(W_T)
    text = t.text or ""
    right = copy.deepcopy(run)
    t.text, right.find(W_T).text = text[:at], text[at:]
    for node in (t, right.find(W_T)):
        node.set(XML_SPACE, "preserve")
    run.addnext(right)


def _explode(run: _Element) -> None:
    """One run per ``w:t`` (and per other content), each with the run's formatting."""
    rpr = run.find(qn("w:rPr"))
    content = [child for child in run if child.tag != qn("w:rPr")]
    if sum(1 for c in content if c.tag == W_T) <= 1 and len(content) <= 1:
        return
    anchor = run
    for child in content:
        piece = OxmlElement("w:r")
        if rpr is not None:
            piece.append(copy.deepcopy(rpr))
        piece.append(child)
        anchor.addnext(piece)
        anchor = piece
    run.getparent().remove(run)


def _runs(paragraph: _Element) -> list[tuple[_Element, int, int]]:
    """(run, start, end) of each run holding the paragraph's own text."""
    found, position = [], 0
    for t in text_nodes(paragraph):
        length = len(t.text or "")
        found.append((t.getparent(), position, position + length))
        position += length
    return found


def _cut(paragraph: _Element, offset: int) -> None:
    for run, start, end in _runs(paragraph):
        if start < offset < end:
            _explode(run)
            break
    for run, start, end in _runs(paragraph):
        if start < offset < end:
            _split_run(run, offset - start)
            return


def isolate(paragraph: _Element, start: int, end: int) -> list[_Element]:
    """The runs that hold exactly the characters ``start:end``, splitting runs as needed."""
    _cut(paragraph, start)
    _cut(paragraph, end)
    return [run for run, a, b in _runs(paragraph) if a >= start and b <= end and b > a]


def replace_text(paragraph: _Element, start: int, end: int, text: str) -> list[_Element]:
    """Put ``text`` in place of ``start:end`` in the first run of the range; drop the rest."""
    runs = isolate(paragraph, start, end)
    if not runs:
        raise ValueError("empty range")
    first = runs[0].find(W_T)
    first.text = text
    first.set(XML_SPACE, "preserve")
    for run in runs[1:]:
        for t in run.findall(W_T):
            run.remove(t)
    _drop_glue(runs[0], runs[-1])
    return runs[:1]


_GLUE = {qn("w:rPr"), W_T, qn("w:sym")}


def _drop_glue(first: _Element, last: _Element) -> None:
    """Remove the emptied runs of a replaced range and the hidden joiners between its pieces.

    The official layout keeps a figure whole with hidden word-joiner runs (``w:sym``); once the
    figure is one run again they would only accumulate. Runs holding anything else (a comment
    reference, a drawing) stay.
    """
    parent, run = first.getparent(), first.getnext()
    stop = last.getnext()
    while run is not None and run is not stop:
        following = run.getnext()
        if run.tag == W_R and {c.tag for c in run} <= _GLUE and run.find(W_T) is None:
            parent.remove(run)
        run = following


def wrap_bookmark(paragraph: _Element, start: int, end: int, name: str, ident: int) -> None:
    """Put a new bookmark ``name`` around ``start:end``."""
    runs = isolate(paragraph, start, end)
    begin = OxmlElement("w:bookmarkStart")
    begin.set(qn("w:id"), str(ident))
    begin.set(qn("w:name"), name)
    finish = OxmlElement("w:bookmarkEnd")
    finish.set(qn("w:id"), str(ident))
    runs[0].addprevious(begin)
    runs[-1].addnext(finish)


def remove_bookmark(paragraph: _Element, name: str) -> None:
    for start in paragraph.iter(BOOKMARK_START):
        if start.get(qn("w:name")) == name:
            ident = start.get(qn("w:id"))
            start.getparent().remove(start)
            for end in paragraph.iter(BOOKMARK_END):
                if end.get(qn("w:id")) == ident:
                    end.getparent().remove(end)
                    break
            return


def next_bookmark_id(body: _Element) -> int:
    ids = [
        int(b.get(qn("w:id"))) for b in body.iter(BOOKMARK_START) if b.get(qn("w:id"), "").isdigit()
    ]
    return max(ids, default=0) + 1


def highlight(runs: list[_Element], colour: str = "yellow") -> None:
    """Highlighting that Word, WPS and LibreOffice all show."""
    for run in runs:
        rpr = run.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            run.insert(0, rpr)
        for old in rpr.findall(qn("w:highlight")):
            rpr.remove(old)
        mark = OxmlElement("w:highlight")
        mark.set(qn("w:val"), colour)
        rpr.append(mark)


def comment(document: Any, runs: list[_Element], text: str, when: datetime) -> None:
    """A Word comment by this tool on ``runs``, dated ``when`` so that outputs are reproducible."""
    from docx.text.run import Run

    paragraph = _owner(runs[0])
    anchored = [Run(run, paragraph) for run in runs]  # type: ignore[arg-type]
    note = document.add_comment(anchored, text=text, author=AUTHOR, initials="CB")
    note._comment_elm.date = when


def remove_own_comments(document: Any) -> None:
    """Drop the comments this tool wrote (a published report carries none of its review notes)."""
    ours = {str(c.comment_id) for c in document.comments if c.author == AUTHOR}
    if not ours:
        return
    tags = (qn("w:commentRangeStart"), qn("w:commentRangeEnd"), qn("w:commentReference"))
    for element in list(document.element.body.iter(*tags)):
        if element.get(qn("w:id")) in ours:
            parent = element.getparent()
            parent.remove(element)
            if parent.tag == W_R and not [c for c in parent if c.tag != qn("w:rPr")]:
                parent.getparent().remove(parent)
    root = document.part._comments_part.element
    for note in list(root):
        if note.get(qn("w:id")) in ours:
            root.remove(note)


def reset_bookmark(paragraph: _Element, name: str, start: int, end: int) -> None:
    """Put bookmark ``name`` exactly around ``start:end`` again (its id kept)."""
    ident = None
    for element in paragraph.iter(BOOKMARK_START):
        if element.get(qn("w:name")) == name:
            ident = element.get(qn("w:id"))
    if ident is None or not ident.isdigit():
        return
    remove_bookmark(paragraph, name)
    wrap_bookmark(paragraph, start, end, name, int(ident))
