"""The bundled sample workspace: workbooks read back with openpyxl hit the published figures.

The engine is tested elsewhere; here the sample itself is checked, so that a wrong or stale
sample shows up as a failing aggregate rather than as a wrong sentence in the report.
"""

from __future__ import annotations

import ast
import importlib.util
import random
import re
import sys
import tomllib
import zipfile
from collections import Counter
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chengbei_report.catalog import load_catalog
from chengbei_report.periods import Period

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
SUBMISSIONS = SAMPLE / "submissions"
TEMPLATES = ROOT / "templates"
# The bundled templates and the literal names with digits in their statistics sections.
LITERAL_NAMES = {
    "work_summary.md.j2": ("1园1厅5区12室", "8890电话", "自4月份起", "今年8月底"),
    "work_summary_year.md.j2": ("1园1厅5区12室", "8890电话"),
}
UNIT = "城北街道"
HEADER_LABELS = ("单位", "部门", "报告期", "填报人", "联系电话", "填报日期")
TABLE_HEADER = ("编码", "名称", "单位", "数值", "备注")
PERIODS = ("2002", "2020", "2021", "2022", "2022H1", "2023H1", "2023", "2024H1")
# workspace.toml [periods] first: folders of periods beginning earlier hold what was kept then.
FIRST = Period.parse("2023")
LIBRARY_CATALOG = load_catalog(SAMPLE / "catalog.toml")

Row = dict[str, Any]


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_sample_data", ROOT / "scripts" / "make_sample_data.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generator = load_generator()
CATALOG: dict[str, Any] = tomllib.loads((SAMPLE / "catalog.toml").read_text(encoding="utf-8"))
INDICATORS = {i["code"]: i for i in CATALOG["indicators"]}
LEDGERS = {lg["code"]: lg for lg in CATALOG["ledgers"]}
DEPARTMENTS = {d["name"]: d["code"] for d in CATALOG["departments"]}


def workbooks(period: str) -> list[Path]:
    return sorted((SUBMISSIONS / period).glob("*.xlsx"))


def department_of(path: Path) -> str:
    return DEPARTMENTS[openpyxl.load_workbook(path, read_only=True)["指标"]["B3"].value]


def reported_values(period: str) -> dict[str, Any]:
    """Code → value of every 指标 row of a period, read back from the files."""
    values: dict[str, Any] = {}
    for path in workbooks(period):
        sheet = openpyxl.load_workbook(path)["指标"]
        for code, _name, _unit, value, _note in sheet.iter_rows(min_row=10, values_only=True):
            values[code] = value
    return values


def ledger(period: str, code: str) -> list[Row]:
    """The rows of a ledger as dicts, found in the owning department's workbook."""
    spec = LEDGERS[code]
    for path in workbooks(period):
        book = openpyxl.load_workbook(path)
        if DEPARTMENTS[book["指标"]["B3"].value] == spec["department"]:
            rows = list(book[spec["sheet"]].iter_rows(values_only=True))
            return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    raise AssertionError(f"no {code} ledger in {period}")


def count(rows: list[Row], **where: object) -> int:
    return sum(all(row[k] == v for k, v in where.items()) for row in rows)


def total(rows: list[Row], column: str, **where: object) -> int:
    return sum(row[column] for row in rows if all(row[k] == v for k, v in where.items()))


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))


# ---------------------------------------------------------------- the files


def test_regenerating_gives_the_committed_sample(tmp_path: Path) -> None:
    """A sample edited by hand, or a script changed without rerunning it, fails here."""
    written = generator.generate(tmp_path)
    fresh = {p.relative_to(tmp_path) for p in written}
    kept = {p.relative_to(SUBMISSIONS) for p in SUBMISSIONS.rglob("*.xlsx")}
    assert fresh == kept
    for relative in sorted(fresh):
        with (
            zipfile.ZipFile(tmp_path / relative) as a,
            zipfile.ZipFile(SUBMISSIONS / relative) as b,
        ):
            assert a.namelist() == b.namelist(), relative
            for member in a.namelist():
                assert a.read(member) == b.read(member), (relative, member)


