"""``status``: one row per department, the state of its workbook, exit 1 while one is missing
or wrong; the JSON is the API result."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import REPORT_PERIOD
from typer.testing import CliRunner

from chengbei_report.cli import app
from chengbei_report.commands.status import State, submission_status

runner = CliRunner()
WHEN = datetime(2023, 7, 6, 9, 30).timestamp()


def _folder(workspace: Path) -> Path:
    return workspace / "submissions" / REPORT_PERIOD.code


def _fix_times(workspace: Path) -> None:
    for path in _folder(workspace).iterdir():
        os.utime(path, (WHEN, WHEN))


def _status(workspace: Path, *extra: str) -> object:
    return runner.invoke(
        app, ["status", "--period", "2023H1", "--workspace", str(workspace), *extra]
    )


def test_the_sample_has_every_department_passed(workspace_copy: Path) -> None:
    _fix_times(workspace_copy)
    result = submission_status(REPORT_PERIOD, workspace_dir=workspace_copy)
    assert result.ok
    assert [d.state for d in result.departments] == [State.PASSED] * 7
    economy = result.departments[0]
    assert (economy.name, economy.file) == ("经济发展办公室", "城北街道_2023H1_经济发展办公室.xlsx")
    assert (economy.reporter, economy.phone, economy.filled) == (
        "张某",
        "0579-82351021",
        "2023-07-05",
    )
    assert economy.modified == datetime(2023, 7, 6, 9, 30)
    assert result.summary() == "7 个部门：7 个通过"


def test_text_output_is_one_row_per_department(workspace_copy: Path) -> None:
    _fix_times(workspace_copy)
    result = _status(workspace_copy)
    assert result.exit_code == 0, result.output
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[0].strip() == "2023年上半年报送情况"
    assert lines[1].split() == [
        "部门", "状态", "错误", "警告", "填报人", "联系电话", "填报日期", "修改时间", "文件"
    ]  # fmt: skip
    assert lines[3].split() == [
        "经济发展办公室",
        "通过",
        "0",
        "0",
        "张某",
        "0579-82351021",
        "2023-07-05",
        "07-06",
        "09:30",
        "城北街道_2023H1_经济发展办公室.xlsx",
    ]
    assert lines[-1] == "7 个部门：7 个通过"
    assert len(lines) == 3 + 7 + 1


def test_a_missing_workbook_is_not_submitted_and_exits_1(workspace_copy: Path) -> None:
    next(_folder(workspace_copy).glob("*经济发展*")).unlink()
    result = _status(workspace_copy)
    assert result.exit_code == 1
    row = next(line for line in result.stdout.splitlines() if "经济发展办公室" in line)
    assert row.split() == ["经济发展办公室", "未报送"]
    assert result.stdout.splitlines()[-1] == "7 个部门：6 个通过，1 个未报送"


def _break(workspace: Path) -> None:
    path = next(_folder(workspace).glob("*社会事务*"))
    book = openpyxl.load_workbook(path)
    sheet = book["指标"]
    for row in sheet.iter_rows():
        if row[0].value == "social_reemployed":
            row[3].value = "约500"
        if row[0].value == "social_unemployed_assisted":
            row[3].value = "５０８ "
    book.save(path)


def test_a_broken_workbook_has_errors_and_exits_1(workspace_copy: Path) -> None:
    _break(workspace_copy)
    next(_folder(workspace_copy).glob("*经济发展*")).unlink()
    result = _status(workspace_copy)
    assert result.exit_code == 1
    row = next(line for line in result.stdout.splitlines() if "社会事务管理办公室" in line)
    assert row.split()[:5] == ["社会事务管理办公室", "有错误", "1", "1", "王某"]
    assert result.stdout.splitlines()[-1] == "7 个部门：5 个通过，1 个有错误，1 个未报送"


def test_warnings_only_pass_with_exit_0(workspace_copy: Path) -> None:
    path = next(_folder(workspace_copy).glob("*社会事务*"))
    book = openpyxl.load_workbook(path)
    for row in book["指标"].iter_rows():
        if row[0].value == "social_unemployed_assisted":
            row[3].value = "５０８ "
    book.save(path)
    result = _status(workspace_copy)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "7 个部门：6 个通过，1 个仅警告"


@pytest.mark.parametrize("broken", [False, True])
def test_json_equals_the_api_result(workspace_copy: Path, broken: bool) -> None:
    if broken:
        _break(workspace_copy)
    result = _status(workspace_copy, "--format", "json")
    assert result.exit_code == (1 if broken else 0)
    api = submission_status(REPORT_PERIOD, workspace_dir=workspace_copy).to_dict()
    assert json.loads(result.stdout) == api
    assert api["counts"]["有错误"] == (1 if broken else 0)


def test_a_file_of_no_department_is_listed_apart(workspace_copy: Path) -> None:
    (_folder(workspace_copy) / "说明.docx").write_bytes(b"not a workbook")
    result = _status(workspace_copy)
    assert result.exit_code == 0
    assert "另有文件 说明.docx 不属于任何部门（0 个错误，1 个警告）。" in result.stdout
