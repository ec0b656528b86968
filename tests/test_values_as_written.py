"""Values read as the department wrote them, and one quantity with one value (issue 9, 6–8).

Each case plants one change into a copy of the sample workspace, in the sheet XML where
openpyxl cannot write it, and expects exactly the finding it causes; openpyxl reads the same
file back to show how Excel's side sees it.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from chengbei_report.cli import app
from chengbei_report.commands.build import build_report
from chengbei_report.commands.validate import validate_submissions
from chengbei_report.errors import CatalogError
from chengbei_report.findings import Finding
from chengbei_report.periods import Period
from chengbei_report.read.safety import Limits, UnreadableWorkbook, preflight
from chengbei_report.read.submission import number_from_cell

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
H1 = Period.parse("2023H1")
YEAR = Period.parse("2022")
SOCIAL = "社会事务管理办公室"
runner = CliRunner()


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SAMPLE, tmp_path / "ws"))


def book(ws: Path, department: str, period: str = "2023H1") -> Path:
    return ws / "submissions" / period / f"城北街道_{period}_{department}.xlsx"


def sheet_part(path: Path, name: str) -> str:
    """The zip member of a sheet, found through openpyxl's order (sheetN.xml by position)."""
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    return f"xl/worksheets/sheet{names.index(name) + 1}.xml"


def rewrite(path: Path, part: str, change: Callable[[str], str]) -> None:
    """Replace one zip member's text; every other member is copied as it is."""
    with zipfile.ZipFile(path) as old:
        members = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in members:
            if info.filename == part:
                changed = change(data.decode("utf-8"))
                assert changed != data.decode("utf-8"), "the change did not apply"
                data = changed.encode("utf-8")
            new.writestr(info, data)


def indicator_cell(path: Path, code: str) -> str:
    sheet = openpyxl.load_workbook(path)["指标"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == code)
    return f"D{row}"


def set_v(cell: str, text: str) -> Callable[[str], str]:
    """The ``<v>`` of one cell replaced by ``text`` (the cell made a number)."""

    def change(xml: str) -> str:
        pattern = re.compile(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)')
        return pattern.sub(f'<c r="{cell}" t="n"><v>{text}</v></c>', xml, count=1)

    return change


def codes(findings: list[Finding]) -> set[tuple[str, str, str]]:
    return {(f.code, f.sheet, f.cell) for f in findings if f.is_error}


def check(ws: Path, period: Period = H1) -> list[Finding]:
    return validate_submissions(period=period, workspace_dir=ws).findings.findings


# --- 6. values read as written ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["12345678901234567", "0.12345678901234567891", "-98765432109876543"]
)
def test_a_number_with_more_digits_than_a_float_keeps_is_an_error(ws: Path, text: str) -> None:
    path = book(ws, SOCIAL)
    cell = indicator_cell(path, "social_labour_surveyed")
    rewrite(path, sheet_part(path, "指标"), set_v(cell, text))
    findings = check(ws)
    assert ("CELL_TOO_PRECISE", "指标", cell) in codes(findings)
    [finding] = [f for f in findings if f.code == "CELL_TOO_PRECISE"]
    assert text in finding.message and finding.indicator == "social_labour_surveyed"


def test_a_long_number_written_as_text_is_an_error(ws: Path) -> None:
    path = book(ws, SOCIAL)
    cell = indicator_cell(path, "social_labour_surveyed")
    book_ = openpyxl.load_workbook(path)
    book_["指标"][cell] = "12345678901234567"
    book_.save(path)
    assert ("CELL_TOO_PRECISE", "指标", cell) in codes(check(ws))


def test_a_double_written_with_17_digits_reads_as_excel_shows_it(ws: Path) -> None:
    """Excel writes a computed 0.1 + 0.2 as 0.30000000000000004 and shows 0.3: no finding."""
    assert number_from_cell(0.1 + 0.2) == Decimal("0.3")
    assert number_from_cell(9320.700000000001) == Decimal("9320.7")
    assert number_from_cell(12345.6) == Decimal("12345.6")
    path = book(ws, SOCIAL)
    cell = indicator_cell(path, "social_labour_surveyed")
    rewrite(path, sheet_part(path, "指标"), set_v(cell, "2540.0000000000005"))
    assert not [f for f in check(ws) if f.code == "CELL_TOO_PRECISE"]