def test_every_period_folder_has_its_departments() -> None:
    found = {period: sorted(department_of(p) for p in workbooks(period)) for period in PERIODS}
    half = sorted(DEPARTMENTS.values())
    assert found == {
        "2002": ["economy"],
        "2020": ["district", "economy"],
        "2021": ["district", "economy"],
        "2022": ["district", "economy"],
        "2022H1": half,
        "2023H1": half,
        "2023": half,
        "2024H1": half,
    }


@pytest.mark.parametrize("path", sorted(SUBMISSIONS.rglob("*.xlsx")), ids=lambda p: p.name)
def test_header_block_follows_the_contract(path: Path) -> None:
    sheet = openpyxl.load_workbook(path)["指标"]
    assert sheet.title == openpyxl.load_workbook(path).sheetnames[0]
    assert "A1:E1" in {str(r) for r in sheet.merged_cells.ranges}
    assert str(sheet["A1"].value).startswith(UNIT)
    assert tuple(sheet.cell(row, 1).value for row in range(2, 8)) == HEADER_LABELS
    unit, department, period, filler, phone, filled_on = (
        sheet.cell(row, 2).value for row in range(2, 8)
    )
    assert unit == UNIT
    assert department in DEPARTMENTS
    assert period == path.parent.name
    assert re.fullmatch(r"[\u4e00-\u9fff]某", filler)
    assert re.fullmatch(r"0579-8\d{7}", phone)
    assert isinstance(filled_on, datetime) and sheet["B7"].is_date
    assert sheet.cell(8, 1).value is None
    assert tuple(sheet.cell(9, col).value for col in range(1, 6)) == TABLE_HEADER


@pytest.mark.parametrize("path", sorted(SUBMISSIONS.rglob("*.xlsx")), ids=lambda p: p.name)
def test_indicator_rows_are_the_catalog_reported_ones(path: Path) -> None:
    department = department_of(path)
    period = Period.parse(path.parent.name)
    wanted = [i.code for i in LIBRARY_CATALOG.reported_indicators(department) if i.due_in(period)]
    rows = list(openpyxl.load_workbook(path)["指标"].iter_rows(min_row=10, values_only=True))
    if period.begins_before(FIRST):  # history: a subset of today's catalog, in its order
        wanted = [code for code in wanted if code in {row[0] for row in rows}]
    assert [row[0] for row in rows] == wanted
    for code, name, unit, value, _note in rows:
        assert (name, unit) == (INDICATORS[code]["name"], INDICATORS[code]["unit"])
        assert type(value) in (int, float) and value >= 0, code
        if INDICATORS[code].get("integer", INDICATORS[code]["kind"] == "count"):
            assert type(value) is int, code


@pytest.mark.parametrize("path", sorted(SUBMISSIONS.rglob("*.xlsx")), ids=lambda p: p.name)
def test_ledger_sheets_match_their_catalog_columns(path: Path) -> None:
    book = openpyxl.load_workbook(path)
    department = department_of(path)
    period = Period.parse(path.parent.name)
    kind = period.kind.value
    specs = [
        lg for lg in LEDGERS.values() if lg["department"] == department and kind in lg["frequency"]
    ]
    if period.begins_before(FIRST):
        specs = [lg for lg in specs if lg["sheet"] in book.sheetnames]
    assert book.sheetnames == ["指标", *(lg["sheet"] for lg in specs)]
    for spec in specs:
        rows = list(book[spec["sheet"]].iter_rows(values_only=True))
        assert list(rows[0]) == [c["name"] for c in spec["columns"]]
        records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
        keys = [r[spec["key"]] for r in records]
        assert records and len(set(keys)) == len(keys), spec["code"]
        for column in spec["columns"]:
            values = [r[column["name"]] for r in records]
            if column.get("required"):
                assert None not in values, (spec["code"], column["name"])
            if column["type"] == "choice":
                assert set(values) - {None} <= set(column["choices"]), column["name"]
            if column["type"] == "number":
                assert all(type(v) in (int, float) and v >= 0 for v in values if v is not None)
            if column["type"] == "date":
                assert all(isinstance(v, datetime) for v in values if v is not None)


