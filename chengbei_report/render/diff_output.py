"""Write a period diff as csv, json, Markdown or .xlsx, and show a workbook diff as text.

CSV and JSON carry exact decimals for machines; Markdown, the terminal table and the .xlsx are
for people: ratios as percentages, changes of ratios in 百分点, long computed values rounded half
up.  Text may come from workbooks, so nothing written to csv or xlsx can become a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from chengbei_report.decimals import exact_text
from chengbei_report.errors import UsageError
from chengbei_report.period_diff import POINTS, DiffRow, PeriodDiff
from chengbei_report.periods import stamp
from chengbei_report.render.numbers import format_number, format_percent, round_half_up
from chengbei_report.render.text import json_text

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet
    from rich.table import Table

    from chengbei_report.compare.workbooks import IndicatorChange, WorkbookDiff

SHEET = "对比"
NOTES_SHEET = "说明"
DASH = "—"
_RECORDED_PLACES = 4  # values with more places were computed; people see them half up to 2
_SHOWN_PLACES = 2
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FLAG_FILL = "FFF2CC"
_INDICATOR_SHEET = "指标"  # where a workbook diff's indicator cells are
_WIDTHS = (18, 30, 36, 8, 16, 16, 16, 14, 10, 22, 60)


def headers(diff: PeriodDiff) -> list[str]:
    """Column headers; the value columns are named after their periods."""
    return [
        "部门",
        "指标编码",
        "指标名称",
        "单位",
        diff.old.full_label,
        diff.new.full_label,
        "变化",
        "变化幅度",
        "幅度单位",
        "标记",
        "说明",
    ]


def _flags(row: DiffRow) -> str:
    return "、".join(flag.value for flag in row.flags)


def _places(value: Decimal, decimals: int | None) -> int:
    """Decimal places shown: the catalog's, else as recorded, else 2 for long computed values."""
    if decimals is not None:
        return decimals
    exponent = int(value.normalize().as_tuple().exponent) if value else 0
    places = max(0, -exponent)
    return places if places <= _RECORDED_PLACES else _SHOWN_PLACES


def _signed(text: str, value: Decimal) -> str:
    return f"+{text}" if value > 0 else text


def show_value(row: DiffRow, value: Decimal | None) -> str:
    """An old or new value as a person reads it: ``98.43%``, ``12477.4``."""
    if value is None:
        return DASH
    if row.kind == "ratio":
        return format_percent(value)
    return format_number(value, _places(value, row.decimals))


def show_change(row: DiffRow) -> str:
    """The change, signed; a ratio's change is in 百分点."""
    if row.change is None:
        return DASH
    if row.kind == "ratio":
        points = row.change * 100
        return _signed(format_number(points, _SHOWN_PLACES) + "个" + POINTS, points)
    return _signed(format_number(row.change, _places(row.change, row.decimals)), row.change)


def show_relative(row: DiffRow) -> str:
    if row.relative is None:
        return DASH
    unit = "个" + POINTS if row.relative_unit == POINTS else "%"
    return _signed(format_number(row.relative, _SHOWN_PLACES) + unit, row.relative)


def display_rows(diff: PeriodDiff) -> list[list[str]]:
    """The rows as shown in the terminal and in Markdown (幅度单位 folded into 变化幅度)."""
    return [
        [
            row.department,
            row.code,
            row.name,
            row.unit,
            show_value(row, row.old),
            show_value(row, row.new),
            show_change(row),
            show_relative(row),
            _flags(row),
            row.note,
        ]
        for row in diff.rows
    ]


def _display_headers(diff: PeriodDiff) -> list[str]:
    names = headers(diff)
    return names[:8] + names[9:]


def _csv_text(text: str) -> str:
    """A text cell that a spreadsheet will not run as a formula."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def diff_csv(diff: PeriodDiff) -> str:
    """Exact values; text cells guarded against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers(diff))
    for row in diff.rows:
        writer.writerow(
            [
                _csv_text(row.department),
                _csv_text(row.code),
                _csv_text(row.name),
                _csv_text(row.unit),
                exact_text(row.old) or "",
                exact_text(row.new) or "",
                exact_text(row.change) or "",
                exact_text(row.relative) or "",
                row.relative_unit,
                _flags(row),
                _csv_text(row.note),
            ]
        )
    return buffer.getvalue()


