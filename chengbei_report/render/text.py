"""Command results as the terminal shows them: findings, check, draft and bind as text, any as JSON.

One JSON path: ``--format json`` on the terminal and a ``.json`` file written by ``diff --out``
are the same text, made here.
"""

from __future__ import annotations

import json
import unicodedata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chengbei_report.compare.check import CheckResult
    from chengbei_report.cycle.bind import BindResult
    from chengbei_report.cycle.draft import DraftResult
    from chengbei_report.findings import FindingReport


def json_text(data: Any) -> str:
    """A result's ``to_dict()`` as indented JSON with Chinese kept readable, newline-terminated."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def findings_text(findings: FindingReport) -> str:
    """Findings grouped by file, file names shown whole, then the totals."""
    lines: list[str] = []
    for file, items in findings.by_file().items():
        lines.append(f"\n{file or '（工作区）'}")
        for finding in items:
            where = finding.location()
            prefix = f"  [{finding.severity.value}] {finding.code}"
            lines.append(
                f"{prefix} {where}：{finding.message}" if where else f"{prefix}：{finding.message}"
            )
            if finding.hint:
                lines.append(f"      提示：{finding.hint}")
    lines.append(f"\n共 {len(findings.errors)} 个错误，{len(findings.warnings)} 个警告。")
    return "\n".join(lines) + "\n"


def check_text(result: CheckResult) -> str:
    """A check report: figures that differ (with why), then figures to confirm, then the totals."""
    lines = [
        f"[{item.status.value}] 第{item.paragraph}段“{item.text}”：{item.context}\n    {item.message}"
        for item in result.mismatches
    ]
    lines.extend(
        f"[{item.status.value}] 第{item.paragraph}段“{item.text}”：{item.context}"
        + (f"\n    与数据“{item.candidate}”相同，可用 bind 绑定。" if item.candidate else "")
        for item in result.unsourced
    )
    lines.append(
        f"共 {len(result.items)} 个数字：与数据一致 {len(result.matched)} 个，"
        f"不符 {len(result.mismatches)} 个，无数据来源待人工确认 {len(result.unsourced)} 个。"
    )
    return "\n".join(lines) + "\n"


def draft_text(result: DraftResult) -> str:
    """A draft: where it is and came from, the counts, then each figure a person must look at."""
    lines = [
        f"已生成初稿：{result.document}",
        f"来源：{result.source}（{result.source_period.full_label}）",
        f"刷新数字 {result.refreshed} 个，其中数值变化 {result.changed} 个；"
        f"无数据 {result.missing} 个（已写成【缺：…】）；"
        f"待人工确认 {len(result.to_confirm)} 处。",
    ]
    lines.extend(
        f"  [{figure.outcome.value}] 第{figure.paragraph}段 "
        + (figure.new_text if figure.missing else figure.label)
        + f"：{figure.reason}"
        for figure in result.flagged
    )
    if result.overwritten:
        lines.append(f"被手工改写的绑定数字 {result.overwritten} 个，未替换，已加批注。")
    lines.append("请在 Word 或 WPS 中查看批注和黄色标记，修改后运行 chengbei-report bind。")
    return "\n".join(lines) + "\n"


def bind_text(result: BindResult) -> str:
    """A bind: the bound copy, a table of the numbers not bound before, then the counts."""
    lines = [f"已生成绑定稿：{result.document}"]
    if result.listed:
        lines.append(f"{_pad('段落', 8)}{_pad('文字', 16)}{_pad('方式', 10)}指标")
    for row in result.listed:
        target = row.indicator_name or ("、".join(row.candidates) if row.candidates else "—")
        lines.append(
            f"{_pad(f'第{row.paragraph}段', 8)}{_pad(row.text, 16)}{_pad(row.how, 10)}{target}"
        )
        if row.note:
            lines.append(f"{' ' * 8}{row.note}")
    c = result.counts
    lines.append(
        f"原有绑定 {c['kept']} 个，新绑定 {c['bound']} 个，有歧义 {c['ambiguous']} 个，"
        f"无数据 {c['unmatched']} 个，批注说明非数据 {c['literal']} 个。"
    )
    if c["ambiguous"] or c["unmatched"]:
        lines.append(
            "有歧义或无数据的数字已加批注；在数字上加批注“指标：指标名称”后重新运行 bind。"
        )
    return "\n".join(lines) + "\n"


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - used)