# ---------------------------------------------------------------- the figures of the report


def test_2023h1_ledger_aggregates_are_the_published_figures() -> None:
    inspection = ledger("2023H1", "inspection")
    assert len(inspection) == reported_values("2023H1")["safety_inspected"] == 2800
    assert total(inspection, "隐患数") == 1740
    assert total(inspection, "整改数") == 1735
    assert count(inspection, 处理结果="立案查处") == 111
    assert count(inspection, 处理结果="关停") == 695
    assert total(inspection, "拆除改造防盗窗广告牌数") // 100 * 100 == 600
    assert all(row["整改数"] <= row["隐患数"] for row in inspection)
    mediation = ledger("2023H1", "mediation")
    assert count(mediation, 调解结果="调解成功") == 39
    assert Decimal(total(mediation, "涉及金额", 调解结果="调解成功")) / 10000 == Decimal("38.67")
    partners = ledger("2023H1", "partners")
    assert len({row["共建单位"] for row in partners}) == 17 < len(partners)
    assert total(partners, "面积") == 5930
    assert Counter(row["类别"] for row in ledger("2023H1", "visits")) == {
        "省厅级领导调研参观": 2,
        "外地领导参观考察": 2,
        "军区领导调研指导": 8,
    }
    sms = ledger("2023H1", "sms")
    assert (len(sms), total(sms, "发送条数")) == (21, 37106)
    activities = ledger("2023H1", "activities")
    assert (len(activities), total(activities, "活动场次")) == (11, 576)
    assert total(activities, "参与人次") // 10000 == 3
    demolitions = ledger("2023H1", "demolitions")
    assert (len(demolitions), total(demolitions, "面积")) == (11, 990)
    assert len(demolitions) == reported_values("2023H1")["urban_demolition_target"]


def test_2023h1_party_centres_rank_first_in_the_district() -> None:
    accepted = count(ledger("2023H1", "upgrades"), 验收状态="已验收")
    table = {row["单位"]: row["提档验收数"] for row in ledger("2023H1", "district_party")}
    assert accepted == table[UNIT] == 7
    assert sorted(table.values(), reverse=True)[:2] == [7, 6]


def test_2023h1_reported_rates() -> None:
    values = reported_values("2023H1")
    rate = Decimal(values["social_reemployed"]) / values["social_unemployed_assisted"]
    assert (rate * 100).quantize(Decimal("0.01"), ROUND_HALF_UP) == Decimal("98.43")
    online = Decimal(values["safety_online_first"] - values["safety_online_repeat"])
    assert (online / values["safety_online_first"] * 100).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    ) == Decimal("99.07")
    assert values["social_assisted"] == values["social_need_assist"]
    assert values["safety_platform_closed"] == values["safety_platform_received"] == 2737
    assert values["econ_night_merchants"] // 10 * 10 == 130
    assert values["econ_night_visitors"] // 1000 * 1000 == 3000
    assert values["urban_flying_wires"] // 10000 * 10000 == 10000


def test_2022_economy_against_2002_and_the_district() -> None:
    now = {k: Decimal(str(v)) for k, v in reported_values("2022").items()}
    base = {k: Decimal(str(v)) for k, v in reported_values("2002").items()}
    assert now["econ_tax"] == Decimal("12477.4") and now["econ_sales"] == 1954945
    wanted = {"econ_tax": 77, "econ_trade": 12, "econ_entities": 31, "econ_enterprises": 16}
    assert {code: half_up(now[code] / base[code] - 1) for code in wanted} == wanted
    assert now["econ_entities"] - base["econ_entities"] == 4660
    assert now["econ_enterprises"] - base["econ_enterprises"] == 1311