@pytest.mark.parametrize("text", ["1e300", "1E+16", "50000000000000000000"])
def test_a_value_no_indicator_can_have_is_an_error(ws: Path, text: str) -> None:
    path = book(ws, SOCIAL)
    cell = indicator_cell(path, "social_labour_surveyed")
    rewrite(path, sheet_part(path, "指标"), set_v(cell, text))
    findings = check(ws)
    assert ("CELL_TOO_LARGE", "指标", cell) in codes(findings)
    [finding] = [f for f in findings if f.code == "CELL_TOO_LARGE"]
    assert len(finding.message) < 120  # 1e300 is not spelled out in 301 digits


def test_the_magnitude_limit_is_configurable(ws: Path) -> None:
    path = book(ws, SOCIAL)
    cell = indicator_cell(path, "social_labour_surveyed")
    rewrite(path, sheet_part(path, "指标"), set_v(cell, "1E+16"))
    config = ws / "workspace.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + "\n[limits]\nmax_value = 100000000000000000\n",
        encoding="utf-8",
    )
    assert not [f for f in check(ws) if f.code == "CELL_TOO_LARGE"]


def test_a_huge_ledger_value_is_an_error(ws: Path) -> None:
    path = book(ws, SOCIAL)
    edit = openpyxl.load_workbook(path)
    sheet = edit["劳动纠纷调解台账"]
    column = next(c for c in range(1, sheet.max_column + 1) if sheet.cell(1, c).value == "涉及金额")
    sheet.cell(3, column).value = 1e300
    edit.save(path)
    letter = openpyxl.utils.get_column_letter(column)
    assert ("CELL_TOO_LARGE", "劳动纠纷调解台账", f"{letter}3") in codes(check(ws))


def test_a_cell_with_two_values_is_an_error(ws: Path) -> None:
    path = book(ws, SOCIAL)
    cell = indicator_cell(path, "social_labour_surveyed")
    rewrite(path, sheet_part(path, "指标"), set_v(cell, "162</v><v>999"))
    assert openpyxl.load_workbook(path)["指标"][cell].value == 162  # openpyxl: the first
    findings = check(ws)
    assert ("CELL_DUPLICATE_VALUE", "指标", cell) in codes(findings)
    [finding] = [f for f in findings if f.code == "CELL_DUPLICATE_VALUE"]
    assert finding.indicator == "social_labour_surveyed"


@pytest.mark.parametrize("text", ["NaN", "inf", "-Infinity"])
def test_a_number_cell_holding_no_number_is_an_error(ws: Path, text: str) -> None:
    """openpyxl cannot open such a file at all; calamine reads it as a float without a word
    (other text, such as ``abc``, calamine refuses itself: FILE_CORRUPT)."""
    path = book(ws, SOCIAL)
    rewrite(path, sheet_part(path, "指标"), set_v("A1", text))
    with pytest.raises(ValueError):
        openpyxl.load_workbook(path)
    assert ("CELL_NOT_NUMBER", "指标", "A1") in codes(check(ws))


def test_a_sheet_whose_root_is_no_worksheet_is_refused(ws: Path) -> None:
    """Found by scripts/fuzz.py: without its opening tag openpyxl refuses the sheet, calamine
    read on."""
    path = book(ws, SOCIAL)
    rewrite(
        path, sheet_part(path, "指标"), lambda xml: re.sub(r"<worksheet[^>]*>", "", xml, count=1)
    )
    with pytest.raises(Exception, match="junk after document element"):
        openpyxl.load_workbook(path)
    assert ("FILE_CORRUPT", "", "") in codes(check(ws))


