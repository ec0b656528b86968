"""Rule checks across fields and periods: the catalog's rules, ledger cross-checks, cumulative
figures that fell, and changes against the same period last year beyond the catalog's threshold.

The engine evaluates every side; a ComputeError becomes a finding rather than stopping the run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from chengbei_report import units
from chengbei_report.catalog import Agreement, Catalog, Indicator
from chengbei_report.codes import (
    RULE_CHANGE_LARGE,
    RULE_CROSSCHECK,
    RULE_CUMULATIVE_FELL,
    RULE_DISAGREE,
    RULE_UNCHECKABLE,
    RULE_VIOLATED,
)
from chengbei_report.compute.change import beyond, relative_change
from chengbei_report.compute.figures import CellSource, Source
from chengbei_report.decimals import round_half_up
from chengbei_report.errors import ComputeError, MissingDataError
from chengbei_report.findings import Finding
from chengbei_report.formula import COMPARISONS, Compare, Node, Ref, references
from chengbei_report.periods import Period
from chengbei_report.read.submission import INDICATOR_SHEET, Submission
from chengbei_report.validate.context import CheckContext, finding


def rule_findings(
    ctx: CheckContext, submissions: dict[str, Submission], blocked: set[str]
) -> list[Finding]:
    """Rules of the indicators whose department submitted; ``blocked`` codes already have errors."""
    if ctx.period is None:
        return []
    findings: list[Finding] = []
    for indicator in ctx.catalog.indicators.values():
        submission = submissions.get(indicator.department)
        if submission is None or not ctx.expected(indicator):
            continue
        for text, rule in indicator.rules:
            if not _touches(ctx.catalog, rule, blocked):
                findings.extend(_rule(ctx, submission, indicator, text, rule))
        crosscheck = indicator.crosscheck
        if crosscheck is not None and not _touches(
            ctx.catalog, crosscheck, blocked, indicator.code
        ):
            findings.extend(_crosscheck(ctx, submission, indicator))
        if not indicator.derived and indicator.code not in blocked:
            findings.extend(_history(ctx, submission, indicator))
    return findings


def agreement_findings(ctx: CheckContext, blocked: set[str]) -> list[Finding]:
    """The catalog's ``agreements`` due this period whose data has no error of its own."""
    if ctx.period is None:
        return []
    kind = ctx.period.kind.value
    return [
        finding
        for agreement in ctx.catalog.agreements
        if kind in agreement.frequency
        and not _touches(ctx.catalog, agreement.left, blocked)
        and not _touches(ctx.catalog, agreement.right, blocked)
        for finding in _agreement(ctx, agreement)
    ]


def _agreement(ctx: CheckContext, agreement: Agreement) -> list[Finding]:
    """Both sides evaluated; a side without data (a workbook validated alone) is not checked."""
    assert ctx.period is not None
    try:
        left = ctx.engine.evaluate(agreement.left, ctx.period, agreement.label)
        right = ctx.engine.evaluate(agreement.right, ctx.period, agreement.label)
    except MissingDataError:
        return []
    except ComputeError as exc:
        return [_uncheckable("", agreement.label, exc, {})]
    right_value = units.align(right.value, right.unit, left.unit)
    if left.value == right_value:
        return []
    left_sources, right_sources = _leaves(left), _leaves(right)
    first = left_sources[0] if left_sources else None
    where = {
        "sheet": first.sheet if first else "",
        "cell": (first.cell if isinstance(first, CellSource) else first.cells) if first else "",
        "indicator": agreement.left.code if isinstance(agreement.left, Ref) else "",
    }
    return [
        finding(
            _source_file(first),
            RULE_DISAGREE,
            f"{agreement.name}：{agreement.left_text} 为 {_plain(left.value)}{left.unit}"
            f"（{_described(left_sources)}），而 {agreement.right_text} 为 "
            f"{_plain(right_value)}{left.unit or right.unit}（{_described(right_sources)}），"
            "同一个量的两处来源应当一致。",
            **where,
        )
    ]


