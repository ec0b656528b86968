"""diff_periods: every indicator of two periods, with change, relative change and flags."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chengbei_report.commands.diff import diff_periods
from chengbei_report.compute.change import relative_change
from chengbei_report.errors import UsageError
from chengbei_report.period_diff import Flag
from chengbei_report.periods import Period

OLD, NEW = Period.parse("2022H1"), Period.parse("2023H1")

CATALOG = """
[[departments]]
code = "office"
name = "综合办公室"

[[departments]]
code = "other"
name = "另一办公室"

[[indicators]]
code = "late"
name = "排在后面的部门的指标"
unit = "个"
kind = "count"
department = "other"

[[indicators]]
code = "tax"
name = "税收"
unit = "万元"
kind = "amount"
department = "office"
threshold = 0.3

[[indicators]]
code = "done"
name = "已办结"
unit = "件"
kind = "count"
department = "office"

[[indicators]]
code = "total"
name = "受理"
unit = "件"
kind = "count"
department = "office"

[[indicators]]
code = "balance"
name = "收支差额"
unit = "万元"
kind = "amount"
department = "office"
min = -1000

[[indicators]]
code = "gone"
name = "今年取消的指标"
unit = "个"
kind = "count"
department = "office"

[[indicators]]
code = "fresh"
name = "今年新增的指标"
unit = "个"
kind = "count"
department = "office"

[[indicators]]
code = "rate"
name = "办结率"
unit = "%"
kind = "ratio"
department = "office"
formula = "ratio(done, total)"

