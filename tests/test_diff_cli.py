"""CliRunner tests of ``diff``: periods and workbook versions, every format, exit codes."""

from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import on_a_terminal
from typer.testing import CliRunner

from chengbei_report.cli import app
from chengbei_report.commands.diff import diff_periods
from chengbei_report.compare.workbooks import diff_workbooks
from chengbei_report.periods import Period

OLD, NEW = Period.parse("2022H1"), Period.parse("2023H1")
SOCIAL = "城北街道_2023H1_社会事务管理办公室.xlsx"

runner = CliRunner()


def test_table_in_the_terminal() -> None:
    result = runner.invoke(app, ["diff", "2022H1", "2023H1"])
    assert result.exit_code == 0, result.output
    assert "2022年上半年 → 2023年上半年" in result.output
    rows = len(diff_periods(OLD, NEW).rows)
    assert f"共 {rows} 项指标" in result.output


def test_json_equals_the_api_result() -> None:
    result = runner.invoke(
        app, ["diff", "2022H1", "2023H1", "--format", "json", "--threshold", "0.2"]
    )
    assert result.exit_code == 0, result.output
    api = diff_periods(OLD, NEW, threshold=Decimal("0.2")).to_dict()
    assert json.loads(result.stdout) == api


def test_threshold_as_a_percentage_equals_the_fraction() -> None:
    percent = runner.invoke(app, ["diff", "2022H1", "2023H1", "-f", "json", "--threshold", "20%"])
    fraction = runner.invoke(app, ["diff", "2022H1", "2023H1", "-f", "json", "--threshold", "0.2"])
    assert percent.exit_code == 0 and json.loads(percent.stdout) == json.loads(fraction.stdout)


def test_only_changed_of_a_period_with_itself_is_empty() -> None:
    result = runner.invoke(app, ["diff", "2023H1", "2023H1", "--only-changed", "-f", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["rows"] == []


def test_csv_to_stdout_and_md_to_a_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["diff", "2022H1", "2023H1", "-f", "csv"])
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][4:6] == ["2022年上半年", "2023年上半年"]
    assert len(rows) == len(diff_periods(OLD, NEW).rows) + 1
    target = tmp_path / "对比.md"
    result = runner.invoke(app, ["diff", "2022H1", "2023H1", "-f", "md", "--out", str(target)])
    assert result.exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# 2022年上半年与2023年上半年指标对比")


