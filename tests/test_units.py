"""Unit conversion is exact within a family and refuses nothing it should convert."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
