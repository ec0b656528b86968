"""The registry of finding codes: every finding is made from one entry here.

Each code has its severity (chosen here, never at the place that finds the problem), a Chinese
title, a hint template and, where the message never varies, its message template. README's
tables of finding codes are generated from this module (``python scripts/finding_codes.py
--write``), and a test fails when they differ. Import the constant, not the string: a misspelt
``from chengbei_report.codes import CELL_EMTPY`` fails at import time.

To add a code: one ``_define`` call below (name, severity, group, title, meaning, hint), then
``python scripts/finding_codes.py --write`` and make the finding with ``CODE.make(...)``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from chengbei_report.findings import Finding, Severity


class Group(StrEnum):
    """The README table a code is listed in."""

    FILE = "File"
    STRUCTURE = "Structure"
    CELLS = "Cells"
    DOCUMENT = "Document"
    RULES = "Rules"


class UnknownFindingCode(KeyError):
    """A code that is not in the registry: a defect of the code asking for it."""


_FORMATTER = string.Formatter()
_NAME = re.compile(r"[A-Z]+(?:_[A-Z0-9]+)+")
SUMMARY_MESSAGE = "同类问题在工作表“{sheet}”中共有 {count} 处，以上只列出前 {limit} 处。"


@dataclass(frozen=True)
class FindingCode:
    """One stable code. ``meaning`` (English) is README's; ``title``, templates are Chinese."""

    code: str
    severity: Severity
    group: Group
    title: str
    meaning: str
    hint: str = ""
    message: str = ""

    @cached_property
    def fields(self) -> frozenset[str]:
        """The names the hint and message templates use (a misspelt one is refused)."""
        parsed = (*_FORMATTER.parse(self.hint), *_FORMATTER.parse(self.message))
        return frozenset(name for _, name, _, _ in parsed if name)

    def make(
        self,
        message: str | None = None,
        *,
        file: str = "",
        sheet: str = "",
        cell: str = "",
        indicator: str = "",
        hint: str | None = None,
        **fields: object,
    ) -> Finding:
        """A finding of this code; templates are filled from ``fields``.

        ``message`` defaults to the code's message template; ``hint`` to its hint template
        (pass ``hint`` for a hint more precise than the code's).
        """
        unknown = set(fields) - self.fields
        if unknown:
            raise TypeError(f"{self.code} has no template field {', '.join(sorted(unknown))}")
        fields = {"file": file, "sheet": sheet, "cell": cell, "indicator": indicator, **fields}
        if message is None:
            if not self.message:
                raise ValueError(f"{self.code} has no fixed message; pass one")
            message = self.message.format(**fields)
        text = self.hint.format(**fields) if hint is None else hint
        return Finding(self.code, self.severity, message, file, sheet, cell, indicator, text)

    def summary(self, sample: Finding, count: int, limit: int) -> Finding:
        """The one finding that stands for the ``count - limit`` findings not listed."""
        message = SUMMARY_MESSAGE.format(sheet=sample.sheet, count=count, limit=limit)
        return self.make(message, file=sample.file, sheet=sample.sheet, hint=sample.hint)


