"""Blank forms: one workbook per department, laid out exactly as ``read/submission.py`` parses.

Codes, names and units are filled in and locked, input cells carry Excel data validation, and
last period's value stands beside each input, so most mistakes cannot be made in the first place.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from chengbei_report.catalog import Catalog, Department, Indicator, Ledger, LedgerColumn
from chengbei_report.periods import Period
from chengbei_report.read.submission import HEADER_FIELDS, INDICATOR_SHEET

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

TABLE_ROW = 9  # 1-based row of the table header 编码 名称 单位 数值 上期数值 备注
TABLE_HEADER = ("编码", "名称", "单位", "数值", "上期数值", "备注")
INPUT_COLUMNS = ("D", "F")
INPUT_HEADER_FIELDS = ("填报人", "联系电话", "填报日期")
LEDGER_ROWS = 1000  # rows of a ledger sheet that get data validation
INSTRUCTIONS_SHEET = "填报说明"
_MAX_LIST_FORMULA = 255  # Excel's limit for an inline list of choices
_HEADER_FILL = "DDEBF7"


def due(
    catalog: Catalog, department: Department, period: Period
) -> tuple[list[Indicator], list[Ledger]]:
    """The reported indicators and ledgers ``department`` owes in ``period``."""
    kind = period.kind.value
    indicators = [i for i in catalog.reported_indicators(department.code) if i.due_in(period)]
    ledgers = [ledger for ledger in catalog.ledgers_of(department.code) if kind in ledger.frequency]
    return indicators, ledgers


def form_bytes(
    unit_name: str,
    department: Department,
    period: Period,
    duties: tuple[list[Indicator], list[Ledger]],
    previous: dict[str, Decimal],
    when: datetime,
) -> bytes:
    """The form as xlsx bytes: 指标 sheet, one sheet per ledger, then 填报说明."""
    import openpyxl

    from chengbei_report.render.xlsx import workbook_bytes

    indicators, ledgers = duties

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = INDICATOR_SHEET
    _header_block(sheet, unit_name, department, period)
    _indicator_table(sheet, indicators, previous)
    for ledger in ledgers:
        _ledger_sheet(book.create_sheet(ledger.sheet), ledger)
    _instructions(book.create_sheet(INSTRUCTIONS_SHEET), department, period, ledgers)
    return workbook_bytes(book, when)


def _header_block(sheet: Worksheet, unit_name: str, department: Department, period: Period) -> None:
    from openpyxl.styles import Alignment, Font, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    last = chr(ord("A") + len(TABLE_HEADER) - 1)
    sheet["A1"] = f"{unit_name}{period.full_label}工作总结数据填报表（{department.name}）"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A1:{last}1")
    prefilled = {"单位": unit_name, "部门": department.name, "报告期": period.code}
    dates = DataValidation(type="date", operator="greaterThan", formula1="1")
    dates.error, dates.errorTitle = "请填写日期，如 2023-12-31。", "填报日期"
    sheet.add_data_validation(dates)
    for offset, name in enumerate(HEADER_FIELDS):
        row = 2 + offset
        sheet.cell(row, 1, name).font = Font(bold=True)
        cell = sheet.cell(row, 2, prefilled.get(name))
        if name in INPUT_HEADER_FIELDS:
            cell.protection = Protection(locked=False)
        if name == "填报日期":
            cell.number_format = "yyyy-mm-dd"
            dates.add(cell.coordinate)


def _indicator_table(
    sheet: Worksheet, indicators: list[Indicator], previous: dict[str, Decimal]
) -> None:
    from openpyxl.styles import Font, PatternFill, Protection

    fill = PatternFill("solid", start_color=_HEADER_FILL, end_color=_HEADER_FILL)
    for col, label in enumerate(TABLE_HEADER, start=1):
        cell = sheet.cell(TABLE_ROW, col, label)
        cell.font, cell.fill = Font(bold=True), fill
    validations: dict[tuple[str, str, str], Any] = {}
    for offset, indicator in enumerate(indicators):
        row = TABLE_ROW + 1 + offset
        sheet.cell(row, 1, indicator.code)
        sheet.cell(row, 2, indicator.name)
        sheet.cell(row, 3, indicator.unit)
        sheet.cell(row, 5, previous.get(indicator.code))
        for letter in INPUT_COLUMNS:
            sheet[f"{letter}{row}"].protection = Protection(locked=False)
        _number_validation(sheet, validations, indicator).add(f"D{row}")
    for letter, width in zip("ABCDEF", (30, 40, 8, 14, 14, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = f"A{TABLE_ROW + 1}"
    sheet.protection.sheet = True  # no password: the lock prevents slips, not determined edits


def _number_validation(
    sheet: Worksheet, cache: dict[tuple[str, str, str], Any], indicator: Indicator
) -> Any:
    """One shared DataValidation per (type, min, max), so the sheet holds a few, not hundreds."""
    from openpyxl.worksheet.datavalidation import DataValidation

    kind = "whole" if indicator.integer else "decimal"
    low = "" if indicator.minimum is None else f"{indicator.minimum}"
    high = "" if indicator.maximum is None else f"{indicator.maximum}"
    key = (kind, low, high)
    if key not in cache:
        cache[key] = _validation(DataValidation, kind, low, high)
        sheet.add_data_validation(cache[key])
    return cache[key]


def _validation(factory: Any, kind: str, low: str, high: str) -> Any:
    what = "整数" if kind == "whole" else "数字"
    if low and high:
        validation = factory(type=kind, operator="between", formula1=low, formula2=high)
        message = f"请填写 {low} 到 {high} 之间的{what}。"
    elif low:
        validation = factory(type=kind, operator="greaterThanOrEqual", formula1=low)
        message = f"请填写不小于 {low} 的{what}。"
    elif high:
        validation = factory(type=kind, operator="lessThanOrEqual", formula1=high)
        message = f"请填写不大于 {high} 的{what}。"
    else:
        validation = factory(type=kind, operator="between", formula1="-1E+15", formula2="1E+15")
        message = f"请填写{what}。"
    validation.error, validation.errorTitle = message, "数值有误"
    validation.prompt = message
    return validation


def _ledger_sheet(sheet: Worksheet, ledger: Ledger) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    fill = PatternFill("solid", start_color=_HEADER_FILL, end_color=_HEADER_FILL)
    for col, column in enumerate(ledger.columns, start=1):
        cell = sheet.cell(1, col, column.name)
        cell.font, cell.fill = Font(bold=True), fill
        letter = get_column_letter(col)
        sheet.column_dimensions[letter].width = max(12, 2 * len(column.name) + 4)
        validation = _column_validation(column)
        if validation is not None:
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{LEDGER_ROWS + 1}")
        if column.type == "date":
            for row in range(2, LEDGER_ROWS + 2):
                sheet[f"{letter}{row}"].number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"


def _column_validation(column: LedgerColumn) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    if column.type == "choice":
        formula = '"' + ",".join(column.choices) + '"'
        if len(formula) > _MAX_LIST_FORMULA:
            return None
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.error = f"请从下拉列表中选择：{'、'.join(column.choices)}。"
    elif column.type == "date":
        validation = DataValidation(type="date", operator="greaterThan", formula1="1")
        validation.error = "请填写日期，如 2023-06-30。"
    elif column.type in ("number", "integer"):
        counted = column.counted
        kind = "whole" if counted else "decimal"
        validation = DataValidation(type=kind, operator="greaterThanOrEqual", formula1="0")
        validation.error = f"请填写不小于 0 的{'整数' if counted else '数字'}。"
    else:
        return None
    validation.errorTitle = column.name
    return validation


def _instructions(
    sheet: Worksheet, department: Department, period: Period, ledgers: list[Ledger]
) -> None:
    from openpyxl.styles import Alignment, Font

    lines = [
        f"{department.name}{period.full_label}数据填报说明",
        "",
        "一、“指标”表：请在“数值”列（D列）逐项填写本期数值，“备注”列（F列）可说明口径。",
        "二、编码、名称、单位已按指标目录填好并锁定，请勿修改，也不要插入、删除或隐藏行。",
        "三、数值只填阿拉伯数字，不要写“约”“余”“+”“待统计”等文字，不要带单位；确实为零请填 0。",
        "四、计数类指标（人、户、件、个等）填整数；比例填小数（如 0.9843）或带百分号（如 98.43%）。",
        "五、“上期数值”列是上一期的报送数，仅供参考；累计数不应小于上期。",
        "六、表头请填写填报人、联系电话和填报日期；单位、部门、报告期已填好。",
        "七、不要合并单元格，不要使用没有计算结果的公式，不要隐藏行或工作表。",
    ]
    if ledgers:
        names = "、".join(f"“{ledger.sheet}”" for ledger in ledgers)
        lines.append(
            f"八、台账表 {names}：第1行是列名，请勿修改；从第2行起每行填一条记录，"
            "日期列填日期（如 2023-06-30），下拉列只能选列表中的值。"
        )
    lines.append("填好后请保存为 .xlsx 格式报送；可先用 chengbei-report validate 自查。")
    for row, line in enumerate(lines, start=1):
        cell = sheet.cell(row, 1, line or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 110
