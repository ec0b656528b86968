"""The engine on the sample: conditions read numbers as sums do; ranks count only units."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import REPORT_PERIOD

from chengbei_report.errors import ComputeError
from chengbei_report.formula import parse_formula
from chengbei_report.periods import Period
from chengbei_report.project import open_project

YEAR = Period.parse("2022")


def _count_with_hazards(workspace: Path) -> Decimal:
    engine = open_project(workspace).engine
    return engine.evaluate(
        parse_formula("count(inspection, 隐患数 > 0)"), REPORT_PERIOD, "测试"
    ).value


def _inspection_book(workspace: Path) -> tuple[Path, openpyxl.Workbook]:
    (path,) = (workspace / "submissions" / REPORT_PERIOD.code).glob("*平安建设*.xlsx")
    return path, openpyxl.load_workbook(path)


def test_a_number_written_as_text_counts_in_conditions_as_in_sums(workspace_copy: Path) -> None:
    before = _count_with_hazards(workspace_copy)
    path, book = _inspection_book(workspace_copy)
    sheet = book["安全生产排查台账"]
    column = next(c.column for c in sheet[1] if c.value == "隐患数")
    cell = next(row[column - 1] for row in sheet.iter_rows(min_row=2) if row[column - 1].value == 1)
    cell.value = "1"
    book.save(path)
    assert _count_with_hazards(workspace_copy) == before


def _add_district_row(workspace: Path, period: str, values: list[object]) -> None:
    (path,) = (workspace / "submissions" / period).glob("*区级对比数据.xlsx")
    book = openpyxl.load_workbook(path)
    book["全区主要经济指标"].append(values)
    book.save(path)


def test_a_totals_row_is_no_competitor_in_a_rank(workspace_copy: Path) -> None:
    _add_district_row(workspace_copy, "2021", ["全区合计", 100, 100])
    _add_district_row(workspace_copy, "2022", ["全区合计", 10_000_000, 10_000_000])
    engine = open_project(workspace_copy).engine
    assert engine.figure("econ_tax_growth_rank", YEAR).value == 2
    assert engine.figure("econ_sales_growth_rank", YEAR).value == 3


def test_a_unit_listed_twice_cannot_be_ranked(workspace_copy: Path) -> None:
    _add_district_row(workspace_copy, "2022", ["城东街道", 1, 1])
    with pytest.raises(ComputeError, match="“城东街道”出现了两次"):
        open_project(workspace_copy).engine.figure("econ_tax_growth_rank", YEAR)


def _cited(code: str) -> list[str]:
    figure = open_project(None).engine.figure(code, REPORT_PERIOD)
    return [source.cells for source in figure.leaf_sources()]


def test_a_ledger_count_cites_the_rows_it_counted_not_the_whole_ledger() -> None:
    # 双拥社区接待 rows 2–13: the category picks rows 6 and 11, and eight others.
    assert _cited("social_visits_provincial") == ["A6,A11"]
    assert _cited("social_visits_military") == ["A2,A4:A5,A7,A9:A10,A12:A13"]
    assert _cited("party_sms_batches") == ["A2:A22"]  # no condition: every record


def test_a_scattered_selection_cites_its_first_runs_then_an_ellipsis(
    workspace_copy: Path,
) -> None:
    path = next((workspace_copy / "submissions" / REPORT_PERIOD.code).glob("*党建*.xlsx"))
    book = openpyxl.load_workbook(path)
    sheet = book["党员短信提醒"]
    for row in range(2, 120):
        for column in range(1, sheet.max_column + 1):
            sheet.cell(row, column).value = sheet.cell(2, column).value if row % 2 == 0 else None
    book.save(path)
    figure = open_project(workspace_copy).engine.figure("party_sms_batches", REPORT_PERIOD)
    (source,) = figure.leaf_sources()
    assert source.cells == ",".join(f"A{row}" for row in range(2, 42, 2)) + ",…"
    assert source.rows == 59


@pytest.mark.parametrize(
    ("code", "period", "message"),
    [
        (
            "urban_cleared_land",
            "2024H1",
            "2024年上半年没有指标 书香名邸以南地块净地面积（urban_cleared_land）.*只填报到2023年",
        ),
        (
            "urban_charging_spaces",
            "2023",
            "2023年没有指标 田里小区已分配充电车位（urban_charging_spaces）.*自2024年上半年起",
        ),
    ],
)
def test_an_indicator_outside_since_until_says_so(code: str, period: str, message: str) -> None:
    engine = open_project(None).engine
    with pytest.raises(ComputeError, match=message):
        engine.figure(code, Period.parse(period))


def test_the_2024h1_figures_of_the_sample() -> None:
    engine = open_project(None).engine
    now = Period.parse("2024H1")
    assert engine.figure("urban_charging_spaces", now).value == 126
    assert engine.figure("party_centers_rank", now).value == 2
    assert engine.figure("party_centers_rank", Period.parse("2023")).value == 1
    assert engine.figure("econ_tax_growth_rank", Period.parse("2023")).value == 2
