"""diff_workbooks: a resubmitted workbook against the first version, rows matched by key."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from chengbei_report.compare.workbooks import Status, diff_workbooks
from chengbei_report.errors import UsageError

SOCIAL = "城北街道_2023H1_社会事务管理办公室.xlsx"
ECONOMY = "城北街道_2023H1_经济发展办公室.xlsx"
LEDGER = "劳动纠纷调解台账"


def _indicator_row(sheet: openpyxl.worksheet.worksheet.Worksheet, code: str) -> int:
    return next(row[0].row for row in sheet.iter_rows() if row[0].value == code)


@pytest.fixture
def versions(tmp_path: Path, sample_dir: Path) -> tuple[Path, Path]:
    """The sample workbook and a resubmission: one value, one ledger row added, one removed."""
    old = tmp_path / "第一版.xlsx"
    shutil.copy(sample_dir / "submissions" / "2023H1" / SOCIAL, old)
    workbook = openpyxl.load_workbook(old)
    indicators = workbook["指标"]
    indicators.cell(_indicator_row(indicators, "social_reemployed"), 4, 501)
    ledger = workbook[LEDGER]
    removed = ledger.cell(3, 1).value
    ledger.delete_rows(3)
    ledger.append(["LD2023-999", None, "孙某", "某某商贸公司", 2400, "调解成功"])
    new = tmp_path / "第二版.xlsx"
    workbook.save(new)
    assert removed == "LD2023-002"
    return old, new


def test_one_value_one_added_and_one_removed_row(versions: tuple[Path, Path]) -> None:
    diff = diff_workbooks(*versions)
    assert diff.department == "社会事务管理办公室"
    assert [(c.code, c.status, c.old, c.new) for c in diff.indicators] == [
        ("social_reemployed", Status.CHANGED, Decimal(500), Decimal(501))
    ]
    change = diff.indicators[0]
    assert change.name == "帮扶成功就业"
    assert change.old_cell == change.new_cell and change.new_cell.startswith("D")
    assert [(r.status, r.key) for r in diff.ledger_rows] == [
        (Status.REMOVED, "LD2023-002"),
        (Status.ADDED, "LD2023-999"),
    ]
    added = diff.ledger_rows[1]
    assert added.ledger == "劳动纠纷调解台账" and added.sheet == LEDGER
    assert added.old_row is None and added.values["申请人"] == "孙某"
    assert diff.ledger_rows[0].old_row == 3 and diff.ledger_rows[0].new_row is None


def test_a_changed_ledger_row_lists_its_changed_columns(tmp_path: Path, sample_dir: Path) -> None:
    old = sample_dir / "submissions" / "2023H1" / SOCIAL
    workbook = openpyxl.load_workbook(old)
    ledger = workbook[LEDGER]
    ledger.cell(2, 5, 5200)
    ledger.cell(2, 6, "调解未成")
    ledger.cell(2, 3, "  " + str(ledger.cell(2, 3).value) + " ")  # padding is no change
    ledger.move_range("A4:F5", rows=40)  # moving rows is no change either
    new = tmp_path / "改.xlsx"
    workbook.save(new)
    diff = diff_workbooks(old, new)
    assert diff.indicators == []
    [row] = diff.ledger_rows
    assert (row.status, row.key, row.old_row, row.new_row) == (Status.CHANGED, "LD2023-001", 2, 2)
    assert [(c.column, c.old, c.new) for c in row.columns] == [
        ("涉及金额", "5100", "5200"),
        ("调解结果", "调解成功", "调解未成"),
    ]


def test_identical_versions_have_no_changes(sample_dir: Path) -> None:
    path = sample_dir / "submissions" / "2023H1" / SOCIAL
    diff = diff_workbooks(path, path)
    assert not diff.changed
    assert diff.to_dict()["changed"] is False


def test_to_dict_lists_every_change(versions: tuple[Path, Path]) -> None:
    data = diff_workbooks(*versions).to_dict()
    assert data["indicators"][0]["old"] == "500" and data["indicators"][0]["new"] == "501"
    assert [r["status"] for r in data["ledger_rows"]] == ["删除", "新增"]


def test_workbooks_of_two_departments_are_refused(sample_dir: Path) -> None:
    folder = sample_dir / "submissions" / "2023H1"
    with pytest.raises(UsageError, match="不是同一部门"):
        diff_workbooks(folder / SOCIAL, folder / ECONOMY)


def test_a_missing_file_is_a_usage_error(tmp_path: Path, sample_dir: Path) -> None:
    path = sample_dir / "submissions" / "2023H1" / SOCIAL
    with pytest.raises(UsageError, match="找不到报表文件"):
        diff_workbooks(path, tmp_path / "没有.xlsx")


def test_a_file_that_is_no_workbook_is_a_usage_error(tmp_path: Path, sample_dir: Path) -> None:
    bogus = tmp_path / "坏.xlsx"
    bogus.write_text("不是工作簿", encoding="utf-8")
    with pytest.raises(UsageError, match=r"无法读取 .*坏\.xlsx：.*无法识别"):
        diff_workbooks(sample_dir / "submissions" / "2023H1" / SOCIAL, bogus)
