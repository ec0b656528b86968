"""Each validation check against a workbook changed or built in the test.

The sample workspace validates clean, so a copy of it with one change planted shows exactly
the finding that change causes.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from chengbei_report.commands.validate import ValidationResult, validate_submissions
from chengbei_report.findings import Severity
from chengbei_report.periods import Period
from chengbei_report.validate.cells import text_date

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
PERIOD = Period.parse("2023H1")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A private copy of the sample workspace."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "ws"))


def folder(ws: Path, period: str = "2023H1") -> Path:
    return ws / "submissions" / period


def workbook_of(ws: Path, department: str, period: str = "2023H1") -> Path:
    return folder(ws, period) / f"城北街道_{period}_{department}.xlsx"


def edit(path: Path, change: Callable[[Workbook], object]) -> None:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)


def row_of(sheet: Worksheet, code: str) -> int:
    """The row of an indicator code in column A of the 指标 sheet."""
    return next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 1).value == code)


def set_value(code: str, value: object, column: str = "D") -> Callable[[Workbook], None]:
    def change(book: Workbook) -> None:
        sheet = book["指标"]
        sheet[f"{column}{row_of(sheet, code)}"] = value

    return change


def value_cell(path: Path, code: str) -> str:
    sheet = openpyxl.load_workbook(path, read_only=False)["指标"]
    return f"D{row_of(sheet, code)}"


def check(ws: Path, *files: Path, period: Period | None = PERIOD) -> ValidationResult:
    if files:
        return validate_submissions(period=period, paths=list(files), workspace_dir=ws)
    return validate_submissions(period=period, workspace_dir=ws)


def found(result: ValidationResult) -> set[tuple[str, str, str]]:
    return {(f.code, f.sheet, f.cell) for f in result.findings}


def codes(result: ValidationResult) -> set[str]:
    return {f.code for f in result.findings}


ECONOMY = "经济发展办公室"
PARTY = "党建工作办公室"
SOCIAL = "社会事务管理办公室"
URBAN = "城市建设与环境办公室"
SAFETY = "平安建设办公室"


# ---------------------------------------------------------------- file


@pytest.mark.parametrize(
    "content",
    [b"", b"hello, this is not a workbook", b"PK\x03\x04truncated"],
    ids=["empty", "text", "truncated_zip"],
)
def test_not_a_workbook_is_a_file_error(ws: Path, content: bytes) -> None:
    path = folder(ws) / "坏文件.xlsx"
    path.write_bytes(content)
    result = check(ws)
    [finding] = [f for f in result.findings if f.file == path.name]
    assert finding.code.startswith("FILE_") and finding.severity is Severity.ERROR
    assert not result.ok


def test_word_file_renamed_is_a_file_error(ws: Path) -> None:
    path = folder(ws) / "改名的文档.xlsx"
    with zipfile.ZipFile(path, "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("word/document.xml", "<w:document/>")
    [finding] = [f for f in check(ws).findings if f.file == path.name]
    assert finding.code.startswith("FILE_") and finding.is_error


def test_files_that_are_not_submissions_are_skipped_with_a_warning(ws: Path) -> None:
    (folder(ws) / "说明.txt").write_text("请按时报送", encoding="utf-8")
    (folder(ws) / "总结.docx").write_bytes(b"PK\x03\x04")
    shutil.copy(workbook_of(ws, ECONOMY), folder(ws) / f"~$城北街道_2023H1_{ECONOMY}.xlsx")
    result = check(ws)
    assert {(f.code, f.file, f.severity) for f in result.findings} == {
        ("FILE_NOT_SUBMISSION", "说明.txt", Severity.WARNING),
        ("FILE_NOT_SUBMISSION", "总结.docx", Severity.WARNING),
        ("FILE_LOCK_FILE", f"~$城北街道_2023H1_{ECONOMY}.xlsx", Severity.WARNING),
    }
    assert result.ok


def test_workbook_of_another_period(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)
    edit(path, lambda book: book["指标"].__setitem__("B4", "2022年上半年"))
    assert found(check(ws, path)) == {("FILE_WRONG_PERIOD", "指标", "B4")}


def test_workbook_of_another_unit(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)
    edit(path, lambda book: book["指标"].__setitem__("B2", "城东街道"))
    assert found(check(ws, path)) == {("FILE_WRONG_UNIT", "指标", "B2")}


def test_unknown_department(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)
    edit(path, lambda book: book["指标"].__setitem__("B3", "经济办"))
    assert found(check(ws, path)) == {("FILE_UNKNOWN_DEPARTMENT", "指标", "B3")}


def test_two_submissions_for_one_department(ws: Path) -> None:
    shutil.copy(workbook_of(ws, ECONOMY), folder(ws) / "经发办_最终版.xlsx")
    result = check(ws)
    assert {(f.code, f.file) for f in result.findings} == {
        ("FILE_DUPLICATE_DEPARTMENT", "经发办_最终版.xlsx")
    }


def test_missing_department(ws: Path) -> None:
    workbook_of(ws, "综合行政执法队").unlink()
    result = check(ws)
    assert codes(result) == {"FILE_MISSING_DEPARTMENT"}
    assert "综合行政执法队" in result.findings.findings[0].message


def test_period_of_given_files_is_read_from_their_header(ws: Path) -> None:
    result = check(ws, workbook_of(ws, ECONOMY), workbook_of(ws, ECONOMY, "2022"), period=None)
    assert result.ok and not result.findings.findings


# ---------------------------------------------------------------- structure


def test_identity_header_field_missing_is_an_error(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)
    edit(path, lambda book: book["指标"].__setitem__("B4", None))
    assert found(check(ws, path)) == {("STRUCT_HEADER_MISSING", "指标", "B4")}


def test_contact_field_missing_is_a_warning(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)
    edit(path, lambda book: book["指标"].__setitem__("B6", None))
    result = check(ws, path)
    assert found(result) == {("STRUCT_CONTACT_MISSING", "指标", "B6")}
    assert result.ok


def test_indicator_sheet_missing(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)
    edit(path, lambda book: setattr(book["指标"], "title", "Sheet1"))
    assert codes(check(ws, path)) == {"STRUCT_NO_INDICATOR_SHEET"}


def test_table_header_missing(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)
    edit(path, lambda book: book["指标"].__setitem__("A9", "代码"))
    assert codes(check(ws, path)) == {"STRUCT_NO_TABLE_HEADER"}


def test_unit_column_missing_is_a_warning(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)
    edit(path, lambda book: book["指标"].__setitem__("C9", None))
    result = check(ws, path)
    assert found(result) == {("STRUCT_COLUMN_MISSING", "指标", "A9")} and result.ok


def test_unknown_indicator_code(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)

    def add_row(book: Workbook) -> None:
        book["指标"].append(["econ_unknown", "不存在的指标", "个", 5])

    edit(path, add_row)
    row = openpyxl.load_workbook(path)["指标"].max_row
    assert found(check(ws, path)) == {("STRUCT_UNKNOWN_INDICATOR", "指标", f"A{row}")}


def test_derived_indicator_reported_is_a_warning(ws: Path) -> None:
    path = workbook_of(ws, SAFETY)
    edit(path, lambda book: book["指标"].append(["safety_hazards", "排查隐患", "处", 1740]))
    result = check(ws, path)
    assert codes(result) == {"STRUCT_UNEXPECTED_INDICATOR"} and result.ok


def test_duplicate_row(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)
    edit(
        path,
        lambda book: book["指标"].append(["econ_park_units", "婺州英才创新园入驻单位", "家", 60]),
    )
    row = openpyxl.load_workbook(path)["指标"].max_row
    assert found(check(ws, path)) == {("STRUCT_DUPLICATE_ROW", "指标", f"A{row}")}


def test_required_indicator_missing(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)

    def drop(book: Workbook) -> None:
        sheet = book["指标"]
        sheet.delete_rows(row_of(sheet, "econ_night_visitors"))

    edit(path, drop)
    result = check(ws, path)
    assert {(f.code, f.indicator) for f in result.findings} == {
        ("STRUCT_MISSING_INDICATOR", "econ_night_visitors")
    }


def test_baseline_needs_only_what_is_present(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY, "2002")

    def drop(book: Workbook) -> None:
        sheet = book["指标"]
        sheet.delete_rows(row_of(sheet, "econ_sales"))

    edit(path, drop)
    assert not check(ws, period=Period.parse("2002")).findings.findings


def test_ledger_sheet_missing(ws: Path) -> None:
    path = workbook_of(ws, PARTY)
    edit(path, lambda book: book.remove(book["党员短信提醒"]))
    assert codes(check(ws, path)) == {"STRUCT_LEDGER_MISSING"}


def test_missing_ledger_gives_one_finding_not_one_per_rule(ws: Path) -> None:
    path = workbook_of(ws, SAFETY)
    edit(path, lambda book: book.remove(book["安全生产排查台账"]))
    assert found(check(ws, path)) == {("STRUCT_LEDGER_MISSING", "安全生产排查台账", "")}


def test_ledger_column_missing(ws: Path) -> None:
    path = workbook_of(ws, PARTY)
    edit(path, lambda book: book["党员短信提醒"].__setitem__("C1", "主题"))
    assert found(check(ws, path)) == {("STRUCT_LEDGER_COLUMN_MISSING", "党员短信提醒", "A1")}


# ---------------------------------------------------------------- cells


@pytest.mark.parametrize("text", ["6,000", "６０００", " 6000 ", "6000万元", "6000.0"])
def test_numbers_written_as_text_are_read_with_a_warning(ws: Path, text: str) -> None:
    path = workbook_of(ws, ECONOMY)
    edit(path, set_value("econ_park_revenue", text))
    result = check(ws, path)
    cell = value_cell(path, "econ_park_revenue")
    assert found(result) == {("CELL_TEXT_NUMBER", "指标", cell)} and result.ok


@pytest.mark.parametrize("text", ["约6000", "待统计", "6000+", "6000余", "六千", "6000-7000"])
def test_approximate_or_wordy_numbers_are_refused(ws: Path, text: str) -> None:
    path = workbook_of(ws, ECONOMY)
    edit(path, set_value("econ_park_revenue", text))
    cell = value_cell(path, "econ_park_revenue")
    assert found(check(ws, path)) == {("CELL_NOT_NUMBER", "指标", cell)}


def test_other_unit_of_the_family_is_converted_with_a_warning(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)
    edit(path, set_value("econ_park_revenue", "0.6亿元"))
    result = check(ws, path)
    assert codes(result) == {"CELL_TEXT_NUMBER", "CELL_UNIT_CONVERTED"} and result.ok
    assert "6000万元" in next(f.message for f in result.findings if f.code == "CELL_UNIT_CONVERTED")


def test_unit_column_in_another_unit_is_converted(ws: Path) -> None:
    path = workbook_of(ws, URBAN)
    edit(path, set_value("urban_future_area", "平方米", "C"))
    edit(path, set_value("urban_future_area", 390400))
    result = check(ws, path)
    assert codes(result) == {"CELL_UNIT_CONVERTED"}
    assert "39.04公顷" in result.findings.findings[0].message


@pytest.mark.parametrize("unit", ["人", "万"])
def test_unit_that_cannot_be_converted_is_refused(ws: Path, unit: str) -> None:
    path = workbook_of(ws, ECONOMY)
    edit(path, set_value("econ_park_revenue", unit, "C"))
    cell = value_cell(path, "econ_park_revenue")
    assert found(check(ws, path)) == {("CELL_UNIT_MISMATCH", "指标", cell)}


def test_negative_count(ws: Path) -> None:
    path = workbook_of(ws, "综合行政执法队")
    edit(path, set_value("enf_general_cases", -3))
    assert codes(check(ws, path)) == {"CELL_NEGATIVE"}


def test_fractional_count(ws: Path) -> None:
    path = workbook_of(ws, "综合行政执法队")
    edit(path, set_value("enf_general_cases", 162.5))
    cell = value_cell(path, "enf_general_cases")
    assert found(check(ws, path)) == {("CELL_NOT_INTEGER", "指标", cell)}


def test_value_below_the_catalog_minimum(ws: Path) -> None:
    path = workbook_of(ws, URBAN)
    edit(path, set_value("urban_demolition_target", 0))
    assert "CELL_OUT_OF_RANGE" in codes(check(ws, path))


def test_empty_value(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)
    edit(path, set_value("econ_night_visitors", None))
    cell = value_cell(path, "econ_night_visitors")
    assert found(check(ws, path)) == {("CELL_EMPTY", "指标", cell)}


def _add_rate_indicator(ws: Path, value: object) -> Path:
    """A reported percentage, which the sample catalog does not have."""
    with (ws / "catalog.toml").open("a", encoding="utf-8") as catalog:
        catalog.write(
            '\n[[indicators]]\ncode = "econ_occupancy"\nname = "创新园入驻率"\nunit = "%"\n'
            'kind = "ratio"\ndepartment = "economy"\nfrequency = ["H"]\n'
        )
    path = workbook_of(ws, ECONOMY)
    edit(path, lambda book: book["指标"].append(["econ_occupancy", "创新园入驻率", "%", value]))
    return path


@pytest.mark.parametrize("value", [1.2, "120%", 98.43])
def test_percentage_over_100(ws: Path, value: object) -> None:
    path = _add_rate_indicator(ws, value)
    assert "CELL_PERCENT_OVER_100" in codes(check(ws, path))


@pytest.mark.parametrize("value", [0.9843, "98.43%"])
def test_percentage_within_100(ws: Path, value: object) -> None:
    path = _add_rate_indicator(ws, value)
    assert check(ws, path).ok


def test_percent_sign_on_a_count_is_refused(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)
    edit(path, set_value("econ_park_units", "54%"))
    assert codes(check(ws, path)) == {"CELL_UNIT_MISMATCH"}


def test_merged_cells_over_values(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)

    def merge(book: Workbook) -> None:
        sheet = book["指标"]
        row = row_of(sheet, "econ_park_units")
        sheet.merge_cells(f"D{row}:D{row + 1}")

    edit(path, merge)
    cell = value_cell(path, "econ_park_units")
    assert ("CELL_MERGED", "指标", cell) in found(check(ws, path))


def test_hidden_ledger_sheet_is_a_warning(ws: Path) -> None:
    path = workbook_of(ws, PARTY)
    edit(path, lambda book: setattr(book["社区文化活动"], "sheet_state", "hidden"))
    result = check(ws, path)
    assert found(result) == {("CELL_HIDDEN_SHEET", "社区文化活动", "")} and result.ok


def test_value_in_hidden_row_is_a_warning(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)

    def hide(book: Workbook) -> None:
        sheet = book["指标"]
        sheet.row_dimensions[row_of(sheet, "econ_park_units")].hidden = True

    edit(path, hide)
    cell = value_cell(path, "econ_park_units")
    assert found(check(ws, path)) == {("CELL_HIDDEN_ROW", "指标", cell)}


def test_formula_without_cached_value(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)
    edit(path, set_value("econ_park_units", "=50+4"))
    cell = value_cell(path, "econ_park_units")
    assert found(check(ws, path)) == {("CELL_FORMULA_NO_VALUE", "指标", cell)}


def test_ledger_formula_without_cached_value_and_hidden_row(ws: Path) -> None:
    path = workbook_of(ws, PARTY)

    def change(book: Workbook) -> None:
        book["社区文化活动"]["C3"] = "=B3*60"
        book["社区文化活动"].row_dimensions[4].hidden = True

    edit(path, change)
    result = check(ws, path)
    assert {(f.code, f.cell, f.severity) for f in result.findings} == {
        ("CELL_FORMULA_NO_VALUE", "C3", Severity.ERROR),
        ("CELL_HIDDEN_ROW", "A4", Severity.WARNING),
    }


def _set_ledger(sheet: str, cell: str, value: object) -> Callable[[Workbook], None]:
    return lambda book: book[sheet].__setitem__(cell, value)


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "code"),
    [
        ("党群服务中心提档升级", "C2", "2021-10-08", "CELL_DATE_TEXT"),
        ("党群服务中心提档升级", "C2", "2021年10月8日", "CELL_DATE_TEXT"),
        ("党群服务中心提档升级", "C2", "去年十月", "CELL_NOT_DATE"),
        ("党群服务中心提档升级", "D2", "已完成", "CELL_BAD_CHOICE"),
        ("党群服务中心提档升级", "B2", None, "CELL_REQUIRED_EMPTY"),
        ("社区文化活动", "B2", "约56", "CELL_NOT_NUMBER"),
        ("社区文化活动", "B2", -56, "CELL_NEGATIVE"),
        ("社区文化活动", "B2", 56.5, "CELL_NOT_INTEGER"),
        ("社区文化活动", "B2", "56场", "CELL_TEXT_NUMBER"),
        ("社区文化活动", "D2", "市民教育_x0001_理论宣讲", "CELL_CONTROL_CHAR"),
    ],
)
def test_ledger_cells(ws: Path, sheet: str, cell: str, value: object, code: str) -> None:
    path = workbook_of(ws, PARTY)
    edit(path, _set_ledger(sheet, cell, value))
    assert (code, sheet, cell) in found(check(ws, path))
    assert {f.code for f in check(ws, path).findings if f.sheet == sheet} == {code}


# ---------------------------------------------------------------- rules


def test_cross_field_rule(ws: Path) -> None:
    path = workbook_of(ws, PARTY)
    edit(path, set_value("party_first_form", 13))
    cell = value_cell(path, "party_first_form")
    result = check(ws, path)
    assert found(result) == {("RULE_VIOLATED", "指标", cell)}
    finding = result.findings.findings[0]
    assert finding.message == (
        "不符合规则“运用第一种形态处理 ≤ 处理党员干部”：运用第一种形态处理为 13人，处理党员干部为 12人。"
    )
    assert finding.hint == "请核对运用第一种形态处理、处理党员干部的数值，至少有一个填错了。"


def test_rule_over_ledger_aggregates(ws: Path) -> None:
    path = workbook_of(ws, SAFETY)
    edit(path, _set_ledger("安全生产排查台账", "G2", 10))  # 整改 1735 − 1 + 10 = 1744 > 隐患 1740
    assert codes(check(ws, path)) == {"RULE_VIOLATED"}


def test_crosscheck_names_both_sides(ws: Path) -> None:
    path = workbook_of(ws, SAFETY)
    edit(path, set_value("safety_inspected", 2801))
    result = check(ws, path)
    cell = value_cell(path, "safety_inspected")
    assert found(result) == {("RULE_CROSSCHECK", "指标", cell)}
    message = result.findings.findings[0].message
    assert "2801" in message and "2800" in message and "安全生产排查台账!A2:A2801" in message


def test_cumulative_figure_that_fell(ws: Path) -> None:
    previous = folder(ws, "2022H2")
    previous.mkdir()
    path = previous / "城北街道_2022H2_经济发展办公室.xlsx"
    shutil.copy(workbook_of(ws, ECONOMY), path)
    edit(path, lambda book: book["指标"].__setitem__("B4", "2022H2"))
    edit(path, set_value("econ_park_units", 60))
    current = workbook_of(ws, ECONOMY)
    cell = value_cell(current, "econ_park_units")
    assert found(check(ws, current)) == {("RULE_CUMULATIVE_FELL", "指标", cell)}


def test_change_beyond_threshold_is_a_warning(ws: Path) -> None:
    path = workbook_of(ws, ECONOMY)
    edit(path, set_value("econ_night_visitors", 9000))
    result = check(ws, path)
    cell = value_cell(path, "econ_night_visitors")
    assert found(result) == {("RULE_CHANGE_LARGE", "指标", cell)} and result.ok


def test_rule_that_cannot_be_computed_is_a_finding(ws: Path) -> None:
    catalog = ws / "catalog.toml"
    text = catalog.read_text(encoding="utf-8")
    old = 'rules = ["party_first_form <= party_disciplined"]'
    new = 'rules = ["party_first_form <= party_disciplined / (party_inspections - 7)"]'
    catalog.write_text(text.replace(old, new), encoding="utf-8")
    result = check(ws, workbook_of(ws, PARTY))
    assert codes(result) == {"RULE_UNCHECKABLE"}
    assert "除数为零" in result.findings.findings[0].message


def test_rules_are_skipped_when_their_inputs_have_errors(ws: Path) -> None:
    path = workbook_of(ws, PARTY)
    edit(path, set_value("party_disciplined", "待统计"))
    assert codes(check(ws, path)) == {"CELL_NOT_NUMBER"}


# ---------------------------------------------------------------- date text parser


@given(
    day=st.dates(),
    style=st.sampled_from(
        [
            "{y}-{m:02d}-{d:02d}",
            "{y}/{m}/{d}",
            "{y}.{m}.{d}",
            "{y}年{m}月{d}日",
            " {y} 年 {m} 月 {d} 日 ",
        ]
    ),
)
def test_dates_written_as_text_are_read(day: date, style: str) -> None:
    if day.year < 1000:
        return
    assert text_date(style.format(y=day.year, m=day.month, d=day.day)) == day


@given(st.text(max_size=30))
def test_date_parser_never_raises(text: str) -> None:
    parsed = text_date(text)
    assert parsed is None or isinstance(parsed, date)


@pytest.mark.parametrize("text", ["2023-02-30", "2023-13-01", "2023年6月", "6/30/2023", "上周"])
def test_impossible_or_partial_dates_are_refused(text: str) -> None:
    assert text_date(text) is None