def _leaves(value: object) -> list[Source]:
    """The cells and ledger ranges behind an evaluated side, first-seen order."""
    found: dict[Source, None] = dict.fromkeys(getattr(value, "sources", ()))
    for figure in getattr(value, "inputs", ()):
        found.update(dict.fromkeys(figure.leaf_sources()))
    return list(found)


def _described(sources: list[Source]) -> str:
    return "；".join(source.describe() for source in sources) or "无数据来源"


def _source_file(source: Source | None) -> str:
    if source is None:
        return ""
    return source.file


def blocked_codes(
    catalog: Catalog, findings: Iterable[Finding], submissions: Iterable[Submission] = ()
) -> set[str]:
    """Indicator codes and ledger codes that already have an error: their rules are skipped.

    A file-level error (``FILE_*``: another period's workbook, a damaged file) blocks every
    code of that file's department, so one wrong file gives one finding.
    """
    sheets = {ledger.sheet: ledger.code for ledger in catalog.ledgers.values()}
    blocked: set[str] = set()
    wrong_files: set[str] = set()
    for item in findings:
        if not item.is_error:
            continue
        if item.indicator:
            blocked.add(item.indicator)
        if item.sheet in sheets:
            blocked.add(sheets[item.sheet])
        if item.code.startswith("FILE_"):
            wrong_files.add(item.file)
    for submission in submissions:
        if submission.file in wrong_files and submission.department is not None:
            department = submission.department.code
            blocked.update(i.code for i in catalog.reported_indicators(department))
            blocked.update(ledger.code for ledger in catalog.ledgers_of(department))
    return blocked


def _touches(catalog: Catalog, node: Node, blocked: set[str], own: str = "") -> bool:
    """Whether a formula (or the indicator ``own`` it belongs to) uses data that has errors,
    directly or through derived indicators."""
    seen: set[str] = set()
    stack = [node]
    while stack:
        codes, ledgers = references(stack.pop())
        if own in blocked or (codes | ledgers) & blocked:
            return True
        for code in codes - seen:
            seen.add(code)
            formula = catalog.indicators[code].formula
            if formula is not None:
                stack.append(formula)
    return False


def _location(submission: Submission, indicator: Indicator) -> dict[str, str]:
    reported = submission.values.get(indicator.code)
    cell = reported.cell if reported is not None and not indicator.derived else ""
    return {"sheet": INDICATOR_SHEET, "cell": cell, "indicator": indicator.code}


def _rule(
    ctx: CheckContext, submission: Submission, indicator: Indicator, text: str, rule: Compare
) -> list[Finding]:
    assert ctx.period is not None
    where = _location(submission, indicator)
    readable = ctx.catalog.readable(text)
    try:
        left = ctx.engine.evaluate(rule.left, ctx.period, f"规则“{readable}”")
        right = ctx.engine.evaluate(rule.right, ctx.period, f"规则“{readable}”")
    except ComputeError as exc:
        return [_uncheckable(submission, f"规则“{readable}”", exc, where)]
    right_value = units.align(right.value, right.unit, left.unit)
    if COMPARISONS[rule.op](left.value, right_value):
        return []
    return [
        finding(
            submission,
            RULE_VIOLATED,
            f"不符合规则“{readable}”：{_side(ctx, rule.left, left.value, '左边')}，"
            f"{_side(ctx, rule.right, right_value, '右边')}。",
            hint=f"请核对{_names(ctx, text)}的数值，至少有一个填错了。",
            **where,
        )
    ]


def _side(ctx: CheckContext, node: Node, value: Decimal, fallback: str) -> str:
    """``帮扶成功就业为 600人`` for a side that is one indicator, else ``左边为 600``."""
    if isinstance(node, Ref) and node.code in ctx.catalog.indicators:
        indicator = ctx.catalog.indicators[node.code]
        return f"{indicator.name}为 {_plain(value)}{indicator.unit}"
    return f"{fallback}为 {_plain(value)}"