def test_two_cells_with_one_reference_are_an_error(ws: Path) -> None:
    path = book(ws, SOCIAL)
    cell = indicator_cell(path, "social_labour_surveyed")

    def twice(xml: str) -> str:
        found = re.search(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)', xml)
        assert found is not None
        return xml.replace(found[0], found[0] + f'<c r="{cell}" t="n"><v>999</v></c>', 1)

    rewrite(path, sheet_part(path, "指标"), twice)
    assert ("CELL_DUPLICATE_ADDRESS", "指标", cell) in codes(check(ws))


def test_a_row_that_comes_twice_is_an_error(ws: Path) -> None:
    path = book(ws, SOCIAL)

    def again(xml: str) -> str:
        row = re.search(r'<row r="12"[^>]*>.*?</row>', xml)
        assert row is not None
        return xml.replace("</sheetData>", row[0] + "</sheetData>", 1)

    rewrite(path, sheet_part(path, "指标"), again)
    assert ("CELL_DUPLICATE_ADDRESS", "指标", "A12") in codes(check(ws))


def test_two_zip_members_with_one_name_refuse_the_file(ws: Path) -> None:
    path = book(ws, SOCIAL)
    part = sheet_part(path, "指标")
    with zipfile.ZipFile(path, "a") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr(part, archive.read(part))
    with pytest.raises(UnreadableWorkbook) as caught:
        preflight(path, Limits())
    assert caught.value.code == "FILE_DUPLICATE_PART" and part in caught.value.message
    assert ("FILE_DUPLICATE_PART", "", "") in codes(check(ws))


def test_a_ledger_key_that_repeats_is_an_error(ws: Path) -> None:
    path = book(ws, SOCIAL)
    edit = openpyxl.load_workbook(path)
    sheet = edit["劳动纠纷调解台账"]
    sheet.cell(3, 1).value = sheet.cell(2, 1).value
    edit.save(path)
    findings = check(ws)
    assert ("CELL_DUPLICATE_KEY", "劳动纠纷调解台账", "A3") in codes(findings)
    [finding] = [f for f in findings if f.code == "CELL_DUPLICATE_KEY"]
    assert "第2行和第3行" in finding.message


def test_the_sample_has_none_of_these(ws: Path) -> None:
    new = {"CELL_TOO_PRECISE", "CELL_TOO_LARGE", "CELL_DUPLICATE_VALUE", "CELL_DUPLICATE_KEY"}
    for period in ("2023H1", "2022H1", "2022", "2021", "2020", "2002"):
        assert not [f for f in check(ws, Period.parse(period)) if f.code in new]


# --- 7. one quantity, one value ---------------------------------------------------------------


def _district_row(path: Path, sheet_name: str, column_name: str) -> tuple[str, object]:
    sheet = openpyxl.load_workbook(path)[sheet_name]
    column = next(
        c for c in range(1, sheet.max_column + 1) if sheet.cell(1, c).value == column_name
    )
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "城北街道")
    return f"{openpyxl.utils.get_column_letter(column)}{row}", sheet.cell(row, column).value


def test_the_unit_row_of_the_district_table_must_agree_with_the_department(ws: Path) -> None:
    district = book(ws, "区级对比数据", "2022")
    cell, tax = _district_row(district, "全区主要经济指标", "区级税收")
    edit = openpyxl.load_workbook(district)
    edit["全区主要经济指标"][cell] = float(tax) + 100  # type: ignore[arg-type]
    edit.save(district)
    findings = check(ws, YEAR)
    [finding] = [f for f in findings if f.code == "RULE_DISAGREE"]
    assert finding.is_error and finding.indicator == "econ_tax"
    economy_cell = indicator_cell(book(ws, "经济发展办公室", "2022"), "econ_tax")
    assert f"指标!{economy_cell}" in finding.message  # both cells named
    assert f"全区主要经济指标!{cell}" in finding.message
    assert (finding.file, finding.sheet, finding.cell) == (
        "城北街道_2022_经济发展办公室.xlsx",
        "指标",
        economy_cell,
    )


