"""Figure values as a reader expects them, and exact decimal text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chengbei_report.compute.figures import Figure, Reading, reader_value
from chengbei_report.decimals import exact_text
from chengbei_report.periods import Period

RATE = Decimal("0.9842519685039370078740157480314961")  # 500 / 508 at the engine's 34 digits


def _figure(value: Decimal, unit: str, kind: str) -> Figure:
    return Figure("x", "指标", unit, kind, Period.parse("2023H1"), value)


@pytest.mark.parametrize(
    ("value", "unit", "kind", "expected"),
    [
        (RATE, "%", "ratio", Reading(Decimal("98.42519685039370078740157480314961"), "%")),
        (Decimal(1), "%", "ratio", Reading(Decimal(100), "%")),
        (Decimal("0.0005"), "%", "ratio", Reading(Decimal("0.05"), "%")),
        (Decimal("-0.125"), "%", "ratio", Reading(Decimal("-12.5"), "%")),
        (Decimal("12477.4"), "万元", "amount", Reading(Decimal("12477.4"), "万元")),
        (Decimal("76.98"), "倍", "multiple", Reading(Decimal("76.98"), "倍")),
    ],
)
def test_reader_value(value: Decimal, unit: str, kind: str, expected: Reading) -> None:
    assert reader_value(value, unit, kind) == expected
    assert _figure(value, unit, kind).reader_value() == expected


def test_a_ratio_keeps_every_digit_beyond_the_default_context() -> None:
    # value * 100 in the default 28-digit context would cut this to ...57480
    assert str(_figure(RATE, "%", "ratio").reader_value()) == "98.42519685039370078740157480314961%"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0.5").scaleb(2), "50"),  # 5E+1
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("38.6700"), "38.6700"),  # trailing zeros as recorded
        (Decimal("-0"), "-0"),
        (None, None),
    ],
)
def test_exact_text_is_plain_digits(value: Decimal | None, text: str | None) -> None:
    assert exact_text(value) == text


def test_reading_prints_as_value_and_unit() -> None:
    assert str(Reading(Decimal("5E+2"), "人")) == "500人"