def _names(ctx: CheckContext, text: str) -> str:
    """The indicators a rule compares, in its order, by their Chinese names."""
    codes = dict.fromkeys(w for w in re.findall(r"\w+", text) if w in ctx.catalog.indicators)
    return "、".join(ctx.catalog.indicators[code].name for code in codes) or "规则两边"


def _crosscheck(ctx: CheckContext, submission: Submission, indicator: Indicator) -> list[Finding]:
    assert ctx.period is not None and indicator.crosscheck is not None
    reported = submission.values.get(indicator.code)
    if reported is None or reported.value is None:
        return []
    where = _location(submission, indicator)
    label = f"{indicator.label}的核对公式"
    try:
        own = ctx.engine.figure(indicator.code, ctx.period)
        check = ctx.engine.evaluate(indicator.crosscheck, ctx.period, label)
    except ComputeError as exc:
        return [_uncheckable(submission, label, exc, where)]
    if own.value == check.value:
        return []
    ledgers = "；".join(source.describe() for source in check.sources)
    return [
        finding(
            submission,
            RULE_CROSSCHECK,
            f"{indicator.name}填报为 {_plain(own.value)}{indicator.unit}，而台账合计"
            f"（{ctx.catalog.readable(indicator.crosscheck_text)}）为 {_plain(check.value)}：{ledgers}。",
            **where,
        )
    ]


def _history(ctx: CheckContext, submission: Submission, indicator: Indicator) -> list[Finding]:
    assert ctx.period is not None
    try:
        current = ctx.engine.figure(indicator.code, ctx.period).value
    except ComputeError:
        return []
    findings: list[Finding] = []
    where = _location(submission, indicator)
    previous = _earlier(ctx, indicator, ctx.period.previous()) if indicator.cumulative else None
    if previous is not None and current < previous:
        findings.append(
            finding(
                submission,
                RULE_CUMULATIVE_FELL,
                f"{indicator.name}是累计数，本期 {_plain(current)}{indicator.unit} 比上期"
                f"（{ctx.period.previous().full_label}）的 {_plain(previous)}{indicator.unit} 还少。",
                **where,
            )
        )
    findings.extend(_threshold(ctx, submission, indicator, current, where))
    return findings


def _threshold(
    ctx: CheckContext,
    submission: Submission,
    indicator: Indicator,
    current: Decimal,
    where: dict[str, str],
) -> list[Finding]:
    assert ctx.period is not None
    if indicator.threshold is None:
        return []
    last_year = ctx.period.same_period_last_year()
    before = _earlier(ctx, indicator, last_year)
    if before is None:
        return []
    change = relative_change(before, current, indicator.kind)
    if change is None or not beyond(change, indicator.threshold):
        return []
    shown = round_half_up(abs(change), 1)
    suffix = "个百分点" if indicator.kind == "ratio" else "%"
    size, limit_text = f"{shown}{suffix}", f"{_plain(indicator.threshold * 100)}{suffix}"
    return [
        finding(
            submission,
            RULE_CHANGE_LARGE,
            f"{indicator.name}为 {_plain(current)}{indicator.unit}，比上年同期（{last_year.full_label}）"
            f"的 {_plain(before)}{indicator.unit} {'增长' if change > 0 else '下降'}"
            f" {size}，超过了提示阈值 {limit_text}。",
            **where,
        )
    ]


def _earlier(ctx: CheckContext, indicator: Indicator, period: Period) -> Decimal | None:
    """The indicator's value in an earlier period, or None when that period has no usable data."""
    try:
        return ctx.engine.figure(indicator.code, period).value
    except ComputeError:
        return None


def _uncheckable(
    submission: Submission, label: str, exc: ComputeError, where: dict[str, str]
) -> Finding:
    return finding(
        submission,
        RULE_UNCHECKABLE,
        f"{label}无法核对：{exc.message}",
        hint=exc.hint or None,
        **where,
    )


def _plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros (1E+1 → 10, 2.50 → 2.5)."""
    return f"{value.normalize():f}"