def diff_json(diff: PeriodDiff) -> str:
    """Exactly ``diff.to_dict()``, as the CLI prints it."""
    return json_text(diff.to_dict())


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def diff_markdown(diff: PeriodDiff) -> str:
    title = f"# {diff.old.full_label}与{diff.new.full_label}指标对比\n\n"
    if not diff.rows:
        return title + "没有指标变化。\n"
    names = _display_headers(diff)
    left = {*names[:4], "标记", "说明"}
    lines = [
        "| " + " | ".join(names) + " |",
        "|" + "|".join("---" if n in left else "---:" for n in names) + "|",
    ]
    lines += ["| " + " | ".join(_md_cell(c) for c in cells) + " |" for cells in display_rows(diff)]
    return title + "\n".join(lines) + "\n"


def _with_unit(text: str, row: DiffRow) -> str:
    return text if text == DASH or row.kind == "ratio" else text + row.unit


def rich_table(diff: PeriodDiff) -> Table:
    """The terminal table, narrow enough for 80 columns: units follow the values, and each
    department gets a heading row; flagged rows are bold yellow.  Why a row is 无法计算 is too
    long for a cell, so the reasons follow the table as its caption.

    Cells are ``Text`` objects so that brackets in a name are never read as rich markup.
    """
    from rich.table import Table
    from rich.text import Text

    notes = [f"[无法计算] {row.name}（{row.code}）——{row.note}" for row in diff.rows if row.note]
    table = Table(
        title=f"{diff.old.full_label} → {diff.new.full_label}",
        caption=Text("\n".join(notes)) if notes else None,
        caption_justify="left",
    )
    table.add_column("指标", overflow="fold", min_width=10, ratio=1)
    for name in (diff.old.code, diff.new.code, "变化", "变化幅度"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("标记", overflow="fold", min_width=6)
    department = None
    for row in diff.rows:
        if row.department != department:
            department = row.department
            table.add_row(Text(department, style="bold"))
        cells = (
            row.name,
            _with_unit(show_value(row, row.old), row),
            _with_unit(show_value(row, row.new), row),
            _with_unit(show_change(row), row),
            show_relative(row),
            _flags(row),
        )
        table.add_row(*map(Text, cells), style="bold yellow" if row.flags else None)
    return table


def _number_format(places: int, suffix: str = "", *, signed: bool = False) -> str:
    """An Excel number format: ``#,##0.00``; signed ones show ``+`` before a rise."""
    body = "#,##0" + ("." + "0" * places if places else "") + (f'"{suffix}"' if suffix else "")
    return f"+{body};-{body};{body}" if signed else body


def _put_number(cell: Cell, value: Decimal, places: int, number_format: str) -> None:
    """Rounded half up in Decimal first, so Excel only displays what we rounded."""
    cell.value = float(round_half_up(value, places))
    cell.number_format = number_format


def _put_values(sheet: Worksheet, row_number: int, row: DiffRow) -> None:
    """Columns 5–8: old, new, change, relative change as numbers with formats."""
    for column, value in ((5, row.old), (6, row.new)):
        if value is None:
            continue
        if row.kind == "ratio":
            _put_number(sheet.cell(row_number, column), value, 4, "0.00%")
        else:
            places = _places(value, row.decimals)
            _put_number(sheet.cell(row_number, column), value, places, _number_format(places))
    if row.change is not None:
        cell = sheet.cell(row_number, 7)
        if row.kind == "ratio":
            _put_number(cell, row.change * 100, 2, _number_format(2, "个" + POINTS, signed=True))
        else:
            places = _places(row.change, row.decimals)
            _put_number(cell, row.change, places, _number_format(places, signed=True))
    if row.relative is not None:
        unit = "个" + POINTS if row.relative_unit == POINTS else "%"
        _put_number(
            sheet.cell(row_number, 8), row.relative, 2, _number_format(2, unit, signed=True)
        )


def _fill_diff_sheet(sheet: Worksheet, diff: PeriodDiff) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from chengbei_report.render.xlsx import put_text

    names = headers(diff)
    for column, (name, width) in enumerate(zip(names, _WIDTHS, strict=True), start=1):
        put_text(sheet.cell(1, column), name)
        sheet.cell(1, column).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    fill = PatternFill("solid", start_color=_FLAG_FILL, end_color=_FLAG_FILL)
    for row_number, row in enumerate(diff.rows, start=2):
        texts = {
            1: row.department,
            2: row.code,
            3: row.name,
            4: row.unit,
            9: row.relative_unit if row.relative is not None else "",
            10: _flags(row),
            11: row.note,
        }
        for column, text in texts.items():
            put_text(sheet.cell(row_number, column), text)
        _put_values(sheet, row_number, row)
        if row.flags:
            for column in range(1, len(names) + 1):
                sheet.cell(row_number, column).fill = fill
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(names))}{len(diff.rows) + 1}"
    sheet.print_title_rows = "1:1"