@pytest.mark.parametrize(("column", "rank"), [("区级税收", 2), ("限额以上批零住餐业销售额", 3)])
def test_2022_growth_ranks_from_district_tables(column: str, rank: int) -> None:
    now = {r["单位"]: Decimal(str(r[column])) for r in ledger("2022", "district_economy")}
    before = {r["单位"]: Decimal(str(r[column])) for r in ledger("2021", "district_economy")}
    growth = {unit: now[unit] / before[unit] - 1 for unit in now}
    assert len(growth) >= 8 and len(set(growth.values())) == len(growth)
    assert sorted(growth.values(), reverse=True).index(growth[UNIT]) + 1 == rank


@pytest.mark.parametrize(("column", "rank"), [("区级税收", 2), ("限额以上批零住餐业销售额", 3)])
def test_2023_growth_ranks_stay_as_in_2022(column: str, rank: int) -> None:
    now = {r["单位"]: Decimal(str(r[column])) for r in ledger("2023", "district_economy")}
    before = {r["单位"]: Decimal(str(r[column])) for r in ledger("2022", "district_economy")}
    growth = {unit: now[unit] / before[unit] - 1 for unit in now}
    assert len(set(growth.values())) == len(growth)
    assert sorted(growth.values(), reverse=True).index(growth[UNIT]) + 1 == rank


# ---------------------------------------------------------------- 2023 and 2024H1: the cycle


def party_rank(period: str) -> int:
    table = {row["单位"]: row["提档验收数"] for row in ledger(period, "district_party")}
    accepted = count(ledger(period, "upgrades"), 验收状态="已验收")
    assert accepted == table[UNIT] and list(table.values()).count(accepted) == 1
    return sorted(table.values(), reverse=True).index(accepted) + 1


def test_the_party_centres_rank_is_the_one_rank_that_changes_in_2024h1() -> None:
    assert [party_rank(p) for p in ("2023H1", "2023", "2024H1")] == [1, 1, 2]


def test_one_indicator_is_dropped_and_one_is_new_in_2024h1() -> None:
    before, now = reported_values("2023H1"), reported_values("2024H1")
    assert set(before) - set(now) == {"urban_cleared_land"}
    assert set(now) - set(before) == {"urban_charging_spaces"}
    assert "urban_cleared_land" in reported_values("2023")
    assert INDICATORS["urban_cleared_land"]["until"] == "2023"
    assert INDICATORS["urban_charging_spaces"]["since"] == "2024H1"


def test_2024h1_figures_move_both_ways() -> None:
    before, now = reported_values("2023H1"), reported_values("2024H1")
    common = set(before) & set(now)
    assert sum(now[c] > before[c] for c in common) >= 10
    assert sum(now[c] < before[c] for c in common) >= 10
    assert now["econ_park_units"] == 61


def test_the_2023_ledgers_continue_the_first_half() -> None:
    """The year's case ledgers are the 2023H1 rows followed by the second half's, numbered on."""
    for code in ("inspection", "mediation", "sms", "demolitions"):
        first, year = ledger("2023H1", code), ledger("2023", code)
        assert year[: len(first)] == first and len(year) > len(first), code
        key = LEDGERS[code]["key"]
        numbers = [int(str(row[key]).rsplit("-", 1)[1]) for row in year]
        assert numbers == list(range(1, len(year) + 1)), code
    assert len(ledger("2023", "inspection")) == reported_values("2023")["safety_inspected"]


@pytest.mark.parametrize("code", ["partners", "visits", "upgrades"])
def test_standing_ledgers_keep_their_rows_from_period_to_period(code: str) -> None:
    key = LEDGERS[code]["key"]
    keys = [{row[key] for row in ledger(p, code)} for p in ("2023H1", "2023", "2024H1")]
    assert keys[0] <= keys[1] <= keys[2]


@pytest.mark.parametrize("year", ["2020", "2021", "2022", "2023"])
def test_district_row_of_the_unit_equals_its_own_workbook(year: str) -> None:
    row = next(r for r in ledger(year, "district_economy") if r["单位"] == UNIT)
    values = reported_values(year)
    assert (row["区级税收"], row["限额以上批零住餐业销售额"]) == (
        values["econ_tax"],
        values["econ_sales"],
    )


