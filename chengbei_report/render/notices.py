"""Notices to departments: what to fix in their workbook, in words a clerk understands.

The compiler pastes one into a chat or a message to the department's 填报人: who it is for,
which file, each cell to change and how, and what may stay as it is once checked.  A
department whose workbook has not arrived gets a short reminder instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chengbei_report.findings import Finding

NOTICE_SUFFIX = "_修改通知.txt"
REMINDER_SUFFIX = "_催报通知.txt"
_NUMERALS = "一二三"


@dataclass(frozen=True)
class Notice:
    """One message to one department; ``path`` is where it was written, if it was."""

    department: str
    recipient: str
    file: str
    text: str
    path: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "recipient": self.recipient,
            "file": self.file,
            "path": str(self.path) if self.path else None,
            "text": self.text,
        }


@dataclass(frozen=True)
class Sender:
    """Who the notices come from and for which period: ``城北街道办事处``, ``2023年上半年``."""

    signature: str
    period_label: str


def greeting(department: str, reporter: str) -> str:
    return f"{reporter}同志：" if reporter else f"{department}负责同志："


def where(finding: Finding) -> str:
    """``“指标”表 D15 单元格``: a place a clerk finds in Excel or WPS."""
    if finding.sheet and finding.cell:
        return f"“{finding.sheet}”表 {finding.cell} 单元格"
    if finding.sheet:
        return f"“{finding.sheet}”表"
    return "整个文件"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。！？）”" else text + "。"


def _item(number: int, finding: Finding) -> str:
    return f"{number}. {where(finding)}：{_sentence(finding.message)}{_sentence(finding.hint)}"


def correction_notice(
    sender: Sender, department: str, reporter: str, file: str, findings: Sequence[Finding]
) -> Notice:
    """The notice for one workbook with findings: errors to fix first, then things to check."""
    errors = [f for f in findings if f.is_error]
    warnings = [f for f in findings if not f.is_error]
    lines = [
        greeting(department, reporter),
        "",
        f"您好！{department}报送的{sender.period_label}报表（{file}）经校验，"
        f"有以下 {len(findings)} 处需要处理：",
    ]
    sections = []
    if errors:
        sections.append(("必须改正（改正之前无法汇总生成工作总结）", errors))
    if warnings:
        sections.append(("请核实（确认无误的可以不改）", warnings))
    for numeral, (title, items) in zip(_NUMERALS, sections, strict=False):
        lines += ["", f"{numeral}、{title}："]
        lines += [_item(number, finding) for number, finding in enumerate(items, start=1)]
    closing = (
        "请按以上说明修改后，把报表重新发给我们。" if errors else "请核实，如需修改请重新报送。"
    )
    lines += ["", f"{closing}谢谢！", sender.signature, ""]
    return Notice(department, reporter, file, "\n".join(lines))


def reminder_notice(sender: Sender, department: str) -> Notice:
    """A department whose workbook for the period has not arrived."""
    lines = [
        greeting(department, ""),
        "",
        f"您好！截至目前还没有收到{department}{sender.period_label}的报表，请尽快填报后发给我们。"
        "如需空白填报表，请告诉我们。谢谢！",
        sender.signature,
        "",
    ]
    return Notice(department, "", "", "\n".join(lines))


def notice_name(notice: Notice, prefix: str) -> str:
    """The .txt beside the annotated copy: ``<workbook>_修改通知.txt`` or a reminder's name."""
    if notice.file:
        return Path(notice.file).stem + NOTICE_SUFFIX
    return f"{prefix}_{notice.department}{REMINDER_SUFFIX}"
