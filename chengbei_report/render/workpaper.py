"""The working paper (底稿): one row per figure shown in the document, traced to its origin.

Reviewers check the report against it, so every value is exact: the 数值 column holds a number
only where Excel keeps it exactly (at most 15 significant digits), and 精确值 always holds the
full Decimal as text.  Both read as the 单位 beside them says: a rate is 98.425… with unit %,
never the stored fraction 0.98425….  Text from workbooks is untrusted: nothing written here may
become a formula when the file is opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from chengbei_report.compute.figures import Figure, FigureUse, reader_value
from chengbei_report.decimals import exact_text
from chengbei_report.render.xlsx import put_text, workbook_bytes

SHEET = "底稿"
NOTES_SHEET = "说明"
_EXCEL_DIGITS = 15
_EXCEL_EXPONENT = 307
_WRAPPED = frozenset({"计算公式", "数据来源"})

# (header, width in characters, explanation for the 说明 sheet)
COLUMNS: tuple[tuple[str, int, str], ...] = (
    ("序号", 6, "数字在文中出现的顺序。"),
    ("章节", 12, "数字所在的章节，如“一、（一）”。"),
    ("段落", 6, "数字所在的段落序号（正文自上而下计数）。"),
    ("文中写法", 16, "数字在文中的写法，如“98.43%”“130余家”。"),
    (
        "数值",
        14,
        "数值，与“单位”列合读；比率类指标（如就业率）以百分数表示，98.43即98.43%。"
        "Excel能精确保存的（不超过15位有效数字）写为数字，否则写为文本。",
    ),
    ("精确值", 30, "计算得到的完整十进制数（比率同样以百分数表示），不经任何舍入，以文本保存。"),
    ("单位", 8, "指标的计量单位；比率类指标为“%”。"),
    ("指标编码", 24, "指标目录（catalog.toml）中的编码。"),
    ("指标名称", 28, "指标目录中的名称。"),
    ("报告期", 10, "数值所属的报告期，如2023H1、2022。"),
    ("计算公式", 48, "派生指标的公式及代入的数值；填报的指标为空。"),
    ("数据来源", 60, "数值来自的文件、工作表和单元格（或台账区域）。"),
)


@dataclass(frozen=True)
class WorkpaperRow:
    """One figure as it appears in the document, with what it is and where it came from.

    ``value`` and ``unit`` are the figure's own; ``kind`` says how a reader expects to see them
    (a ``ratio`` in percent).
    """

    index: int
    section: str
    paragraph: int
    text: str
    value: Decimal
    unit: str
    indicator: str
    indicator_name: str
    period: str
    formula: str
    sources: str
    kind: str = ""


def _excel_number(value: Decimal) -> int | float | None:
    """The value as a number Excel stores exactly, or None when it must stay text."""
    if not value.is_finite():
        return None
    significant = "".join(map(str, value.as_tuple().digits)).strip("0")
    if len(significant) > _EXCEL_DIGITS or abs(value.adjusted()) > _EXCEL_EXPONENT:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _put(cell: Cell, value: str | int | float) -> None:
    """Write one value; every string goes through ``put_text``."""
    if isinstance(value, str):
        put_text(cell, value)
    else:
        cell.value = value


def _row_values(row: WorkpaperRow) -> tuple[str | int | float, ...]:
    """The cells of one row, in COLUMNS order."""
    shown = reader_value(row.value, row.unit, row.kind)
    number = _excel_number(shown.value)
    exact = exact_text(shown.value)
    return (
        row.index,
        row.section,
        row.paragraph,
        row.text,
        exact if number is None else number,
        exact,
        shown.unit,
        row.indicator,
        row.indicator_name,
        row.period,
        row.formula,
        row.sources,
    )


def _write_header(sheet: Worksheet, headers: Sequence[str], widths: Sequence[int]) -> None:
    """Bold header in row 1 and column widths."""
    bold = Font(bold=True)
    for column, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=column)
        put_text(cell, header)
        cell.font = bold
        sheet.column_dimensions[get_column_letter(column)].width = width


def _fill_figures(sheet: Worksheet, rows: Sequence[WorkpaperRow], title: str) -> None:
    """The 底稿 sheet: header, one row per figure, frozen header, filter, printed title."""
    _write_header(sheet, [c[0] for c in COLUMNS], [c[1] for c in COLUMNS])
    alignments = [
        Alignment(vertical="top", wrap_text=header in _WRAPPED) for header, _, _ in COLUMNS
    ]
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(_row_values(row), start=1):
            cell = sheet.cell(row=row_number, column=column)
            _put(cell, value)
            cell.alignment = alignments[column - 1]
    last = f"{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}"
    sheet.print_title_rows = "1:1"
    sheet.oddHeader.center.text = title.replace("&", "&&")


def _fill_notes(sheet: Worksheet, title: str, when: datetime) -> None:
    """The 说明 sheet: what the working paper is and what each column means."""
    lines: list[tuple[str, str]] = [
        (title, ""),
        (f"生成时间：{when:%Y-%m-%d %H:%M}", ""),
        ("本底稿逐项列出正文中出现的统计数字，说明其数值、计算公式和数据来源，供核对使用。", ""),
        ("", ""),
    ]
    lines += [(header, text) for header, _, text in COLUMNS]
    lines.append(("注意", "以“=”“+”“-”“@”开头的文字均按文本保存，打开时不会作为公式计算。"))
    for row_number, (first, second) in enumerate(lines, start=1):
        put_text(sheet.cell(row=row_number, column=1), first)
        put_text(sheet.cell(row=row_number, column=2), second)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 80


def write_workpaper(rows: Sequence[WorkpaperRow], *, title: str, when: datetime) -> bytes:
    """Build the working paper and return the .xlsx bytes; document times come from ``when``."""
    workbook = Workbook()
    figures = workbook.active
    figures.title = SHEET
    _fill_figures(figures, rows, title)
    _fill_notes(workbook.create_sheet(NOTES_SHEET), title, when)
    workbook.properties.title = title
    return workbook_bytes(workbook, when)


def workpaper_rows(uses: list[FigureUse]) -> list[WorkpaperRow]:
    """One row per figure the document shows, in the order it shows them."""
    return [
        WorkpaperRow(
            index=number,
            section=use.section,
            paragraph=use.block + 1,
            text=use.text,
            value=use.figure.value,
            unit=use.figure.unit,
            kind=use.figure.kind,
            indicator=use.figure.code,
            indicator_name=use.figure.name,
            period=use.figure.period.code,
            formula=describe_formula(use.figure),
            sources="；".join(source.describe() for source in use.figure.leaf_sources()),
        )
        for number, use in enumerate(uses, start=1)
    ]


def describe_formula(figure: Figure) -> str:
    """``ratio(a, b)；a（2023H1）= 500人，b（2023H1）= 508人`` — the formula with what went in."""
    if not figure.formula:
        return ""
    inputs = "，".join(f"{f.code}（{f.period.code}）= {f.reader_value()}" for f in figure.inputs)
    return f"{figure.formula}；{inputs}" if inputs else figure.formula