@pytest.mark.parametrize("period", PERIODS)
def test_catalog_rules_hold_on_reported_values(period: str) -> None:
    values = reported_values(period)
    rules = [rule for ind in INDICATORS.values() for rule in ind.get("rules", [])]
    outcomes = [generator.rule_holds(rule, values) for rule in rules]
    assert False not in outcomes
    assert any(outcomes)


# ---------------------------------------------------------------- catalog and template


def formula_names(formula: str) -> set[str]:
    """Indicator codes and ledger codes a formula refers to (not functions or periods)."""
    tree = ast.parse(formula, mode="eval")
    called = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    shifted = {
        n.right.id
        for n in ast.walk(tree)
        if isinstance(n, ast.BinOp) and isinstance(n.right, ast.Name)
    }
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return names - called - (shifted & {"baseline", "prev_year", "prev", "year"})


@pytest.mark.parametrize(
    "code", [c for c, i in INDICATORS.items() if "formula" in i or "crosscheck" in i]
)
def test_formulas_refer_to_known_codes_and_columns(code: str) -> None:
    ind = INDICATORS[code]
    for formula in (ind.get("formula"), ind.get("crosscheck")):
        if formula is None:
            continue
        tree = ast.parse(formula, mode="eval")
        for attr in (n for n in ast.walk(tree) if isinstance(n, ast.Attribute)):
            assert attr.value.id in LEDGERS, formula
            assert attr.attr in {c["name"] for c in LEDGERS[attr.value.id]["columns"]}, formula
        ledgers_used = {n.value.id for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.func.id == "count"]
        ledgers_used |= {c.args[0].id for c in calls}
        columns = {c["name"] for lg in ledgers_used for c in LEDGERS[lg]["columns"]}
        for name in formula_names(formula) - ledgers_used:
            assert name in INDICATORS or name in columns, (code, name)


def template_codes(name: str) -> set[tuple[str, str]]:
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    return set(re.findall(r"\b(cur|year)\.(\w+)", text))


@pytest.mark.parametrize("name", LITERAL_NAMES)
def test_template_uses_only_catalog_codes(name: str) -> None:
    used = template_codes(name)
    assert len(used) > 60
    assert {code for _, code in used} <= set(INDICATORS)
    assert {code for ctx, code in used if ctx == "year"} == {
        c for c, i in INDICATORS.items() if i["frequency"] == ["Y"]
    }


@pytest.mark.parametrize("name", LITERAL_NAMES)
def test_template_types_no_statistical_figure_before_section_three(name: str) -> None:
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    literal = re.sub(r"\{\{.*?\}\}|\{#.*?#\}|\{%.*?%\}", "", text, flags=re.S)
    sections = literal.split("## 三、")[0]
    for literal_name in LITERAL_NAMES[name]:
        assert literal_name in sections
        sections = sections.replace(literal_name, "")
    assert re.findall(r"\d+", sections) == []
    assert re.findall(r"[,():;]", literal) == []


# ---------------------------------------------------------------- the generator's exact splits


@given(
    seed=st.integers(0, 2**32),
    parts=st.integers(1, 40),
    low=st.integers(0, 50),
    step=st.sampled_from([1, 5, 10, 100]),
    units=st.integers(0, 5000),
)
def test_split_total_hits_the_target(
    seed: int, parts: int, low: int, step: int, units: int
) -> None:
    target = low * parts + units * step
    shares = generator.split_total(random.Random(seed), target, parts, low=low, step=step)
    assert len(shares) == parts and sum(shares) == target
    assert all(s >= low and (s - low) % step == 0 for s in shares)


@given(seed=st.integers(0, 2**32), items=st.integers(0, 300), size=st.integers(1, 50))
def test_scatter_places_every_item_in_a_slot(seed: int, items: int, size: int) -> None:
    slots = list(range(0, size, 2))
    counts = generator.scatter(random.Random(seed), items, slots, size)
    assert sum(counts) == items
    assert all(counts[i] == 0 for i in range(size) if i not in slots)
