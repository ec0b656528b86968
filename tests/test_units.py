"""Unit conversion is exact within a family and refuses nothing it should convert."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from small_workspace import REPORT, indicator, make_workspace

from chengbei_report import units
from chengbei_report.catalog import build_catalog
from chengbei_report.errors import CatalogError
from chengbei_report.project import open_project
from chengbei_report.units import convert, convertible, family


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        ("386700", "元", "万元", "38.67"),
        ("12477.4", "万元", "亿元", "1.24774"),
        ("2", "公顷", "亩", "30"),
        ("15", "亩", "平方米", "10000"),
        ("39.04", "公顷", "平方米", "390400"),
        ("1.5", "公里", "米", "1500"),
        ("7", "人", "人", "7"),
    ],
)
def test_conversions_are_exact(value: str, source: str, target: str, expected: str) -> None:
    assert convert(Decimal(value), source, target) == Decimal(expected)


def test_families() -> None:
    assert family("万元") == "money" and family("亩") == "area" and family("户") == "count"
    assert convertible("元", "亿元") and not convertible("元", "平方米")


@given(st.integers(0, 10**12), st.sampled_from(["平方米", "亩", "公顷"]))
def test_area_round_trip_is_exact_for_whole_mu(mu: int, via: str) -> None:
    """Whole 亩 go to any area unit and back unchanged: no 28-digit residue such as 29.999…"""
    there = convert(Decimal(mu), "亩", via)
    assert convert(there, via, "亩") == mu


def test_a_unit_added_to_its_family_converts_in_the_catalog_and_the_engine(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The recipe of docs/architecture.md: one entry in units.FAMILIES, nothing else."""
    money = units.FAMILIES["money"]
    thousands = units.Family(money.title, {**money.units, "千元": Fraction(1000)})
    monkeypatch.setitem(units.FAMILIES, "money", thousands)
    extra = indicator("tax_thousands", "千元", "amount", "tax")
    extra += indicator("amount_thousands", "千元", "amount", "sum(cases.金额)")
    engine = open_project(make_workspace(tmp_path / "ws", extra)).engine
    assert engine.figure("tax_thousands", REPORT).value == 1500  # 150 万元
    assert engine.figure("amount_thousands", REPORT).value == 42  # 42000 元


def test_a_unit_family_added_is_named_in_unit_mismatches(monkeypatch: pytest.MonkeyPatch) -> None:
    weight = units.Family("重量", {"千克": Fraction(1), "吨": Fraction(1000)})
    monkeypatch.setitem(units.FAMILIES, "weight", weight)
    assert convert(Decimal("2.5"), "吨", "千克") == 2500
    department = {"code": "office", "name": "综合办公室"}
    indicators = [
        {
            "code": "waste",
            "name": "垃圾清运量",
            "unit": "吨",
            "kind": "other",
            "department": "office",
        },
        {"code": "tax", "name": "税收", "unit": "万元", "kind": "amount", "department": "office"},
        {"code": "wrong", "name": "错", "unit": "吨", "kind": "other", "department": "office"},
    ]
    indicators[-1]["formula"] = "waste + tax"
    with pytest.raises(CatalogError, match=r"wrong.*重量与金额不能相加减"):
        build_catalog({"departments": [department], "indicators": indicators})