class Registry(Mapping[str, FindingCode]):
    """Codes by name, in the order they were defined (README lists them in that order)."""

    def __init__(self, codes: Mapping[str, FindingCode] | None = None) -> None:
        self._codes: dict[str, FindingCode] = dict(codes or {})

    def define(self, code: FindingCode) -> FindingCode:
        """Register ``code``; a malformed or duplicate name is refused."""
        if not _NAME.fullmatch(code.code):
            raise ValueError(f"finding code {code.code!r} is not UPPER_SNAKE_CASE")
        if code.code in self._codes:
            raise ValueError(f"finding code {code.code} is defined twice")
        self._codes[code.code] = code
        return code

    def copy(self) -> Registry:
        return Registry(self._codes)

    def __getitem__(self, name: str) -> FindingCode:
        try:
            return self._codes[name]
        except KeyError:
            raise UnknownFindingCode(f"unknown finding code {name!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)


REGISTRY = Registry()
ERROR, WARNING = Severity.ERROR, Severity.WARNING


def _define(
    code: str,
    severity: Severity,
    group: Group,
    title: str,
    meaning: str,
    hint: str = "",
    message: str = "",
) -> FindingCode:
    return REGISTRY.define(FindingCode(code, severity, group, title, meaning, hint, message))


HINT_RESAVE = "请用 Excel 或 WPS 打开后“另存为”Excel 工作簿（.xlsx），再放回报表目录。"
HINT_RESEND = "请向报送部门重新索取这份报表。"
HINT_LIMIT = "如确属正常报表，可在 workspace.toml 的 [limits] 中调大 {key}。"
_HINT_EXTENT = "请删除表格下方或右侧多余的内容（包括空白格式）后另存；" + HINT_LIMIT
_F, _S, _C, _D, _R = Group.FILE, Group.STRUCTURE, Group.CELLS, Group.DOCUMENT, Group.RULES

# --- File ------------------------------------------------------------------------------------

FILE_EMPTY = _define(
    "FILE_EMPTY", ERROR, _F, "空文件", "the file has 0 bytes", HINT_RESEND, "文件是空的（0 字节）。"
)
FILE_CORRUPT = _define(
    "FILE_CORRUPT",
    ERROR,
    _F,
    "文件已损坏",
    "truncated or damaged: the zip or a sheet cannot be read",
    HINT_RESEND,
)
FILE_NOT_XLSX = _define(
    "FILE_NOT_XLSX",
    ERROR,
    _F,
    "不是 xlsx 工作簿",
    "not an xlsx workbook (text, PDF, `.xlsb`, PowerPoint, a zip without a workbook …)",
    HINT_RESAVE,
)
FILE_OLD_XLS = _define(
    "FILE_OLD_XLS",
    ERROR,
    _F,
    "旧版 .xls 文件",
    "Excel 97-2003 `.xls`; save it as `.xlsx` (另存为)",
    HINT_RESAVE,
    "这是旧版 Excel 97-2003 格式（.xls）的文件，本工具只读取 .xlsx。",
)
FILE_WORD = _define(
    "FILE_WORD",
    ERROR,
    _F,
    "Word 文档",
    "a Word document (`.doc`, or `.docx` renamed to `.xlsx`)",
    "请报送 Excel 格式（.xlsx）的报表。",
)
FILE_ENCRYPTED = _define(
    "FILE_ENCRYPTED",
    ERROR,
    _F,
    "文件已加密",
    "password-protected (encrypted) workbook",
    "请报送部门取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后重新报送。",
)
FILE_IO_ERROR = _define(
    "FILE_IO_ERROR",
    ERROR,
    _F,
    "文件无法打开",
    "the file cannot be opened (permissions, vanished)",
    "请检查文件是否存在、是否有读取权限。",
)
FILE_TOO_LARGE = _define(
    "FILE_TOO_LARGE", ERROR, _F, "文件过大", "file size above the limit `max_file_mb`", HINT_LIMIT
)
FILE_ZIP_BOMB = _define(
    "FILE_ZIP_BOMB",
    ERROR,
    _F,
    "压缩炸弹",
    "inflated size or compression ratio above `max_uncompressed_mb` / `max_compression_ratio`",
    HINT_LIMIT,
)
FILE_TOO_MANY_PARTS = _define(
    "FILE_TOO_MANY_PARTS",
    ERROR,
    _F,
    "部件过多",
    "more zip entries than any normal workbook",
    HINT_RESEND,
)
FILE_TOO_MANY_SHEETS = _define(
    "FILE_TOO_MANY_SHEETS",
    ERROR,
    _F,
    "工作表过多",
    "more sheets than the limit `max_sheets`",
    "请删除多余的工作表；" + HINT_LIMIT.format(key="max_sheets"),
)
FILE_TOO_MANY_ROWS = _define(
    "FILE_TOO_MANY_ROWS",
    ERROR,
    _F,
    "行数过多",
    "a sheet beyond the row limit `max_rows`",
    _HINT_EXTENT,
)
FILE_TOO_MANY_COLUMNS = _define(
    "FILE_TOO_MANY_COLUMNS",
    ERROR,
    _F,
    "列数过多",
    "a sheet beyond the column limit `max_columns` (e.g. a cell at XFD1048576)",
    _HINT_EXTENT,
)
FILE_TOO_MANY_CELLS = _define(
    "FILE_TOO_MANY_CELLS",
    ERROR,
    _F,
    "单元格过多",
    "a sheet beyond the cell limit `max_cells`",
    _HINT_EXTENT,
)
FILE_CELL_TOO_LONG = _define(
    "FILE_CELL_TOO_LONG",
    ERROR,
    _F,
    "单元格内容过长",
    "a cell text longer than the limit `max_cell_chars`",
    "请检查该单元格是否误粘贴了大段内容；" + HINT_LIMIT.format(key="max_cell_chars"),
)
FILE_XML_ENTITIES = _define(
    "FILE_XML_ENTITIES",
    ERROR,
    _F,
    "XML 含实体声明",
    "XML with a DTD or entities (entity expansion, external entities)",
    HINT_RESAVE,
)
FILE_TIMEOUT = _define(
    "FILE_TIMEOUT", ERROR, _F, "读取超时", "reading took longer than `max_seconds`", HINT_LIMIT
)
FILE_DUPLICATE_PART = _define(
    "FILE_DUPLICATE_PART",
    ERROR,
    _F,
    "同名部件",
    "two zip members with one name: Excel and we could read different ones; the file is refused",
    HINT_RESEND,
)
FILE_READER_CRASHED = _define(
    "FILE_READER_CRASHED",
    ERROR,
    _F,
    "读取进程异常退出",
    "the file passed every check but ended the worker process reading it (a reader crash, or "
    "more memory than `max_memory_mb`); the other files are still read",
    "请用 Excel 或 WPS 打开后“另存为”Excel 工作簿（.xlsx），再放回报表目录；"
    + HINT_LIMIT.format(key="max_memory_mb"),
)
FILE_NOT_SUBMISSION = _define(
    "FILE_NOT_SUBMISSION",
    WARNING,
    _F,
    "不是报表文件",
    "a file in the submissions folder that is no spreadsheet (`.txt`, `.docx` …); skipped",
    "报表目录中只应放各部门的 .xlsx 报表；其他文件请移到别处。",
)
FILE_LOCK_FILE = _define(
    "FILE_LOCK_FILE",
    WARNING,
    _F,
    "Office 锁定文件",
    "an Office lock file (`~$…`): the workbook is open in Excel/WPS; skipped",
    "请先关闭正在编辑的报表；若文件已关闭，可删除这个以“~$”开头的文件。",
)
FILE_WRONG_PERIOD = _define(
    "FILE_WRONG_PERIOD",
    ERROR,
    _F,
    "报告期不符",
    "header 报告期 differs from the period being validated (wrong folder)",
    "请确认是否放错了目录；{label}的报表应放在 submissions/{folder}/。",
)
FILE_WRONG_UNIT = _define(
    "FILE_WRONG_UNIT",
    ERROR,
    _F,
    "单位不符",
    "header 单位 differs from the workspace's unit",
    "这可能是其他单位的报表；请确认文件来源，或改正表头的单位名称。",
)
FILE_UNKNOWN_DEPARTMENT = _define(
    "FILE_UNKNOWN_DEPARTMENT",
    ERROR,
    _F,
    "部门不在目录中",
    "header 部门 is not a department of the catalog",
    "请写部门全称，可用：{names}。",
)
FILE_DUPLICATE_DEPARTMENT = _define(
    "FILE_DUPLICATE_DEPARTMENT",
    ERROR,
    _F,
    "同一部门两份报表",
    "two workbooks of one department in one period",
    "请删除旧的一份，只保留最终版本。",
    "“{department}”在本期有两份报表：{first} 和 {second}。",
)
FILE_MISSING_DEPARTMENT = _define(
    "FILE_MISSING_DEPARTMENT",
    ERROR,
    _F,
    "部门未报送",
    "a department with indicators or ledgers due this period has no workbook"
    " (not for the baseline period, nor when files are given one by one)",
    "请把该部门的报表放进 {folder}（可用 chengbei-report forms 生成空白填报表）。",
)

# --- Structure -------------------------------------------------------------------------------

STRUCT_NO_INDICATOR_SHEET = _define(
    "STRUCT_NO_INDICATOR_SHEET",
    ERROR,
    _S,
    "缺少指标表",
    "no sheet named `指标`",
    "请使用本工具生成的填报表（chengbei-report forms），不要改动工作表名称。",
)
STRUCT_NO_TABLE_HEADER = _define(
    "STRUCT_NO_TABLE_HEADER",
    ERROR,
    _S,
    "找不到表头行",
    "no header row with 编码 and 数值 in the first 30 rows of `指标`",
    "表头行应包含“编码、名称、单位、数值”四列。",
)
STRUCT_HEADER_MISSING = _define(
    "STRUCT_HEADER_MISSING",
    ERROR,
    _S,
    "表头信息缺失",
    "header field 单位, 部门 or 报告期 missing or empty",
    "请在“指标”表上方的表头区 A 列写“{name}”，B 列填写内容。",
)
STRUCT_CONTACT_MISSING = _define(
    "STRUCT_CONTACT_MISSING",
    WARNING,
    _S,
    "联系信息缺失",
    "header field 填报人, 联系电话 or 填报日期 missing or empty",
    "请在“指标”表上方的表头区 A 列写“{name}”，B 列填写内容。",
)
STRUCT_BAD_PERIOD = _define(
    "STRUCT_BAD_PERIOD",
    ERROR,
    _S,
    "报告期无法识别",
    "header 报告期 cannot be read as a period",
    "请写成 2023H1 或“2023年上半年”这样的形式。",
)
STRUCT_COLUMN_MISSING = _define(
    "STRUCT_COLUMN_MISSING",
    WARNING,
    _S,
    "缺少名称或单位列",
    "the table header has no 名称 or 单位 column (values are then taken in the catalog's unit)",
    "表头行应为：编码、名称、单位、数值、备注。缺“单位”列时按指标目录的单位理解数值。",
)
STRUCT_UNKNOWN_INDICATOR = _define(
    "STRUCT_UNKNOWN_INDICATOR",
    ERROR,
    _S,
    "未知指标",
    "an indicator code not in the catalog, or a value without a code",
    "请核对编码是否抄错；编码应与本工具生成的填报表一致。",
)
STRUCT_UNEXPECTED_INDICATOR = _define(
    "STRUCT_UNEXPECTED_INDICATOR",
    WARNING,
    _S,
    "不应在此填报的指标",
    "a derived indicator, or another department's, reported here; ignored",
    "请删除这一行。",
)
STRUCT_DUPLICATE_ROW = _define(
    "STRUCT_DUPLICATE_ROW",
    ERROR,
    _S,
    "指标重复",
    "the same code on two rows; the first is used",
    "请删除重复的一行，只保留正确的数值。",
)
STRUCT_MISSING_INDICATOR = _define(
    "STRUCT_MISSING_INDICATOR",
    ERROR,
    _S,
    "缺少指标行",
    "an indicator due this period (by its `frequency`) has no row;"
    " the baseline period needs only what is present",
    "请在“指标”表中补上这一行（编码、名称、单位、数值）。",
)
STRUCT_LEDGER_MISSING = _define(
    "STRUCT_LEDGER_MISSING",
    ERROR,
    _S,
    "缺少台账",
    "a ledger due this period has no sheet",
    "请添加名为“{sheet}”的工作表，第1行为列名，从第2行起每行一条记录。",
)
STRUCT_LEDGER_COLUMN_MISSING = _define(
    "STRUCT_LEDGER_COLUMN_MISSING",
    ERROR,
    _S,
    "台账缺列",
    "a ledger sheet lacks columns of the catalog",
    "第1行应包含这些列名：{columns}。",
)

# --- Cells -----------------------------------------------------------------------------------

CELL_EMPTY = _define(
    "CELL_EMPTY",
    ERROR,
    _C,
    "未填写",
    "an indicator due this period has no value",
    "请填写数值；确实为零请填 0。",
)
CELL_NOT_NUMBER = _define(
    "CELL_NOT_NUMBER",
    ERROR,
    _C,
    "不是确切的数字",
    "text where a number is required and its meaning is not certain (`约3000`, `待统计`, `3000+`)",
    "请只填写阿拉伯数字（如 3000），不要写“约”“余”“+”“待统计”等文字。",
)
CELL_TEXT_NUMBER = _define(
    "CELL_TEXT_NUMBER",
    WARNING,
    _C,
    "文本格式的数字",
    "a number written as text and read exactly"
    " (`12477.4万元`, `1,954,945`, `１２３`, `98.43%`, spaces)",
    "请把单元格改为数字格式，只填写数字。",
)
CELL_UNIT_CONVERTED = _define(
    "CELL_UNIT_CONVERTED",
    WARNING,
    _C,
    "单位已换算",
    "a value in another unit of the same family (元/万元/亿元; 平方米/亩/公顷; 米/公里), converted",
    "请按指标目录的单位“{unit}”填写。",
)
CELL_UNIT_MISMATCH = _define(
    "CELL_UNIT_MISMATCH",
    ERROR,
    _C,
    "单位无法换算",
    "a unit that cannot be converted to the catalog's (another count word, a bare 万, a % on a count)",
    "请换算为“{unit}”后填写，并把单位列改为“{unit}”。",
)
CELL_NEGATIVE = _define(
    "CELL_NEGATIVE",
    ERROR,
    _C,
    "负数",
    "a negative value where the minimum is 0",
    "请核对数值；不能为负数。",
)
CELL_NOT_INTEGER = _define(
    "CELL_NOT_INTEGER",
    ERROR,
    _C,
    "不是整数",
    "a fraction where a whole number is required (counts)",
    "请填写整数。",
)
CELL_OUT_OF_RANGE = _define(
    "CELL_OUT_OF_RANGE",
    ERROR,
    _C,
    "超出范围",
    "below the catalog's `min` or above its `max`",
    "请核对数值。",
)
CELL_PERCENT_OVER_100 = _define(
    "CELL_PERCENT_OVER_100",
    ERROR,
    _C,
    "百分比超过100%",
    "a percentage above 100% (a ratio is written 0.9843 or 98.43%)",
    "比例请填小数（如 0.9843）或带百分号（如 98.43%）。",
)
CELL_FORMULA_NO_VALUE = _define(
    "CELL_FORMULA_NO_VALUE",
    ERROR,
    _C,
    "公式没有结果",
    "a formula saved without its computed result",
    "请用 Excel 或 WPS 打开后保存一次（让公式算出结果），或直接填写数值。",
)
CELL_MERGED = _define(
    "CELL_MERGED",
    ERROR,
    _C,
    "合并单元格",
    "merged cells in the data area (only the top-left value is read)",
    "请取消合并，在每个单元格中分别填写。",
)
CELL_HIDDEN_ROW = _define(
    "CELL_HIDDEN_ROW",
    WARNING,
    _C,
    "隐藏行",
    "a value in a hidden row (still used)",
    "请取消隐藏该行并核对数值；不需要的行请删除而不是隐藏。",
)
CELL_HIDDEN_SHEET = _define(
    "CELL_HIDDEN_SHEET",
    WARNING,
    _C,
    "隐藏工作表",
    "the `指标` sheet or a ledger sheet is hidden (still used)",
    "请在 Excel 中取消隐藏该工作表，核对其中的数据。",
)
CELL_DATE_TEXT = _define(
    "CELL_DATE_TEXT",
    WARNING,
    _C,
    "文本格式的日期",
    "a ledger date written as text and read (`2023-06-30`, `2023年6月30日`)",
    "请把单元格设为日期格式后重新输入（如 2023-06-30）。",
)
CELL_NOT_DATE = _define(
    "CELL_NOT_DATE",
    ERROR,
    _C,
    "不是日期",
    "a ledger date column holds something that is not a date",
    "请填写日期（如 2023-06-30），并把单元格设为日期格式。",
)
CELL_BAD_CHOICE = _define(
    "CELL_BAD_CHOICE",
    ERROR,
    _C,
    "不在可选值中",
    "a ledger choice column holds a value outside its `choices`",
    "请从下拉列表中选择，或照抄可选值之一。",
)
CELL_REQUIRED_EMPTY = _define(
    "CELL_REQUIRED_EMPTY",
    ERROR,
    _C,
    "必填项未填",
    "a required ledger cell is empty",
    "请补填；整条记录作废时请删除整行。",
)
CELL_CONTROL_CHAR = _define(
    "CELL_CONTROL_CHAR",
    WARNING,
    _C,
    "控制字符",
    "invisible control characters in a text cell",
    "请删除后重新输入该单元格的内容。",
    "单元格中有不可见的控制字符（多为从其他系统复制而来）。",
)
CELL_TOO_PRECISE = _define(
    "CELL_TOO_PRECISE",
    ERROR,
    _C,
    "有效数字过多",
    "a number written (in the sheet XML, or as text) with more than 15 significant digits, which"
    " a float and Excel cannot keep (`12345678901234567`); a double Excel wrote out with 16–17"
    " digits (`0.30000000000000004`) is no such number and reads as Excel shows it, at 15 digits",
    "请核对数值；有效数字不应超过15位。",
)
CELL_TOO_LARGE = _define(
    "CELL_TOO_LARGE",
    ERROR,
    _C,
    "数值大得不可能",
    "a value beyond `max_value` of its unit (default 10¹⁵; `1e300`)",
    "请核对数值与单位；如确属正常，可在 workspace.toml 的 [limits] 中调大 max_value。",
)
CELL_DUPLICATE_VALUE = _define(
    "CELL_DUPLICATE_VALUE",
    ERROR,
    _C,
    "单元格存有两个值",
    "a cell holding two values in the file (`<v>162</v><v>999</v>`: Excel and openpyxl read the"
    " first, calamine the last)",
    "请用 Excel 或 WPS 打开后另存，或向报送部门重新索取；Excel 与本工具读到的内容可能不同。",
)
CELL_DUPLICATE_ADDRESS = _define(
    "CELL_DUPLICATE_ADDRESS",
    ERROR,
    _C,
    "单元格重复",
    "two cells with one reference, or a row number that comes again (rows out of order)",
    "请用 Excel 或 WPS 打开后另存，或向报送部门重新索取；Excel 与本工具读到的内容可能不同。",
)
CELL_DUPLICATE_KEY = _define(
    "CELL_DUPLICATE_KEY",
    ERROR,
    _C,
    "台账记录重复",
    "a ledger key (the catalog's `key`) on two records: counted twice, and diff cannot tell them"
    " apart",
    "请删除重复的记录；确是两条不同的记录时，请给它们不同的编号。",
)

# --- Document --------------------------------------------------------------------------------

TEXT_XML_ILLEGAL = _define(
    "TEXT_XML_ILLEGAL",
    WARNING,
    _D,
    "文档含非法字符",
    "control characters that Word cannot store reached the document text"
    " (from the template, `workspace.toml` or the catalog); they were removed and the source is named",
    "请在来源处删除这些不可见字符（多由其他系统复制粘贴带入），再重新生成。",
    "文档第{paragraph}段含有 Word 无法保存的控制字符（{chars}），已删除；来源：{source}。",
)

TEXT_APPROX_TOO_SMALL = _define(
    "TEXT_APPROX_TOO_SMALL",
    WARNING,
    _D,
    "数值不足以写成约数",
    "a figure below the granularity of its `approx` filter (9项 with `approx(10)`): the exact"
    " figure is written instead; the indicator and its source cell are named",
    "如需约数，请在模板中改用更小的取整单位，或改用 num 写出确切数字。",
    "{period}{name}（{indicator_code}）为{exact}，不足约数的取整单位{step}，不能写成约数，"
    "文中已写出确切数字{exact}（来源：{sources}）。",
)
PDF_FONT_SUBSTITUTED = _define(
    "PDF_FONT_SUBSTITUTED",
    WARNING,
    _D,
    "PDF 字体替换",
    "`build --pdf`: an official font is not installed; the message names the face the PDF uses"
    " instead and whether it is of the same style",
    "安装该字体，或安装 README“PDF 字体”一节所列的免费同类字体。",
)

CYCLE_FIGURE_OVERWRITTEN = _define(
    "CYCLE_FIGURE_OVERWRITTEN",
    ERROR,
    _D,
    "绑定数字被改写",
    "`build --template BOUND.docx`: a bound figure was overwritten by hand (restore it, delete it,"
    " or run `bind`)",
    "请改回，或删去该数字；保留手写数字请先运行 chengbei-report bind。",
)

CYCLE_FIGURE_MISSING = _define(
    "CYCLE_FIGURE_MISSING",
    ERROR,
    _D,
    "绑定数字无数据",
    "`build --template BOUND.docx`: a bound figure has no value in the period (e.g. the indicator"
    " is no longer reported)",
    "请补报该数据，或在文中删去这个数字。",
)

# --- Rules -----------------------------------------------------------------------------------

RULE_VIOLATED = _define(
    "RULE_VIOLATED",
    ERROR,
    _R,
    "校验规则不成立",
    "a cross-field rule of the catalog (`rules`) does not hold, e.g. 帮扶成功就业 ≤ 失业人员就业帮扶",
    "请核对规则两边涉及的数值，至少有一个填错了。",
)
RULE_CROSSCHECK = _define(
    "RULE_CROSSCHECK",
    ERROR,
    _R,
    "与台账不符",
    "the reported figure differs from its ledger aggregate (`crosscheck`); both are named",
    "请核对填报数和台账，二者应一致。",
)
RULE_DISAGREE = _define(
    "RULE_DISAGREE",
    ERROR,
    _R,
    "同一数据两处不一致",
    "two sources of one quantity that the catalog's `agreements` say must agree differ (the"
    " department's 区级税收 and the unit's own row of the district table; a ledger count and the"
    " district count); both are named",
    "请核对这两处数据，改正填错的一处。",
)
RULE_CUMULATIVE_FELL = _define(
    "RULE_CUMULATIVE_FELL",
    ERROR,
    _R,
    "累计数减少",
    "a `cumulative` figure is below the previous period's (when that period's data exists)",
    "累计数不应减少；请核对本期或上期的数值。",
)
RULE_CHANGE_LARGE = _define(
    "RULE_CHANGE_LARGE",
    WARNING,
    _R,
    "变化幅度过大",
    "the change against the same period last year exceeds the indicator's `threshold`",
    "变化较大，请确认数值无误（如口径变化可在备注中说明）。",
)
RULE_UNCHECKABLE = _define(
    "RULE_UNCHECKABLE",
    WARNING,
    _R,
    "规则无法校验",
    "a rule or cross-check could not be evaluated (division by zero, missing data)",
    "请先改正其他错误，再重新校验。",
)
