"""Blank forms: layout the parser reads, locks and data validation, and a filled-in form that
validates clean (and does not once a number cell holds text)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook
from typer.testing import CliRunner

from chengbei_report.cli import app
from chengbei_report.commands.forms import FormsResult, make_forms
from chengbei_report.commands.validate import validate_submissions
from chengbei_report.errors import UsageError
from chengbei_report.periods import Period

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
PERIOD = Period.parse("2023H2")


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SAMPLE, tmp_path / "ws"))


@pytest.fixture
def forms(ws: Path, tmp_path: Path) -> FormsResult:
    """Forms made outside the workspace (it refuses submissions/), sent back by the departments."""
    made = make_forms(PERIOD, workspace_dir=ws, out_dir=tmp_path / "填报表")
    folder = ws / "submissions" / PERIOD.code
    folder.mkdir()
    returned = [Path(shutil.copy(path, folder / path.name)) for path in made.files]
    return FormsResult(made.period, returned, made.skipped)


def form_of(result: FormsResult, department: str) -> Path:
    return next(p for p in result.files if p.name == f"城北街道_2023H2_{department}.xlsx")


def row_of(book: Workbook, code: str) -> int:
    sheet = book["指标"]
    return next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == code)


def fill(path: Path, sample: Path) -> None:
    """Fill a form as a clerk would: contact fields, last period's values, last period's ledgers."""
    book = openpyxl.load_workbook(path)
    sheet = book["指标"]
    sheet["B5"], sheet["B6"], sheet["B7"] = "张某", "0579-82351021", datetime(2023, 12, 31)
    for row in range(10, sheet.max_row + 1):
        sheet[f"D{row}"] = sheet[f"E{row}"].value
    source = openpyxl.load_workbook(sample)
    for name in book.sheetnames[1:-1]:
        records = list(source[name].iter_rows(values_only=True))
        order = [records[0].index(cell.value) for cell in book[name][1]]
        for record in records[1:]:
            book[name].append([record[i] for i in order])
    book.save(path)


def test_one_form_per_department(forms: FormsResult) -> None:
    assert len(forms.files) == 7 and forms.skipped == []
    assert all(path.is_file() for path in forms.files)


def test_layout_locks_and_validation(forms: FormsResult) -> None:
    book = openpyxl.load_workbook(form_of(forms, "经济发展办公室"))
    assert book.sheetnames == ["指标", "填报说明"]
    sheet = book["指标"]
    assert [sheet[f"B{r}"].value for r in range(2, 5)] == ["城北街道", "经济发展办公室", "2023H2"]
    assert [sheet[f"A{r}"].value for r in range(2, 8)] == [
        "单位",
        "部门",
        "报告期",
        "填报人",
        "联系电话",
        "填报日期",
    ]
    assert [c.value for c in sheet[9]] == ["编码", "名称", "单位", "数值", "上期数值", "备注"]
    row = row_of(book, "econ_park_units")
    assert sheet[f"B{row}"].value == "婺州英才创新园入驻单位" and sheet[f"C{row}"].value == "家"
    assert sheet[f"E{row}"].value == 54  # 2023H1, the previous period
    assert sheet.protection.sheet and not sheet.protection.password
    assert sheet[f"A{row}"].protection.locked and sheet["B3"].protection.locked
    assert not sheet[f"D{row}"].protection.locked and not sheet["B5"].protection.locked
    rules = {
        (dv.type, dv.operator, dv.formula1): str(dv.sqref)
        for dv in sheet.data_validations.dataValidation
    }
    whole = rules[("whole", "greaterThanOrEqual", "0")]
    assert f"D{row}" in whole.split()
    revenue = row_of(book, "econ_park_revenue")
    assert f"D{revenue}" in rules[("decimal", "greaterThanOrEqual", "0")].split()


def test_ledger_sheets_have_headers_and_choices(forms: FormsResult) -> None:
    book = openpyxl.load_workbook(form_of(forms, "社会事务管理办公室"))
    assert book.sheetnames == [
        "指标",
        "共享服务设施",
        "双拥社区接待",
        "劳动纠纷调解台账",
        "填报说明",
    ]
    sheet = book["劳动纠纷调解台账"]
    assert [c.value for c in sheet[1]] == [
        "案件编号",
        "受理日期",
        "申请人",
        "被申请人",
        "涉及金额",
        "调解结果",
    ]
    kinds = {dv.type: dv for dv in sheet.data_validations.dataValidation}
    assert kinds["list"].formula1 == '"调解成功,调解未成"'
    assert str(kinds["list"].sqref) == "F2:F1001"
    assert str(kinds["date"].sqref) == "B2:B1001"


def test_filled_form_validates_clean(ws: Path, forms: FormsResult) -> None:
    for path in forms.files:
        fill(path, ws / "submissions" / "2023H1" / path.name.replace("2023H2", "2023H1"))
    result = validate_submissions(period=PERIOD, workspace_dir=ws)
    assert result.findings.findings == []


def test_filled_form_with_text_in_a_number_cell_does_not(ws: Path, forms: FormsResult) -> None:
    for path in forms.files:
        fill(path, ws / "submissions" / "2023H1" / path.name.replace("2023H2", "2023H1"))
    path = form_of(forms, "综合行政执法队")
    book = openpyxl.load_workbook(path)
    cell = f"D{row_of(book, 'enf_general_cases')}"
    book["指标"][cell] = "一百多起"
    book.save(path)
    result = validate_submissions(period=PERIOD, workspace_dir=ws)
    assert [(f.code, f.file, f.cell) for f in result.findings] == [
        ("CELL_NOT_NUMBER", path.name, cell)
    ]


def test_blank_form_reports_every_empty_value(ws: Path, forms: FormsResult) -> None:
    path = form_of(forms, "综合行政执法队")
    result = validate_submissions(period=PERIOD, paths=[path], workspace_dir=ws)
    assert {f.code for f in result.findings} == {"CELL_EMPTY", "STRUCT_CONTACT_MISSING"}


def test_forms_are_reproducible(ws: Path, tmp_path: Path) -> None:
    first = make_forms(PERIOD, workspace_dir=ws, out_dir=tmp_path / "a")
    second = make_forms(PERIOD, workspace_dir=ws, out_dir=tmp_path / "b")
    assert [p.read_bytes() for p in first.files] == [p.read_bytes() for p in second.files]


@pytest.mark.parametrize("period", ["2023H1", "2023H2"])
def test_forms_never_go_into_submissions(ws: Path, period: str) -> None:
    """Not over a submission (2023H1), and not into a period folder at all (2023H2)."""
    before = sorted(p.name for p in (ws / "submissions").rglob("*"))
    with pytest.raises(UsageError, match="submissions"):
        make_forms(Period.parse(period), workspace_dir=ws, out_dir=ws / "submissions" / period)
    assert sorted(p.name for p in (ws / "submissions").rglob("*")) == before


def test_departments_with_nothing_due_are_skipped(ws: Path, tmp_path: Path) -> None:
    result = make_forms(Period.parse("2023Q3"), workspace_dir=ws, out_dir=tmp_path)
    assert result.files == [] and len(result.skipped) == 7


def test_cli_forms_json_equals_the_api_result(ws: Path, tmp_path: Path) -> None:
    args = ["forms", "--period", "2023H2", "-w", str(ws), "--out", str(tmp_path), "-f", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    api = make_forms(PERIOD, workspace_dir=ws, out_dir=tmp_path, force=True)
    assert json.loads(result.stdout) == api.to_dict()


def test_cli_forms_text(ws: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["forms", "-p", "2023H2", "-w", str(ws), "-o", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stdout.count("已生成填报表：") == 7


def test_cli_forms_bad_period_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["forms", "-p", "2023X", "-o", str(tmp_path)])
    assert result.exit_code == 2 and "错误：" in result.output


def test_forms_follow_since_and_until(tmp_path: Path) -> None:
    """2024H2 asks for the indicator new in 2024H1 and no longer for the one dropped after 2023."""
    result = make_forms(Period.parse("2024H2"), workspace_dir=None, out_dir=tmp_path)
    (urban,) = [p for p in result.files if "城市建设与环境办公室" in p.name]
    codes = {row[0] for row in openpyxl.load_workbook(urban)["指标"].iter_rows(values_only=True)}
    assert "urban_charging_spaces" in codes and "urban_cleared_land" not in codes


def test_existing_forms_are_kept_unless_forced(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "表格"
    args = ["forms", "-p", "2023H2", "-w", str(ws), "-o", str(out)]
    assert CliRunner().invoke(app, args).exit_code == 0
    filled = out / "城北街道_2023H2_经济发展办公室.xlsx"
    filled.write_bytes(b"filled in by a department")
    others = {path: path.stat().st_ino for path in out.iterdir()}
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2
    assert (
        f"错误：表格 {filled} 已存在（可能已经填写），未生成任何表格；同目录另有 6 个同名表格。"
        in refused.output
    )
    assert "确需重新生成空白表格请加 --force" in refused.output
    assert {path: path.stat().st_ino for path in out.iterdir()} == others
    assert filled.read_bytes() == b"filled in by a department"
    forced = CliRunner().invoke(app, [*args, "--force"])
    assert forced.exit_code == 0 and forced.stdout.count("已生成填报表：") == 7
    assert filled.read_bytes().startswith(b"PK")


def test_forms_are_written_as_one_set(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "表格"
    """Under a file-size limit that stops one form, no form is left: all seven or none."""
    import resource
    import subprocess
    import sys

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20 * 1024, 20 * 1024))

    code = (
        "import sys, signal; signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "from chengbei_report.cli import main\n"
        f"sys.argv = ['chengbei-report', 'forms', '-p', '2023H2', '-w', {str(ws)!r}, '-o', {str(out)!r}]\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, preexec_fn=limit, timeout=120
    )
    assert done.returncode == 1, done.stderr
    assert "无法写入文件" in done.stderr
    assert not out.exists() or sorted(p.name for p in out.iterdir() if p.suffix == ".xlsx") == []