def test_xlsx_needs_out_and_is_written_with_it(tmp_path: Path) -> None:
    refused = runner.invoke(app, ["diff", "2022H1", "2023H1", "-f", "xlsx"])
    assert refused.exit_code == 2 and "--out" in refused.output
    target = tmp_path / "对比.xlsx"
    result = runner.invoke(app, ["diff", "2022H1", "2023H1", "-f", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(target)["对比"]
    assert sheet.max_row == len(diff_periods(OLD, NEW).rows) + 1


def test_a_bad_cell_shows_as_uncomputable_not_dropped(workspace_copy: Path) -> None:
    path = workspace_copy / "submissions" / "2023H1" / SOCIAL
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["指标"]
    (cell,) = [row[3] for row in sheet.iter_rows() if row[0].value == "social_reemployed"]
    cell.value = "约500"
    workbook.save(path)
    args = ["diff", "2022H1", "2023H1", "--workspace", str(workspace_copy)]
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "无法计算" in table.output and "取消" not in table.output
    assert "约500" in table.output  # the reason, below the table
    data = json.loads(runner.invoke(app, [*args, "-f", "json"]).stdout)
    flagged = {row["code"]: row["flags"] for row in data["rows"] if row["flags"]}
    assert flagged["social_reemployed"] == flagged["social_reemployment_rate"] == ["无法计算"]
    assert data == diff_periods(OLD, NEW, workspace_dir=workspace_copy).to_dict()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["diff", "2022H1", "2023H7"], "无法识别的报告期"),
        (["diff", "2019H1", "2023H1"], "找不到2019年上半年的报表目录"),
        (["diff", "2022H1", "2023H1", "--threshold", "很多"], "无法识别的阈值"),
        (["diff", "2022H1", "2023H1", "--threshold", "-0.1"], "无法识别的阈值"),
        (["diff", "2022H1", "2023H1", "--threshold", "nan"], "无法识别的阈值"),
        (["diff", "2022H1", "2023H1", "--threshold", "1e999999999"], "阈值“1e999999999”过大"),
        (["diff", "2022H1", "2023H1", "--threshold", "1e999999999%"], "阈值“1e999999999%”过大"),
        (["diff", "2022H1", "2023H1", "--threshold", "2000000"], "最大为 1000000"),
        (["diff", "2022H1", "新版.xlsx"], "要么对比两个报告期"),
        (["diff", "2022H1", "2023H1", "-f", "table", "-o", "x.txt"], "table"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.fixture
def versions(tmp_path: Path, sample_dir: Path) -> tuple[Path, Path]:
    old = tmp_path / "旧.xlsx"
    shutil.copy(sample_dir / "submissions" / "2023H1" / SOCIAL, old)
    workbook = openpyxl.load_workbook(old)
    workbook["劳动纠纷调解台账"].delete_rows(2)
    new = tmp_path / "新.xlsx"
    workbook.save(new)
    return old, new


def test_two_workbooks_are_diffed_as_versions(versions: tuple[Path, Path]) -> None:
    old, new = versions
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert "[删除] 劳动纠纷调解台账 第2行 LD2023-001" in result.output
    data = runner.invoke(app, ["diff", str(old), str(new), "--format", "json"])
    assert json.loads(data.stdout) == diff_workbooks(old, new).to_dict()


ECONOMY = "城北街道_2023H1_经济发展办公室.xlsx"


@pytest.fixture
def unit_versions(tmp_path: Path, sample_dir: Path) -> tuple[Path, Path]:
    """The first version gave 婺州英才创新园年营业额 in 元, the resubmission in 万元."""
    new = tmp_path / "第二版.xlsx"
    shutil.copy(sample_dir / "submissions" / "2023H1" / ECONOMY, new)
    workbook = openpyxl.load_workbook(new)
    sheet = workbook["指标"]
    row = next(r[0].row for r in sheet.iter_rows() if r[0].value == "econ_park_revenue")
    assert (sheet.cell(row, 3).value, sheet.cell(row, 4).value) == ("万元", 6000)
    sheet.cell(row, 3).value, sheet.cell(row, 4).value = "元", 60000000
    old = tmp_path / "第一版.xlsx"
    workbook.save(old)
    return old, new


def test_a_unit_change_is_shown_as_one(unit_versions: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["diff", *map(str, unit_versions)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == (
        "  [修改] 指标 婺州英才创新园年营业额（含网络交易额）（econ_park_revenue）指标!D11："
        "60000000元 → 6000万元（单位由元改为万元）"
    )
    data = json.loads(runner.invoke(app, ["diff", *map(str, unit_versions), "-f", "json"]).stdout)
    assert data == diff_workbooks(*unit_versions).to_dict()
    assert data["indicators"][0]["unit_changed"] is True


def test_workbook_diff_writes_csv_md_and_xlsx(
    unit_versions: tuple[Path, Path], tmp_path: Path
) -> None:
    args = ["diff", *map(str, unit_versions)]
    text = runner.invoke(app, [*args, "-f", "csv"]).stdout
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == [
        "类别",
        "状态",
        "名称",
        "编码或关键字",
        "原位置",
        "新位置",
        "原值",
        "新值",
        "说明",
    ]
    assert rows[1] == [
        "指标",
        "修改",
        "婺州英才创新园年营业额（含网络交易额）",
        "econ_park_revenue",
        "指标!D11",
        "指标!D11",
        "60000000元",
        "6000万元",
        "单位由元改为万元",
    ]
    md = tmp_path / "对比.md"
    assert runner.invoke(app, [*args, "-f", "md", "-o", str(md)]).exit_code == 0
    assert "| 指标 | 修改 | 婺州英才创新园年营业额（含网络交易额） |" in md.read_text("utf-8")
    assert runner.invoke(app, [*args, "-f", "xlsx"]).exit_code == 2
    xlsx = tmp_path / "对比.xlsx"
    assert runner.invoke(app, [*args, "-f", "xlsx", "-o", str(xlsx)]).exit_code == 0
    sheet = openpyxl.load_workbook(xlsx)["对比"]
    assert [c.value for c in sheet[2]][6:] == ["60000000元", "6000万元", "单位由元改为万元"]
    assert sheet.freeze_panes == "A2"


def _stdout_on_a_terminal(argv: list[str], columns: int) -> str:
    env = {"COLUMNS": str(columns), "TERM": "dumb", "NO_COLOR": "1"}
    return on_a_terminal(argv, stream="stdout", env=env)


@pytest.mark.slow
def test_the_table_fits_an_80_column_terminal() -> None:
    from rich.cells import cell_len

    text = _stdout_on_a_terminal(["diff", "2022H1", "2023H1"], 80)
    lines = text.replace("\r", "").splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    assert any("变化幅度" in line for line in lines)


def test_piped_the_table_keeps_every_name_on_one_line() -> None:
    result = runner.invoke(app, ["diff", "2022H1", "2023H1"], env={"COLUMNS": "60"})
    api = diff_periods(OLD, NEW)
    lines = result.stdout.splitlines()
    for row in api.rows:
        assert any(f"│ {row.name} " in line for line in lines), row.name
    from rich.cells import cell_len

    assert len({cell_len(line) for line in lines[1:-1]}) == 1  # one width: nothing wrapped