def _fill_notes(sheet: Worksheet, diff: PeriodDiff) -> None:
    from chengbei_report.render.xlsx import put_text

    threshold = DASH if diff.threshold is None else f"{format_number(diff.threshold * 100)}%"
    lines = (
        f"{diff.old.full_label}与{diff.new.full_label}指标对比",
        f"共 {len(diff.rows)} 项指标，其中有变化 {len(diff.changed)} 项；标黄的行带有标记。",
        "变化幅度：一般指标为较上期增减的百分比；比率类指标（如就业率）为增减的百分点。",
        f"阈值：{threshold}（未指定时使用指标目录中各指标的 threshold）。",
        "标记：新增、取消（本期没有）、变号、超阈值、单位变化（两期报表“单位”列不同）、"
        "无法计算（报表中有该指标但数值有误，原因见“说明”列）。",
        "数值按四舍五入显示；精确值见 json 或 csv 格式的对比结果。",
    )
    for row_number, line in enumerate(lines, start=1):
        put_text(sheet.cell(row_number, 1), line)
    sheet.column_dimensions["A"].width = 90


def diff_xlsx(diff: PeriodDiff, when: datetime) -> bytes:
    """The .xlsx for a leader: frozen header, number formats, flagged rows highlighted."""
    from openpyxl import Workbook

    from chengbei_report.render.xlsx import workbook_bytes

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    _fill_diff_sheet(sheet, diff)
    _fill_notes(workbook.create_sheet(NOTES_SHEET), diff)
    workbook.properties.title = f"{diff.old.code}-{diff.new.code}指标对比"
    return workbook_bytes(workbook, when)


def _with_own_unit(text: str, unit: str) -> str:
    """``68000000元``: a value as typed, followed by its unit unless the text already has it."""
    if not text:
        return DASH
    return text if not unit or text.endswith(unit) else text + unit


def _unit_note(item: IndicatorChange) -> str:
    if not item.unit_changed:
        return ""
    return f"单位由{item.shown_unit('old') or '（空）'}改为{item.shown_unit('new') or '（空）'}"


def _indicator_values(item: IndicatorChange) -> tuple[str, str]:
    return (
        _with_own_unit(item.old_text, item.shown_unit("old")) if item.old_cell else "",
        _with_own_unit(item.new_text, item.shown_unit("new")) if item.new_cell else "",
    )


def _cells(item: IndicatorChange) -> str:
    """``指标!D11``, or ``指标!D11 → 指标!D12`` when the row moved."""
    old, new = (f"{_INDICATOR_SHEET}!{c}" if c else "" for c in (item.old_cell, item.new_cell))
    return old if old == new or not new else (new if not old else f"{old} → {new}")


def _row_values(values: dict[str, str]) -> str:
    return "；".join(f"{name}：{value}" for name, value in values.items() if value)


