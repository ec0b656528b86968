"""Annotated copies of submitted workbooks: each problem cell filled and commented.

The clerk gets back their own workbook with every finding at its cell, so nothing has to be
looked up. The original file is never opened for writing; copies go through ``write_atomic``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from chengbei_report.findings import Finding, Severity
from chengbei_report.render.output import strip_xml_illegal, write_atomic

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

AUTHOR = "chengbei-report"
FILLS = {Severity.ERROR: "FFC7CE", Severity.WARNING: "FFEB9C"}


@dataclass
class AnnotateResult:
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files openpyxl could not open


def annotate_workbooks(
    findings: Sequence[Finding],
    sources: Mapping[str, Path],
    out_dir: Path,
    workspace: Path | None = None,
) -> AnnotateResult:
    """One annotated copy per file in ``sources`` (name → path) that has findings.

    Copies pass the output guard: never over a source, never into ``workspace``'s folders."""
    result = AnnotateResult()
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.file in sources:
            by_file.setdefault(finding.file, []).append(finding)
    for name, items in by_file.items():
        data = annotated_bytes(sources[name], items)
        if data is None:
            result.skipped.append(name)
            continue
        result.written.append(
            write_atomic(out_dir / name, data, inputs=list(sources.values()), workspace=workspace)
        )
    return result


def annotated_bytes(path: Path, findings: Collection[Finding]) -> bytes | None:
    """The workbook at ``path`` with ``findings`` marked; None when openpyxl cannot open it."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    from chengbei_report.render.xlsx import saved_bytes

    try:
        book = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None
    notes: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        sheet = finding.sheet if finding.sheet in book.sheetnames else book.sheetnames[0]
        cell = finding.cell.split(":")[0] or "A1"
        notes.setdefault((sheet, _anchor(book[sheet], cell)), []).append(finding)
    for (sheet, cell), items in notes.items():
        _mark(book[sheet][cell], items)
    book.properties.modified = datetime.now(UTC).replace(tzinfo=None)
    return saved_bytes(book)


def _anchor(sheet: Worksheet, cell: str) -> str:
    """The cell that can hold a comment: the top-left cell of a merged range."""
    for merged in sheet.merged_cells.ranges:
        if cell in merged:
            return merged.start_cell.coordinate
    return cell


def _mark(cell: Cell, findings: list[Finding]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    worst = Severity.ERROR if any(f.is_error for f in findings) else Severity.WARNING
    cell.fill = PatternFill("solid", start_color=FILLS[worst], end_color=FILLS[worst])
    lines = [
        f"【{f.severity.value}】{f.code}：{f.message}" + (f"\n提示：{f.hint}" if f.hint else "")
        for f in findings
    ]
    if cell.comment is not None:
        lines.insert(0, cell.comment.text)
    text, _ = strip_xml_illegal("\n".join(lines))
    comment = Comment(text, AUTHOR)
    comment.width, comment.height = 360, 40 + 60 * len(lines)
    cell.comment = comment