[[indicators]]
code = "tax_growth"
name = "税收增速"
unit = "%"
kind = "ratio"
department = "office"
formula = "growth(tax)"
"""

# code → (unit cell, value) per period; a missing code is not reported in that period.
OFFICE_OLD = {
    "tax": ("万元", 100),
    "done": ("件", 40),
    "total": ("件", 50),
    "balance": ("万元", -5),
    "gone": ("个", 3),
}
OFFICE_NEW = {
    "tax": ("万元", 150),
    "done": ("件", 45),
    "total": ("件", 50),
    "balance": ("万元", 5),
    "fresh": ("个", 2),
}


def _workbook(path: Path, department: str, rows: dict[str, tuple[str, int]]) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "指标"
    sheet["A1"] = "数据填报表"
    for row, (label, value) in enumerate([("单位", "测试街道"), ("部门", department)], start=2):
        sheet.cell(row, 1, label)
        sheet.cell(row, 2, value)
    sheet.append([])
    sheet.append(["编码", "名称", "单位", "数值", "备注"])
    for code, (unit, value) in rows.items():
        sheet.append([code, code, unit, value, None])
    workbook.save(path)


def make_workspace(
    root: Path, old: dict[str, tuple[str, int]], new: dict[str, tuple[str, int]]
) -> Path:
    """A one-department workspace with 2022H1 and 2023H1 (and ``late`` of another department)."""
    root.mkdir()
    (root / "workspace.toml").write_text('[unit]\nname = "测试街道"\n', encoding="utf-8")
    (root / "catalog.toml").write_text(CATALOG, encoding="utf-8")
    for period, rows in (("2022H1", old), ("2023H1", new)):
        folder = root / "submissions" / period
        folder.mkdir(parents=True)
        _workbook(folder / "综合.xlsx", "综合办公室", rows)
        _workbook(folder / "另一.xlsx", "另一办公室", {"late": ("个", 7)})
    return root


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws", OFFICE_OLD, OFFICE_NEW)


def _rows(workspace: Path, **options: object) -> dict[str, object]:
    diff = diff_periods(OLD, NEW, workspace_dir=workspace, **options)  # type: ignore[arg-type]
    return {row.code: row for row in diff.rows}


def test_rows_follow_department_then_catalog_order(workspace: Path) -> None:
    diff = diff_periods(OLD, NEW, workspace_dir=workspace)
    assert [row.code for row in diff.rows] == [
        "tax",
        "done",
        "total",
        "balance",
        "gone",
        "fresh",
        "rate",
        "tax_growth",
        "late",
    ]
    assert diff.rows[0].department == "综合办公室"
    assert diff.rows[-1].department == "另一办公室"


def test_change_and_relative_change_are_exact(workspace: Path) -> None:
    tax = _rows(workspace)["tax"]
    assert (tax.old, tax.new, tax.change) == (Decimal(100), Decimal(150), Decimal(50))
    assert tax.relative == Decimal("50.00") and tax.relative_unit == "%"
    assert tax.flags == (Flag.THRESHOLD,)  # 50% is beyond the catalog's 0.3


def test_a_ratio_changes_in_percentage_points(workspace: Path) -> None:
    rate = _rows(workspace)["rate"]
    assert (rate.old, rate.new) == (Decimal("0.8"), Decimal("0.9"))
    assert rate.relative == Decimal("10.00")
    assert rate.relative_unit == "百分点"
    assert rate.flags == ()


def test_new_dropped_and_sign_change_are_flagged(workspace: Path) -> None:
    rows = _rows(workspace)
    assert rows["fresh"].flags == (Flag.NEW,) and rows["fresh"].old is None
    assert rows["gone"].flags == (Flag.DROPPED,) and rows["gone"].new is None
    assert rows["gone"].change is None and rows["gone"].relative is None
    assert Flag.SIGN in rows["balance"].flags
    assert rows["balance"].relative == Decimal("200.00")  # relative to |old|


def test_a_derived_figure_that_cannot_be_computed_is_absent(workspace: Path) -> None:
    # growth(tax) needs the same period a year before: 2022H1 has none, 2023H1 has 2022H1.
    growth = _rows(workspace)["tax_growth"]
    assert growth.old is None and growth.new == Decimal("0.5")
    assert growth.flags == (Flag.NEW,)


def test_threshold_option_overrides_the_catalog(workspace: Path) -> None:
    rows = _rows(workspace, threshold=Decimal("0.6"))
    assert rows["tax"].flags == ()
    rows = _rows(workspace, threshold=Decimal("0.05"))
    assert Flag.THRESHOLD in rows["done"].flags  # 12.5%
    assert Flag.THRESHOLD in rows["rate"].flags  # 10 百分点 beyond 5
    assert Flag.THRESHOLD not in rows["late"].flags


def test_unit_cell_change_is_flagged(tmp_path: Path) -> None:
    new = {**OFFICE_NEW, "done": ("个", 45)}
    rows = _rows(make_workspace(tmp_path / "ws", OFFICE_OLD, new))
    assert rows["done"].flags == (Flag.UNIT,)
    assert rows["total"].flags == ()


def test_only_changed_leaves_out_unchanged_rows(workspace: Path) -> None:
    rows = _rows(workspace, only_changed=True)
    assert "total" not in rows and "late" not in rows
    assert {"tax", "done", "gone", "fresh", "rate", "balance"} <= rows.keys()


def test_a_period_diffed_with_itself_has_no_changes(sample_dir: Path) -> None:
    diff = diff_periods(NEW, NEW, workspace_dir=sample_dir)
    assert diff.rows
    assert all(row.change == 0 and not row.flags for row in diff.rows)
    assert diff.changed == []
    assert diff_periods(NEW, NEW, workspace_dir=sample_dir, only_changed=True).rows == []


def test_sample_2022h1_to_2023h1(sample_dir: Path) -> None:
    diff = diff_periods(OLD, NEW, workspace_dir=sample_dir)
    rows = {row.code: row for row in diff.rows}
    park = rows["econ_park_units"]
    assert (park.old, park.new, park.change, park.relative) == (41, 54, 13, Decimal("31.71"))
    assert rows["party_transferred"].flags == ()  # 100% but no catalog threshold
    assert rows["enf_general_cases"].flags == ()  # 26.56% within the catalog's 0.5
    departments = [row.department for row in diff.rows]
    assert departments.index("经济发展办公室") < departments.index("区级对比数据")


def _set_reported(workspace: Path, period: str, code: str, value: object) -> None:
    """Type ``value`` into the 数值 cell of ``code`` in every workbook of ``period`` that has it."""
    for path in sorted((workspace / "submissions" / period).glob("*.xlsx")):
        book = openpyxl.load_workbook(path)
        sheet = book["指标"]
        cells = [row[3] for row in sheet.iter_rows() if row[0].value == code]
        for cell in cells:
            cell.value = value
        if cells:
            book.save(path)


def test_a_bad_cell_is_uncomputable_not_dropped(workspace_copy: Path) -> None:
    _set_reported(workspace_copy, "2023H1", "social_reemployed", "约500")
    diff = diff_periods(OLD, NEW, workspace_dir=workspace_copy)
    rows = {row.code: row for row in diff.rows}
    for code in ("social_reemployed", "social_reemployment_rate"):
        row = rows[code]
        assert row.flags == (Flag.UNCOMPUTABLE,), code
        assert row.old is not None and row.new is None and row.change is None
        assert row.note.startswith("2023年上半年：") and "约500" in row.note
    assert rows["social_reemployed"].old == 452
    assert rows["social_unemployed_assisted"].flags == ()  # the row beside it is fine
    assert Flag.DROPPED not in {flag for row in diff.rows for flag in row.flags}
    assert rows["social_reemployed"] in diff.changed
    data = next(r for r in diff.to_dict()["rows"] if r["code"] == "social_reemployed")
    assert data["flags"] == ["无法计算"] and data["note"] == rows["social_reemployed"].note


def test_a_zero_divisor_is_uncomputable(tmp_path: Path) -> None:
    new = {**OFFICE_NEW, "done": ("件", 0), "total": ("件", 0)}
    rows = _rows(make_workspace(tmp_path / "ws", OFFICE_OLD, new))
    assert rows["rate"].flags == (Flag.UNCOMPUTABLE,)
    assert rows["rate"].old == Decimal("0.8") and rows["rate"].new is None
    assert rows["rate"].note.startswith("2023年上半年：")
    assert rows["total"].flags == ()  # 0 is a valid count


def test_a_period_without_a_folder_is_a_usage_error(sample_dir: Path) -> None:
    with pytest.raises(UsageError, match="找不到2019年上半年的报表目录"):
        diff_periods(Period.parse("2019H1"), NEW, workspace_dir=sample_dir)


def test_a_negative_threshold_is_a_usage_error(sample_dir: Path) -> None:
    with pytest.raises(UsageError, match="阈值"):
        diff_periods(OLD, NEW, workspace_dir=sample_dir, threshold=Decimal("-0.1"))


def test_to_dict_carries_exact_decimal_strings(workspace: Path) -> None:
    data = diff_periods(OLD, NEW, workspace_dir=workspace).to_dict()
    tax = next(row for row in data["rows"] if row["code"] == "tax")
    assert tax == {
        "department": "综合办公室",
        "code": "tax",
        "name": "税收",
        "unit": "万元",
        "kind": "amount",
        "old": "100",
        "new": "150",
        "change": "50",
        "relative": "50.00",
        "relative_unit": "%",
        "flags": ["超阈值"],
        "note": "",
    }
    assert (data["old"], data["new"], data["threshold"]) == ("2022H1", "2023H1", None)


_decimals = st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False)


@pytest.mark.parametrize(
    ("old", "new", "points"),
    [
        ("0.8", "0.9", "10.0"),  # 80% → 90%: 10 百分点, not 12.5%
        ("0.9762", "0.9843", "0.8100"),
        ("1", "0.95", "-5.00"),
        ("0.5", "0.5", "0.0"),
    ],
)
def test_relative_change_of_a_ratio_is_the_difference_in_points(
    old: str, new: str, points: str
) -> None:
    assert relative_change(Decimal(old), Decimal(new), "ratio") == Decimal(points)


def test_sample_reemployment_rate_rises_by_0_80_points(sample_dir: Path) -> None:
    # 452/463 = 97.6242% → 500/508 = 98.4252%: exactly 47100/58801 = 0.801007 百分点; shown
    # rounded half up from the unrounded fractions (0.81 if one rounded 97.62 and 98.43 first).
    rows = {row.code: row for row in diff_periods(OLD, NEW, workspace_dir=sample_dir).rows}
    rate = rows["social_reemployment_rate"]
    assert str(rate.old).startswith("0.97624190064794816414686825")
    assert str(rate.new).startswith("0.98425196850393700787401574")
    assert abs(rate.change - Decimal("0.008010067855988843727147497491539260")) < Decimal("1e-33")
    assert rate.relative == Decimal("0.80") and rate.relative_unit == "百分点"
    assert rows["safety_online_rate"].relative == Decimal("1.15")  # 97.92% → 99.07%
    assert rows["safety_platform_rate"].relative == Decimal("0.50")  # 99.50% → 100%


@given(_decimals.filter(lambda v: v != 0), _decimals)
def test_relative_change_recovers_the_new_value(old: Decimal, new: Decimal) -> None:
    relative = relative_change(old, new, "amount")
    assert relative is not None
    assert abs(old + abs(old) * relative / 100 - new) < Decimal("1e-20") * max(1, abs(new))


@given(_decimals)
def test_relative_change_from_zero_is_undefined(new: Decimal) -> None:
    assert relative_change(Decimal(0), new, "count") is None