def test_a_ledger_count_must_agree_with_the_district_count(ws: Path, tmp_path: Path) -> None:
    district = book(ws, "区级对比数据")
    cell, count = _district_row(district, "党群服务中心提档验收", "提档验收数")
    edit = openpyxl.load_workbook(district)
    edit["党群服务中心提档验收"][cell] = int(count) + 1  # type: ignore[call-overload]
    edit.save(district)
    [finding] = [f for f in check(ws) if f.code == "RULE_DISAGREE"]
    assert (
        "党群服务中心提档升级" in finding.message
        and f"党群服务中心提档验收!{cell}" in finding.message
    )
    result = build_report(H1, workspace_dir=ws, out_dir=tmp_path / "out")
    assert not result.ok and result.document is None
    assert "RULE_DISAGREE" in {f.code for f in result.findings.errors}
    assert not (tmp_path / "out").exists()


def test_an_agreement_names_what_does_not_exist(ws: Path) -> None:
    import tomllib

    from chengbei_report.catalog import build_catalog, load_catalog

    data = tomllib.loads((ws / "catalog.toml").read_text(encoding="utf-8"))
    data["agreements"].append({"left": "econ_tax", "right": "own(district_economy.没有)"})
    with pytest.raises(CatalogError, match="不存在的列“没有”"):
        build_catalog(data)
    data["agreements"][-1] = {"left": "econ_tax", "right": "econ_entities"}
    with pytest.raises(CatalogError, match="不是同一种量"):
        build_catalog(data)
    data["agreements"][-1] = {"left": "econ_tax", "right": "own(econ_tax)"}
    with pytest.raises(CatalogError, match="own 的参数应为台账列"):
        build_catalog(data)
    assert len(load_catalog(SAMPLE / "catalog.toml").agreements) == 3


# --- 8. files given by name -------------------------------------------------------------------


def _ods(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return path


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "无法识别"),
        ("book.ods", None, "OpenDocument"),
        ("说明.txt", "请按时报送".encode(), "无法识别"),
    ],
)
def test_a_file_given_by_name_that_is_no_workbook_is_an_error(
    ws: Path, tmp_path: Path, name: str, content: bytes | None, reason: str
) -> None:
    path = tmp_path / name
    if content is None:
        _ods(path)
    else:
        path.write_bytes(content)
    result = runner.invoke(app, ["validate", str(path), "--workspace", str(ws)])
    assert result.exit_code == 1, result.output
    assert "[错误] FILE_NOT_XLSX" in result.output and reason in result.output
    assert "Traceback" not in result.output


def test_a_folder_given_by_name_still_only_warns_of_stray_files(ws: Path) -> None:
    folder = ws / "submissions" / "2023H1"
    (folder / "说明.txt").write_text("x", encoding="utf-8")
    result = validate_submissions(period=H1, paths=[folder], workspace_dir=ws)
    assert result.ok
    assert [f.code for f in result.findings.findings] == ["FILE_NOT_SUBMISSION"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("旧.xls", "Excel 97-2003"),
        ("二进制.xlsb", ".xlsb"),
        ("表格.ods", "OpenDocument"),
        ("照片.png", "无法识别"),
    ],
)
def test_diff_names_the_file_and_the_reason(tmp_path: Path, name: str, reason: str) -> None:
    path = tmp_path / name
    if name.endswith(".xls"):
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    elif name.endswith(".xlsb"):
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("xl/workbook.bin", b"\0")
    elif name.endswith(".ods"):
        _ods(path)
    else:
        path.write_bytes(b"\x89PNG\r\n\x1a\n")
    good = book(SAMPLE, SOCIAL)
    for args in ([str(good), str(path)], [str(path), str(good)]):
        result = runner.invoke(app, ["diff", *args])
        assert result.exit_code == 2, result.output
        assert name in result.output and reason in result.output, result.output
        assert "Traceback" not in result.output


def test_xlsm_is_diffed_like_xlsx(tmp_path: Path) -> None:
    old = tmp_path / "旧.xlsm"
    shutil.copy(book(SAMPLE, SOCIAL), old)
    result = runner.invoke(app, ["diff", str(old), str(book(SAMPLE, SOCIAL)), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert '"changed": false' in result.output