def workbook_diff_rows(diff: WorkbookDiff) -> list[list[str]]:
    """One row per change, for csv, md and xlsx, in WORKBOOK_HEADERS order."""
    rows = []
    for item in diff.indicators:
        old, new = _indicator_values(item)
        rows.append(
            [
                "指标",
                item.status.value,
                item.name,
                item.code,
                f"{_INDICATOR_SHEET}!{item.old_cell}" if item.old_cell else "",
                f"{_INDICATOR_SHEET}!{item.new_cell}" if item.new_cell else "",
                old,
                new,
                _unit_note(item),
            ]
        )
    for row in diff.ledger_rows:
        if row.columns:
            old = "；".join(f"{c.column}：{c.old or DASH}" for c in row.columns)
            new = "；".join(f"{c.column}：{c.new or DASH}" for c in row.columns)
        else:
            shown = _row_values(row.values)
            old, new = (shown, "") if row.new_row is None else ("", shown)
        rows.append(
            [
                "台账",
                row.status.value,
                row.sheet,
                row.key,
                f"第{row.old_row}行" if row.old_row else "",
                f"第{row.new_row}行" if row.new_row else "",
                old,
                new,
                "",
            ]
        )
    return rows


WORKBOOK_HEADERS = (
    "类别",
    "状态",
    "名称",
    "编码或关键字",
    "原位置",
    "新位置",
    "原值",
    "新值",
    "说明",
)
_WORKBOOK_WIDTHS = (8, 8, 30, 24, 14, 14, 40, 40, 24)


def workbook_diff_text(diff: WorkbookDiff) -> str:
    """A workbook diff for the terminal, one change a line."""
    lines = [f"{diff.department}：{diff.old.name} → {diff.new.name}"]
    if not diff.changed:
        return lines[0] + "\n两份报表内容相同。\n"
    for item in diff.indicators:
        old, new = _indicator_values(item)
        note = _unit_note(item)
        lines.append(
            f"  [{item.status}] 指标 {item.name}（{item.code}）{_cells(item)}："
            f"{old or DASH} → {new or DASH}" + (f"（{note}）" if note else "")
        )
    for row in diff.ledger_rows:
        where = f"第{row.new_row or row.old_row}行"
        detail = "；".join(f"{c.column}：{c.old or DASH} → {c.new or DASH}" for c in row.columns)
        lines.append(
            f"  [{row.status}] {row.sheet} {where} {row.key}" + (f"：{detail}" if detail else "")
        )
    lines.append(f"共 {len(diff.indicators)} 项指标变化，{len(diff.ledger_rows)} 行台账变化。")
    return "\n".join(lines) + "\n"


def workbook_diff_csv(diff: WorkbookDiff) -> str:
    """Every change a row, values as typed; text guarded against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(WORKBOOK_HEADERS)
    for cells in workbook_diff_rows(diff):
        writer.writerow([_csv_text(cell) for cell in cells])
    return buffer.getvalue()


def workbook_diff_markdown(diff: WorkbookDiff) -> str:
    title = f"# {diff.department}报表对比：{diff.old.name} → {diff.new.name}\n\n"
    if not diff.changed:
        return title + "两份报表内容相同。\n"
    lines = [
        "| " + " | ".join(WORKBOOK_HEADERS) + " |",
        "|" + "|".join("---" for _ in WORKBOOK_HEADERS) + "|",
    ]
    lines += [
        "| " + " | ".join(_md_cell(c) for c in cells) + " |" for cells in workbook_diff_rows(diff)
    ]
    return title + "\n".join(lines) + "\n"


def workbook_diff_xlsx(diff: WorkbookDiff, when: datetime) -> bytes:
    """The changes as a sheet (frozen header, filter, unit changes highlighted) and a 说明 sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from chengbei_report.render.xlsx import put_text, workbook_bytes

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    for column, (name, width) in enumerate(zip(WORKBOOK_HEADERS, _WORKBOOK_WIDTHS, strict=True), 1):
        put_text(sheet.cell(1, column), name)
        sheet.cell(1, column).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    fill = PatternFill("solid", start_color=_FLAG_FILL, end_color=_FLAG_FILL)
    rows = workbook_diff_rows(diff)
    for row_number, cells in enumerate(rows, start=2):
        for column, text in enumerate(cells, start=1):
            put_text(sheet.cell(row_number, column), text)
            if cells[-1]:
                sheet.cell(row_number, column).fill = fill
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(WORKBOOK_HEADERS))}{len(rows) + 1}"
    notes = workbook.create_sheet(NOTES_SHEET)
    lines = (
        f"{diff.department}报表对比：{diff.old.name} → {diff.new.name}",
        f"共 {len(diff.indicators)} 项指标变化，{len(diff.ledger_rows)} 行台账变化；"
        "标黄的行单位有变化。",
        "指标按编码对应，台账行按台账的关键字列对应；值为报表中的原样写法。",
    )
    for row_number, line in enumerate(lines, start=1):
        put_text(notes.cell(row_number, 1), line)
    notes.column_dimensions["A"].width = 90
    workbook.properties.title = f"{diff.department}报表对比"
    return workbook_bytes(workbook, when)


