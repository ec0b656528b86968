"""validate --notices: one notice per department with problems, to paste into a message."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from conftest import REPORT_PERIOD
from typer.testing import CliRunner

from chengbei_report.cli import app
from chengbei_report.commands.validate import validate_submissions

runner = CliRunner()
SOCIAL = "城北街道_2023H1_社会事务管理办公室"

SOCIAL_NOTICE = """王某同志：

您好！社会事务管理办公室报送的2023年上半年报表（城北街道_2023H1_社会事务管理办公室.xlsx）经校验，有以下 2 处需要处理：

一、必须改正（改正之前无法汇总生成工作总结）：
1. “指标”表 D15 单元格：帮扶成功就业的数值“约500”不是确切的数字。请只填写阿拉伯数字（如 3000），不要写“约”“余”“+”“待统计”等文字。

二、请核实（确认无误的可以不改）：
1. “指标”表 D14 单元格：失业人员就业帮扶的数值“５０８ ”是文本，已读作 508（全角数字已转为半角，已去掉首尾空格）。请把单元格改为数字格式，只填写数字。

请按以上说明修改后，把报表重新发给我们。谢谢！
城北街道办事处
"""

REMINDER = """经济发展办公室负责同志：

您好！截至目前还没有收到经济发展办公室2023年上半年的报表，请尽快填报后发给我们。如需空白填报表，请告诉我们。谢谢！
城北街道办事处
"""


def _break(workspace: Path) -> None:
    folder = workspace / "submissions" / REPORT_PERIOD.code
    path = folder / f"{SOCIAL}.xlsx"
    book = openpyxl.load_workbook(path)
    for row in book["指标"].iter_rows():
        if row[0].value == "social_reemployed":
            row[3].value = "约500"
        if row[0].value == "social_unemployed_assisted":
            row[3].value = "５０８ "
    book.save(path)
    next(folder.glob("*经济发展*")).unlink()


def _read(path: Path) -> str:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data  # Notepad and WPS read it
    return data.decode("utf-8-sig").replace("\r\n", "\n")


def test_one_notice_per_department_beside_the_annotated_copies(
    workspace_copy: Path, tmp_path: Path
) -> None:
    _break(workspace_copy)
    out = tmp_path / "批注"
    args = ["validate", "--period", "2023H1", "-w", str(workspace_copy)]
    result = runner.invoke(app, [*args, "--annotate", str(out), "--notices", str(out)])
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == [
        "城北街道_2023H1_社会事务管理办公室.xlsx",
        "城北街道_2023H1_社会事务管理办公室_修改通知.txt",
        "城北街道_2023H1_经济发展办公室_催报通知.txt",
    ]
    assert _read(out / f"{SOCIAL}_修改通知.txt") == SOCIAL_NOTICE
    assert _read(out / "城北街道_2023H1_经济发展办公室_催报通知.txt") == REMINDER
    assert f"已写出通知：{(out / f'{SOCIAL}_修改通知.txt').resolve()}" in result.stdout


def test_notices_are_in_the_json_equal_to_the_api(workspace_copy: Path, tmp_path: Path) -> None:
    _break(workspace_copy)
    out = tmp_path / "通知"
    result = runner.invoke(
        app,
        ["validate", "-p", "2023H1", "-w", str(workspace_copy), "-n", str(out), "-f", "json"],
    )
    data = json.loads(result.stdout)
    api = validate_submissions(
        period=REPORT_PERIOD, workspace_dir=workspace_copy, notices_dir=tmp_path / "again"
    ).to_dict()
    for notices in (data["notices"], api["notices"]):
        for notice in notices:
            notice.pop("path")
    assert data == api
    assert [n["text"] for n in data["notices"]] == [SOCIAL_NOTICE, REMINDER]
    assert data["notices"][0]["recipient"] == "王某"


def test_a_clean_period_says_nothing_needed_marking_or_sending(tmp_path: Path) -> None:
    out = tmp_path / "批注"
    result = runner.invoke(
        app, ["validate", "--period", "2023H1", "--annotate", str(out), "--notices", str(out)]
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "校验通过：共检查 7 个文件，未发现问题。",
        "没有需要标注的问题，未写出批注副本。",
        "没有需要通知的部门，未写出通知。",
    ]
    assert not out.exists()


def test_notices_are_not_written_among_the_submissions(workspace_copy: Path) -> None:
    folder = workspace_copy / "submissions" / "2023H1"
    result = runner.invoke(
        app, ["validate", "-p", "2023H1", "-w", str(workspace_copy), "--notices", str(folder)]
    )
    assert result.exit_code == 2
    assert "就是报表所在目录" in result.output
