"""``check`` on drafts and bound files, and the name of the figure each 待确认 number matches.

A bound document is checked by its bindings: each bound figure must read as the period's data
gives it (不符 otherwise: a stale figure, a placeholder, a figure overwritten by hand); every
other number is 待确认, with the figure it reads the same as when ``bind``'s matcher finds one.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from chengbei_report.compare.check import CheckItem, CheckResult, Status
from chengbei_report.cycle import docx_text
from chengbei_report.cycle.bindings import BindingSet
from chengbei_report.cycle.document import context, loose_numbers
from chengbei_report.cycle.match import Matcher
from chengbei_report.cycle.refresh import deleted, format_binding, indicator_name, locate, reanchor
from chengbei_report.errors import ReportError
from chengbei_report.periods import Period
from chengbei_report.read.numbers_text import FigureMatch, find_figures


def name_candidates(result: CheckResult, paragraphs: list[str], matcher: Matcher) -> CheckResult:
    """Each 待确认 item of ``result`` with the figure it reads the same as, if there is one."""
    result.items = [_annotate(item, paragraphs, matcher) for item in result.items]
    return result


def _annotate(item: CheckItem, paragraphs: list[str], matcher: Matcher) -> CheckItem:
    if item.status is not Status.UNSOURCED or not 0 < item.paragraph <= len(paragraphs):
        return item
    text = paragraphs[item.paragraph - 1]
    match = next((m for m in find_figures(text) if m.text == item.text), None)
    if match is None:
        return item
    found = matcher.match(match, text)
    return replace(item, candidate=found.chosen.label) if found.chosen else item


def check_bound(
    docx: Path, document: Any, bindings: BindingSet, project: Any, period: Period, matcher: Matcher
) -> CheckResult:
    body = document.element.body
    reanchor(body, bindings)
    paragraphs = docx_text.body_paragraphs(body)
    numbers = {p: n for n, p in enumerate(paragraphs, start=1)}
    result = CheckResult(document=docx, period=period, paragraphs=len(paragraphs))
    items: list[tuple[int, int, CheckItem]] = []
    for mark in docx_text.bookmarks(body):
        binding = bindings.bindings.get(mark.name)
        if binding is None or mark.paragraph not in numbers or deleted(mark):
            continue
        full = docx_text.paragraph_text(mark.paragraph)
        lead = docx_text.strip_offset(mark.paragraph)
        start, end = locate(mark, binding) or (mark.start, mark.end)
        shown = full[start:end]
        at = FigureMatch(start - lead, end - lead, shown, 0)  # type: ignore[arg-type]
        items.append(
            (
                numbers[mark.paragraph],
                mark.start,
                _judge(binding, shown, at, full.strip(), project, period, numbers[mark.paragraph]),
            )
        )
    for loose in loose_numbers(body, set(bindings.bindings), skip_first=True):
        if loose.time and not any(c.isdigit() for c in loose.match.text):
            continue
        text = docx_text.paragraph_text(loose.element)
        found = None if loose.time else matcher.match(loose.match, text)
        item = CheckItem(
            paragraph=loose.paragraph,
            status=Status.UNSOURCED,
            text=loose.match.text,
            context=loose.context,
            message="没有数据来源（文中未绑定的数字），请人工确认。",
            candidate=found.chosen.label if found and found.chosen else "",
        )
        items.append((loose.paragraph, loose.match.start, item))
    result.items = [item for _p, _s, item in sorted(items, key=lambda t: (t[0], t[1]))]
    return result


def _judge(
    binding: Any, shown: str, at: FigureMatch, text: str, project: Any, period: Period, number: int
) -> CheckItem:
    name = indicator_name(project.catalog, binding.code) if binding.code else "年份"
    base = {
        "paragraph": number,
        "text": shown,
        "context": context(text, at),
        "indicator": binding.code,
        "indicator_name": name,
    }
    try:
        expected, figure = format_binding(binding, project.engine.figure, period)
    except ReportError as exc:
        message = f"第{number}段“{shown}”（{name}）在{period.full_label}没有数据：{exc.message}"
        return CheckItem(status=Status.MISMATCH, message=message, **base)
    target = binding.period_for(period)
    value = figure.value if figure else Decimal(target.year)
    extra = {"expected_text": expected, "expected_value": value, "period": target.code}
    if shown == expected:
        return CheckItem(status=Status.OK, **base, **extra)
    how = "被手工改写" if binding.text not in shown else "与数据不符"
    message = (
        f"第{number}段“{shown}”{how}，应为“{expected}”（{name}，{binding.code}，"
        f"{target.full_label}，精确值 {figure.reader_value() if figure else value}）。"
    )
    return CheckItem(status=Status.MISMATCH, message=message, **base, **extra)