@dataclass(frozen=True)
class DiffFormat:
    """One ``diff --format``: the file content it makes of a period diff and of a workbook diff.

    ``None`` where the format does not apply. The CLI offers every name of ``DIFF_FORMATS``;
    a period diff in ``table`` or ``json`` without ``--out`` is shown by the CLI itself.
    """

    name: str
    periods: Callable[[PeriodDiff], bytes] | None = None
    workbooks: Callable[[WorkbookDiff], bytes] | None = None
    needs_file: bool = False  # binary content: only with --out


DIFF_FORMATS: dict[str, DiffFormat] = {
    entry.name: entry
    for entry in (
        DiffFormat("table", workbooks=lambda diff: workbook_diff_text(diff).encode("utf-8")),
        # csv with a BOM, so that Excel reads the Chinese
        DiffFormat(
            "csv",
            periods=lambda diff: diff_csv(diff).encode("utf-8-sig"),
            workbooks=lambda diff: workbook_diff_csv(diff).encode("utf-8-sig"),
        ),
        DiffFormat(
            "json",
            periods=lambda diff: diff_json(diff).encode("utf-8"),
            workbooks=lambda diff: json_text(diff.to_dict()).encode("utf-8"),
        ),
        DiffFormat(
            "xlsx",
            periods=lambda diff: diff_xlsx(diff, stamp(diff.new)),
            workbooks=lambda diff: workbook_diff_xlsx(diff, _modified(diff.new)),
            needs_file=True,
        ),
        DiffFormat(
            "md",
            periods=lambda diff: diff_markdown(diff).encode("utf-8"),
            workbooks=lambda diff: workbook_diff_markdown(diff).encode("utf-8"),
        ),
    )
}


def _modified(path: Path) -> datetime:
    """A workbook diff's .xlsx is stamped with the new version's time, so it is reproducible."""
    return datetime.fromtimestamp(int(path.stat().st_mtime))


def diff_format(name: str) -> DiffFormat:
    """The format called ``name``; a usage error naming the formats otherwise."""
    found = DIFF_FORMATS.get(name)
    if found is None:
        raise UsageError(
            f"没有“{name}”这种输出格式。", hint=f"可用的格式：{'、'.join(DIFF_FORMATS)}。"
        )
    return found


def diff_bytes(diff: PeriodDiff, output_format: str) -> bytes:
    """The file content of a period diff in one of the formats that write one."""
    write = diff_format(output_format).periods
    if write is None:
        names = [entry.name for entry in DIFF_FORMATS.values() if entry.periods is not None]
        raise UsageError(
            f"不能把对比结果写成“{output_format}”格式的文件。",
            hint=f"可用的文件格式：{'、'.join(names)}；table 只在终端显示。",
        )
    return write(diff)


def workbook_diff_bytes(diff: WorkbookDiff, output_format: str) -> bytes:
    """A workbook diff in one of the formats that write one (``table`` is text)."""
    write = diff_format(output_format).workbooks
    if write is None:
        names = [entry.name for entry in DIFF_FORMATS.values() if entry.workbooks is not None]
        raise UsageError(
            f"报表版本对比不支持“{output_format}”格式。",
            hint=f"请用 {' 或 '.join(f'--format {name}' for name in names)}。",
        )
    return write(diff)
