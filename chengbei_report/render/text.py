"""Command results as the terminal shows them: findings and check reports as text, any result as JSON.

One JSON path: ``--format json`` on the terminal and a ``.json`` file written by ``diff --out``
are the same text, made here.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chengbei_report.compare.check import CheckResult
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
