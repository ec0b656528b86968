"""Check a hand-edited report: is every figure in the .docx still the figure the data gives?

The expected document is rendered again in memory, so each expected paragraph knows which of
its figures come from which indicator.  Edited paragraphs are aligned to expected ones with
difflib, then the figures of each pair are aligned the same way: a figure that differs from its
expected counterpart is an error; a figure the template wrote literally (a plan, a date, a
name such as 8890) or that an editor added has no source and is listed for a person to confirm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from enum import StrEnum
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from chengbei_report.compute.figures import FigureUse
from chengbei_report.decimals import exact_text
from chengbei_report.errors import UsageError
from chengbei_report.periods import Period
from chengbei_report.read.numbers_text import FigureMatch, find_figures

_CONTEXT = 12  # characters of context either side of a figure
_SIMILAR = 0.5  # an edited paragraph still "is" the expected one above this similarity
_WORD = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_P, _T = f"{{{_WORD}}}p", f"{{{_WORD}}}t"

Key = tuple[Decimal, bool, str, str, bool, bool]


class Status(StrEnum):
    OK = "一致"
    MISMATCH = "不符"
    UNSOURCED = "待确认"


@dataclass(frozen=True)
class CheckItem:
    """One figure of the document; ``paragraph`` counts non-empty paragraphs from 1."""

    paragraph: int
    status: Status
    text: str
    context: str
    message: str = ""
    expected_text: str = ""
    expected_value: Decimal | None = None
    indicator: str = ""
    indicator_name: str = ""
    period: str = ""
    candidate: str = ""  # for 待确认: the period's figure it reads the same as, if any

    def to_dict(self) -> dict[str, Any]:
        return {
            "paragraph": self.paragraph,
            "status": self.status.value,
            "text": self.text,
            "context": self.context,
            "message": self.message,
            "expected_text": self.expected_text,
            "expected_value": exact_text(self.expected_value),
            "indicator": self.indicator,
            "indicator_name": self.indicator_name,
            "period": self.period,
            "candidate": self.candidate,
        }


@dataclass
class CheckResult:
    document: Path
    period: Period
    paragraphs: int
    items: list[CheckItem] = field(default_factory=list)

    def _with(self, status: Status) -> list[CheckItem]:
        return [item for item in self.items if item.status is status]

    @property
    def matched(self) -> list[CheckItem]:
        return self._with(Status.OK)

    @property
    def mismatches(self) -> list[CheckItem]:
        return self._with(Status.MISMATCH)

    @property
    def unsourced(self) -> list[CheckItem]:
        return self._with(Status.UNSOURCED)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "document": str(self.document),
            "period": self.period.code,
            "paragraphs": self.paragraphs,
            "figures": len(self.items),
            "matched": len(self.matched),
            "mismatches": len(self.mismatches),
            "unsourced": len(self.unsourced),
            "items": [item.to_dict() for item in self.items],
        }


@dataclass(frozen=True)
class _Expected:
    """A figure of the expected text: from a figure use, or a literal of the template."""

    match: FigureMatch
    use: FigureUse | None


def compare_report(
    docx: Path, paragraphs: list[str], period: Period, texts: list[str], uses: list[FigureUse]
) -> CheckResult:
    """Match every figure of ``paragraphs`` (read from ``docx``) against the expected document.

    ``texts`` are the expected paragraphs; ``uses`` their figures, each naming its paragraph.
    """
    expected = [
        _expected_figures(text, [u for u in uses if u.block == index])
        for index, text in enumerate(texts)
    ]
    index = {_key(e.match): e.use for figures in expected for e in figures if e.use}
    pairs = align_paragraphs(texts, paragraphs)
    result = CheckResult(document=docx, period=period, paragraphs=len(paragraphs))
    for number, text in enumerate(paragraphs):
        found = find_figures(text)
        if number in pairs:
            result.items.extend(_compare(number + 1, text, expected[pairs[number]], found, index))
        else:
            result.items.extend(_unaligned(number + 1, text, found, index))
    return result


# The word joiners the official layout puts inside figures (render/layout.py) are hidden
# symbols, not text; a LibreOffice round trip turns them into text, which is not the author's.
_INVISIBLE = str.maketrans("", "", "\u2060")


def open_document(path: Path) -> Any:
    """python-docx's Document of ``path``; a usage error for anything that is not a .docx."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    if not path.is_file():
        raise UsageError(f"找不到文档：{path}")
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, BadZipFile, XMLSyntaxError, KeyError, ValueError) as exc:
        raise UsageError(
            f"无法读取文档 {path.name}：它不是有效的 .docx 文件。",
            hint="请在 Word 或 WPS 中另存为 .docx（Word 文档）后重试。",
        ) from exc


def read_paragraphs(path: Path) -> list[str]:
    """The text of every non-empty paragraph, body and tables, however Word split its runs.

    Inserted (tracked) text counts, deleted text does not; a text box appears once; word
    joiners do not count.
    """
    document = open_document(path)
    texts = []
    for paragraph in document.element.body.iter(_P):
        if any(a.tag == _MC_FALLBACK for a in paragraph.iterancestors()):
            continue
        text = "".join(t.text or "" for t in paragraph.iter(_T) if _owner(t) is paragraph)
        text = text.translate(_INVISIBLE)
        if text.strip():
            texts.append(text.strip())
    return texts


