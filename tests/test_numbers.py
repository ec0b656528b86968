"""Chinese figure formatting: exact rounding, percentages, multiples, approximations, numerals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chengbei_report.errors import TemplateError
from chengbei_report.render.numbers import (
    chinese_numeral,
    format_approx,
    format_multiple,
    format_number,
    format_percent,
    format_rank,
    format_year,
    round_half_up,
)

coefficients = st.integers(min_value=-(10**32), max_value=10**32)
exponents = st.integers(min_value=0, max_value=14)


def _exact(coefficient: int, places: int) -> Decimal:
    """Decimal n × 10^-places without any context rounding."""
    sign = 1 if coefficient < 0 else 0
    digits = tuple(int(d) for d in str(abs(coefficient)))
    return Decimal((sign, digits, -places))


def _oracle_half_up(coefficient: int, places: int, target: int) -> tuple[int, int]:
    """Integer arithmetic: round n × 10^-places half up to ``target`` places → (m, target)."""
    if target >= places:
        return coefficient * 10 ** (target - places), target
    divisor = 10 ** (places - target)
    quotient, remainder = divmod(abs(coefficient), divisor)
    if 2 * remainder >= divisor:
        quotient += 1
    return (-quotient if coefficient < 0 else quotient), target


@given(coefficients, exponents, st.integers(min_value=0, max_value=8))
def test_round_half_up_matches_integer_oracle(coefficient: int, places: int, target: int) -> None:
    value = _exact(coefficient, places)
    expected, exponent = _oracle_half_up(coefficient, places, target)
    result = round_half_up(value, target)
    assert result == _exact(expected, exponent)
    assert result.as_tuple().exponent == -target


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("0.985", 2, "0.99"),  # half-even would give 0.98
        ("2.5", 0, "3"),
        ("-2.5", 0, "-3"),
        ("98.425", 2, "98.43"),
        ("0.004999", 2, "0.00"),
    ],
)
def test_round_half_up_examples(value: str, places: int, expected: str) -> None:
    assert str(round_half_up(Decimal(value), places)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12477.4", "12477.4"),
        ("1954945", "1954945"),
        ("38.6700", "38.67"),
        ("1E+3", "1000"),
        ("3.0", "3"),
        ("-0.00", "0"),
        ("0.000012", "0.000012"),
    ],
)
def test_format_number_as_recorded(value: str, expected: str) -> None:
    assert format_number(Decimal(value)) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [("38.7", 2, "38.70"), ("12477.45", 1, "12477.5"), ("-0.001", 2, "0.00"), ("5", 0, "5")],
)
def test_format_number_with_decimals_keeps_places(value: str, decimals: int, expected: str) -> None:
    assert format_number(Decimal(value), decimals) == expected


@given(coefficients, exponents)
def test_format_number_is_plain_and_exact(coefficient: int, places: int) -> None:
    value = _exact(coefficient, places)
    text = format_number(value)
    assert "E" not in text and "," not in text
    assert Decimal(text) == value
    assert "." not in text or not text.endswith("0")


@given(coefficients, exponents, st.integers(min_value=0, max_value=6))
def test_format_number_with_decimals_matches_oracle(
    coefficient: int, places: int, decimals: int
) -> None:
    text = format_number(_exact(coefficient, places), decimals)
    expected, exponent = _oracle_half_up(coefficient, places, decimals)
    assert Decimal(text) == _exact(expected, exponent)
    assert len(text.partition(".")[2]) == decimals


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (500, 508, "98.43%"),
        (106, 107, "99.07%"),
        (490, 508, "96.46%"),
        (2, 2, "100%"),
        (2737, 2737, "100%"),
        (995, 1000, "99.50%"),
        (1, 2, "50%"),
        (0, 5, "0%"),
    ],
)
def test_format_percent_examples(numerator: int, denominator: int, expected: str) -> None:
    assert format_percent(Decimal(numerator) / Decimal(denominator)) == expected


def test_format_percent_never_claims_an_exact_hundred_it_rounded_to() -> None:
    assert format_percent(Decimal("0.999996")) == "100.00%"


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=14))
def test_format_percent_matches_oracle(coefficient: int, places: int) -> None:
    ratio = _exact(coefficient, places)
    text = format_percent(ratio)
    assert text.endswith("%")
    shown = Decimal(text[:-1])
    hundredths, _ = _oracle_half_up(coefficient, places - 2, 2)
    assert shown == _exact(hundredths, 2)
    whole = (coefficient * 100) % 10**places == 0
    assert ("." not in text) == whole


@pytest.mark.parametrize(
    ("value", "expected"),
    [("76.98", "77"), ("30.86", "31"), ("15.80", "16"), ("11.5", "12"), ("12.49", "12")],
)
def test_format_multiple(value: str, expected: str) -> None:
    assert format_multiple(Decimal(value)) == expected


@pytest.mark.parametrize(
    ("value", "step", "word", "wan", "expected"),
    [
        ("134", 10, "余", False, "130余"),
        ("3260", 1000, "多", False, "3000多"),
        ("31250", 10000, "余", True, "3万余"),
        ("10350", 10000, "余", False, "10000余"),
        ("612", 100, "余", False, "600余"),
        ("130", 10, "余", False, "130"),
        ("30000", 10000, "余", True, "3万"),
        ("31250", 1000, "余", True, "3.1万余"),
        ("19.5", 1, "余", False, "19余"),
        ("0", 10, "余", False, "0"),
    ],
)
def test_format_approx_examples(value: str, step: int, word: str, wan: bool, expected: str) -> None:
    assert format_approx(Decimal(value), step, word, wan) == expected


@given(
    st.integers(min_value=0, max_value=12).flatmap(
        lambda power: st.tuples(
            st.just(10**power),
            st.integers(min_value=10**power * 10**4, max_value=10**17),
            st.integers(min_value=0, max_value=4),
        )
    ),
    st.sampled_from(["余", "多"]),
    st.booleans(),
)
def test_format_approx_bounds(case: tuple[int, int, int], word: str, wan: bool) -> None:
    step, coefficient, places = case
    value = _exact(coefficient, places)
    text = format_approx(value, step, word, wan)
    number = text.removesuffix(word)
    shown = Decimal(number.removesuffix("万")) * (10000 if wan else 1)
    assert shown <= value < shown + step
    assert shown % step == 0
    assert text.endswith(word) == (shown != value)
    assert number.endswith("万") == wan


@pytest.mark.parametrize("step", [0, -10, 15, 20, 99])
def test_format_approx_refuses_a_step_that_is_not_a_power_of_ten(step: int) -> None:
    with pytest.raises(TemplateError, match="10的整数次幂"):
        format_approx(Decimal(1000), step)


@pytest.mark.parametrize("value", ["5", "-134", "0.5"])
def test_format_approx_refuses_values_without_an_honest_approximation(value: str) -> None:
    with pytest.raises(TemplateError):
        format_approx(Decimal(value), 10)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "零"),
        (1, "一"),
        (2, "二"),
        (10, "十"),
        (11, "十一"),
        (19, "十九"),
        (20, "二十"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (1100, "一千一百"),
        (2023, "二千零二十三"),
        (9999, "九千九百九十九"),
    ],
)
def test_chinese_numeral_examples(n: int, expected: str) -> None:
    assert chinese_numeral(n) == expected


def test_chinese_numerals_are_distinct_over_the_whole_range() -> None:
    numerals = [chinese_numeral(n) for n in range(10000)]
    assert len(set(numerals)) == 10000
    assert all("零零" not in text and not text.endswith("零") for text in numerals[1:])


@pytest.mark.parametrize("n", [-1, 10000])
def test_chinese_numeral_range(n: int) -> None:
    with pytest.raises(ValueError):
        chinese_numeral(n)


def test_rank_and_year() -> None:
    assert format_rank(2) == "第二"
    assert format_rank(1) == "第一"
    assert format_rank(12) == "第十二"
    assert format_year(2022) == "2022年"
    with pytest.raises(ValueError):
        format_rank(0)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_values_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        format_number(Decimal(value))
