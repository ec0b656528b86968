"""``draft``: the next report from the last one, every paragraph as the person left it.

Bound figures get the new period's values; each change, each figure without data and each
number or time expression that no data stands behind is marked with a Word comment (and a
placeholder figure is highlighted) so that the editor sees it in Word, WPS and LibreOffice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chengbei_report.cycle import docx_text
from chengbei_report.cycle.document import Loose, bindings_of, loose_numbers, open_docx, save
from chengbei_report.cycle.match import Matcher
from chengbei_report.cycle.refresh import Outcome, Refreshed, format_figure, refresh, retitle
from chengbei_report.errors import UsageError
from chengbei_report.periods import Period
from chengbei_report.render.layout import apply_official_layout

DRAFT_SUFFIX = "_初稿"


@dataclass
class DraftResult:
    period: Period
    source: Path
    source_period: Period
    document: Path
    figures: list[Refreshed] = field(default_factory=list)
    to_confirm: list[dict[str, Any]] = field(default_factory=list)

    def _count(self, *outcomes: Outcome) -> int:
        """Bound figures (period years apart) with one of ``outcomes``."""
        return sum(1 for f in self.figures if f.outcome in outcomes and not f.binding.is_label)

    @property
    def refreshed(self) -> int:
        return self._count(Outcome.SAME, Outcome.CHANGED)

    @property
    def changed(self) -> int:
        return self._count(Outcome.CHANGED)

    @property
    def missing(self) -> int:
        return self._count(Outcome.MISSING)

    @property
    def overwritten(self) -> int:
        return self._count(Outcome.OVERWRITTEN)

    @property
    def flagged(self) -> list[Refreshed]:
        """Figures a person must look at, in document order: without data, or overwritten."""
        return [f for f in self.figures if f.outcome in (Outcome.MISSING, Outcome.OVERWRITTEN)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.code,
            "source": str(self.source),
            "source_period": self.source_period.code,
            "document": str(self.document),
            "refreshed": self.refreshed,
            "changed": self.changed,
            "missing": self.missing,
            "overwritten": self.overwritten,
            "to_confirm": len(self.to_confirm),
            "figures": [f.to_dict() for f in self.figures],
            "confirm": self.to_confirm,
        }


def find_last_report(project: Any, period: Period, out_root: Path) -> Path:
    """The most recent report of the same kind of period under ``out_root`` (./out)."""
    earlier = []
    for folder in out_root.glob("*") if out_root.is_dir() else []:
        try:
            found = Period.parse(folder.name)
        except UsageError:
            continue
        document = folder / project.workspace.output_name("document", found)
        if found.kind is period.kind and found < period and document.is_file():
            earlier.append((found, document))
    if not earlier:
        raise UsageError(
            f"在 {out_root} 下找不到比{period.full_label}更早的同类工作总结。",
            hint="请先用 build 生成上一期的工作总结，或用 --from 指定一份。",
        )
    return max(earlier)[1]


def draft_document(
    project: Any, period: Period, source: Path, target: Path, when: Any
) -> tuple[DraftResult, bytes]:
    """The draft's bytes and what was done, in the official layout; nothing is written here."""
    official_layout = project.workspace.official_layout
    document = open_docx(source)
    bindings = bindings_of(document)
    if bindings is None:
        raise UsageError(
            f"文档 {source.name} 中没有数字绑定，无法据此起草。",
            hint="请先运行 chengbei-report bind 文档.docx --period 该文档的报告期。",
        )
    old_period = bindings.period
    body = document.element.body
    figures = refresh(body, bindings, project.engine.figure, project.catalog, period)
    retitle(document, old_period, period)
    matcher = Matcher(project.engine.figure, list(project.catalog.indicators), period)
    for figure in figures:
        _mark_figure(document, figure, when)
    loose = loose_numbers(body, set(bindings.bindings), skip_first=True)
    confirm = [_mark_loose(document, item, matcher, when) for item in loose]
    result = DraftResult(period, source, old_period, target, figures, confirm)
    if official_layout:
        apply_official_layout(document, restyle=True)
    return result, save(document, bindings, when)


def _mark_figure(document: Any, figure: Refreshed, when: Any) -> None:
    if figure.outcome is Outcome.SAME:
        return
    runs = docx_text.isolate(figure.element, figure.start, figure.end)
    if not runs:
        return
    if figure.outcome is Outcome.CHANGED:
        note = f"上期 {figure.old_text} → 本期 {figure.new_text}（{figure.label}）"
    elif figure.outcome is Outcome.MISSING:
        docx_text.highlight(runs)
        note = f"本期没有“{figure.label}”的数据（上期 {figure.old_text}）：{figure.reason}"
    else:
        note = f"绑定数字被手工改写：{figure.reason}{_expected(figure)}。请改回或删去；保留手写数字请运行 bind。"
    docx_text.comment(document, runs, note, when)


def _expected(figure: Refreshed) -> str:
    """``；本期数据为“61家”`` when the period has a value for the overwritten figure."""
    if figure.figure is None:
        return ""
    return f"；本期数据为“{format_figure(figure.binding, figure.figure)}”"


def _mark_loose(document: Any, item: Loose, matcher: Matcher, when: Any) -> dict[str, Any]:
    """A comment on a number no data stands behind; names the figure it equals, if any."""
    found = None if item.time else matcher.match(item.match, docx_text.paragraph_text(item.element))
    hint = ""
    if found and found.chosen:
        hint = f"；与本期数据“{found.chosen.label}”相同"
    kind = "时间" if item.time else "数字"
    note = f"待确认（{kind}）：“{item.match.text}”没有数据来源，请人工确认{hint}。"
    runs = docx_text.isolate(item.element, item.match.start, item.match.end)
    if runs:
        docx_text.comment(document, runs, note, when)
    return {
        "paragraph": item.paragraph,
        "text": item.match.text,
        "kind": kind,
        "context": item.context,
        "indicator": found.chosen.figure.code if found and found.chosen else "",
    }


def draft_output_name(project: Any, period: Period) -> str:
    name = Path(project.workspace.output_name("document", period))
    return f"{name.stem}{DRAFT_SUFFIX}{name.suffix}"
