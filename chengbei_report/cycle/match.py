"""Which of a period's figures a number typed in the text is: the matcher of ``bind`` and ``check``.

Every indicator of the catalog (reported, derived, ledger aggregates) is formatted for the period
and its last full year in each form the filters produce (12477.4万元, 98.43%, 77倍, 130余家,
3000多人, 第二). A typed number matches a form when it says the same (value as shown, percent,
unit, 余/多, 万, rank); equal values are told apart by the words before the number.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chengbei_report.compute.figures import Figure
from chengbei_report.cycle.bindings import CURRENT, LAST_YEAR
from chengbei_report.errors import ReportError
from chengbei_report.periods import Period
from chengbei_report.read.numbers_text import FigureMatch, find_figures
from chengbei_report.render.template import _MARK, Recorder

Key = tuple[Decimal, bool, str, str, bool, bool]
_APPROX_STEPS = ((10, "余"), (100, "余"), (1000, "余"), (1000, "多"), (10, "多"), (100, "多"))
_CONTEXT = 16  # characters before a number that may name its indicator
_FORMS = {
    "amount": "num",
    "count": "num",
    "area": "num",
    "length": "num",
    "other": "num",
    "ratio": "pct",
    "multiple": "times",
    "rank": "rank",
}


def key_of(match: FigureMatch) -> Key:
    return (match.value, match.percent, match.unit, match.approx, match.wan, match.rank)


@dataclass(frozen=True)
class Candidate:
    """One way a figure of the period can be written."""

    namespace: str
    figure: Figure
    call: tuple[Any, ...]
    text: str

    @property
    def label(self) -> str:
        prefix = "" if self.namespace == CURRENT else f"{self.figure.period.full_label}"
        return f"{prefix}{self.figure.name}（{self.figure.code}）"


@dataclass(frozen=True)
class Match:
    """The result for one typed number: one candidate (bound), several, or none."""

    chosen: Candidate | None
    candidates: tuple[Candidate, ...]
    how: str  # 唯一 (one figure reads so), 上下文 (the words before it decided), "" otherwise


def _calls(kind: str) -> list[tuple[Any, ...]]:
    form = _FORMS.get(kind)
    if form == "num":
        approx = [("approx", step, word, False, True) for step, word in _APPROX_STEPS]
        return [("num", True), *approx, ("approx", 10000, "余", True, True)]
    return [(form,)] if form else []


def _key_of_text(text: str, call: tuple[Any, ...], figure: Figure) -> Key | None:
    if call[0] == "rank":
        return (figure.value, False, "", "", False, True)
    found = find_figures(text)
    return key_of(found[0]) if len(found) == 1 and found[0].text == text else None


class Matcher:
    """The forms of every figure of one report period, built once."""

    def __init__(self, lookup: Any, codes: list[str], period: Period) -> None:
        self.period = period
        self.by_key: dict[Key, list[Candidate]] = {}
        self.by_code: dict[tuple[str, str], list[Candidate]] = {}
        for namespace, target in ((CURRENT, period), (LAST_YEAR, period.last_full_year())):
            if namespace == LAST_YEAR and target == period:
                continue
            for code in codes:
                try:
                    figure = lookup(code, target)
                except ReportError:
                    continue
                self._add(namespace, figure)

    def _add(self, namespace: str, figure: Figure) -> None:
        for call in _calls(figure.kind):
            try:
                text = _MARK.sub(
                    lambda m: m.group(2), getattr(Recorder(), call[0])(figure, *call[1:])
                )
            except (ReportError, ValueError):
                continue
            key = _key_of_text(text, call, figure)
            candidate = Candidate(namespace, figure, call, text)
            self.by_code.setdefault((namespace, figure.code), []).append(candidate)
            if key is not None and all(
                c.text != text or c.figure.code != figure.code for c in self.by_key.get(key, [])
            ):
                self.by_key.setdefault(key, []).append(candidate)

    def match(self, match: FigureMatch, paragraph: str) -> Match:
        """Match one typed number; ``paragraph`` gives the words before it."""
        candidates = tuple(self.by_key.get(key_of(match), []))
        if len(candidates) == 1:
            return Match(candidates[0], candidates, "唯一")
        if not candidates:
            return Match(None, (), "")
        before = paragraph[max(0, match.start - _CONTEXT) : match.start]
        scored = sorted(((_score(c, before), c) for c in candidates), key=lambda p: -p[0])
        if scored[0][0] > 0 and scored[0][0] > scored[1][0]:
            return Match(scored[0][1], candidates, "上下文")
        return Match(None, candidates, "")

    def named(self, name: str, match: FigureMatch | None) -> Candidate | None:
        """The figure a person named in a comment (指标：名称 or 编码; 上年… for last year)."""
        namespace = CURRENT
        if name.startswith(("上年", "去年")):
            namespace, name = LAST_YEAR, name[2:].strip()
        options = [
            cands
            for (ns, code), cands in self.by_code.items()
            if ns == namespace and (code == name or cands[0].figure.name == name)
        ]
        if not options:
            return None
        forms = options[0]
        if match is not None:
            same = [c for c in forms if _key_of_text(c.text, c.call, c.figure) == key_of(match)]
            if same:
                return same[0]
        return forms[0]


def _score(candidate: Candidate, before: str) -> int:
    """How much of the indicator's name (its two-character pieces) the words before contain."""
    name = candidate.figure.name
    pieces = {name[i : i + 2] for i in range(len(name) - 1)}
    score = sum(1 for piece in pieces if piece in before)
    year_words = ("上年", "去年", f"{candidate.figure.period.year}年")
    if candidate.namespace == LAST_YEAR and any(w in before for w in year_words):
        score += 1
    return score