def _owner(element: Any) -> Any:
    """The paragraph an element belongs to (a text box inside a paragraph has its own)."""
    return next(element.iterancestors(_P), None)


def align_paragraphs(expected: list[str], actual: list[str]) -> dict[int, int]:
    """Map actual paragraph index → expected block index; inserted paragraphs map nowhere."""
    pairs: dict[int, int] = {}
    matcher = SequenceMatcher(None, expected, actual, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs.update({j1 + k: i1 + k for k in range(i2 - i1)})
        elif tag == "replace":
            pairs.update(_pair_edited(expected, actual, range(i1, i2), range(j1, j2)))
    return pairs


def _pair_edited(
    expected: list[str], actual: list[str], olds: range, news: range
) -> dict[int, int]:
    """Within a replaced stretch, pair each paragraph with its most similar successor, in order."""
    pairs: dict[int, int] = {}
    start = olds.start
    for j in news:
        scored = [
            (SequenceMatcher(None, expected[i], actual[j], autojunk=False).ratio(), i)
            for i in range(start, olds.stop)
        ]
        if not scored:
            break
        ratio, best = max(scored, key=lambda pair: (pair[0], -pair[1]))
        if ratio >= _SIMILAR:
            pairs[j] = best
            start = best + 1
    return pairs


def _expected_figures(text: str, uses: list[FigureUse]) -> list[_Expected]:
    """Figures of an expected paragraph, each tied to the use whose text covers it."""
    spans: list[tuple[int, int, FigureUse]] = []
    position = 0
    for use in uses:
        start = text.find(use.text, position)
        if start >= 0:
            spans.append((start, start + len(use.text), use))
            position = start + len(use.text)
    return [
        _Expected(match, next((u for s, e, u in spans if s < match.end and match.start < e), None))
        for match in find_figures(text)
    ]


def _key(match: FigureMatch) -> Key:
    """What a figure says, regardless of how it is written (１２３, 1,954,945)."""
    return (match.value, match.percent, match.unit, match.approx, match.wan, match.rank)


def _context(text: str, match: FigureMatch) -> str:
    start, end = max(0, match.start - _CONTEXT), min(len(text), match.end + _CONTEXT)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def _compare(
    number: int,
    text: str,
    expected: list[_Expected],
    found: list[FigureMatch],
    index: dict[Key, FigureUse],
) -> list[CheckItem]:
    """Align the figures of one edited paragraph with those of its expected paragraph."""
    items: list[CheckItem] = []
    matcher = SequenceMatcher(
        None, [_key(e.match) for e in expected], [_key(m) for m in found], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "replace"):
            pairs = list(zip(expected[i1:i2], found[j1:j2], strict=False))
            items.extend(_judge(number, text, e, m, tag == "equal") for e, m in pairs)
            extra = found[j1 + len(pairs) : j2]
            items.extend(_unaligned(number, text, extra, index))
        elif tag == "insert":
            items.extend(_unaligned(number, text, found[j1:j2], index))
    return items


def _judge(
    number: int, text: str, expected: _Expected, match: FigureMatch, same: bool
) -> CheckItem:
    use = expected.use
    if use is None:
        note = "" if same else f"（模板原文为“{expected.match.text}”）"
        return _unsourced(
            number, text, match, f"模板中的固定文字，没有数据来源{note}，请人工确认。"
        )
    if same:
        return _sourced(number, text, match, use, expected.match.text)
    figure = use.figure
    message = (
        f"第{number}段“{match.text}”与数据不符，应为“{expected.match.text}”"
        f"（{figure.name}，{figure.code}，{figure.period.full_label}，"
        f"精确值 {figure.reader_value()}）。"
    )
    return _sourced(number, text, match, use, expected.match.text, message)


def _unaligned(
    number: int, text: str, found: list[FigureMatch], index: dict[Key, FigureUse]
) -> list[CheckItem]:
    """Figures with no expected counterpart: fine when some figure of the report reads the same."""
    items = []
    for match in found:
        use = index.get(_key(match))
        if use is None:
            items.append(_unsourced(number, text, match, "新增的数字，没有数据来源，请人工确认。"))
        else:
            items.append(_sourced(number, text, match, use, use.text))
    return items


def _sourced(
    number: int,
    text: str,
    match: FigureMatch,
    use: FigureUse,
    expected_text: str,
    mismatch: str = "",
) -> CheckItem:
    """A figure tied to an indicator; ``mismatch`` explains an error, empty when it agrees."""
    return CheckItem(
        paragraph=number,
        status=Status.MISMATCH if mismatch else Status.OK,
        text=match.text,
        context=_context(text, match),
        message=mismatch,
        expected_text=expected_text,
        expected_value=use.figure.value,
        indicator=use.figure.code,
        indicator_name=use.figure.name,
        period=use.figure.period.code,
    )


def _unsourced(number: int, text: str, match: FigureMatch, message: str) -> CheckItem:
    return CheckItem(
        paragraph=number,
        status=Status.UNSOURCED,
        text=match.text,
        context=_context(text, match),
        message=message,
    )
