"""Periods: the accepted forms, their labels and their neighbours."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chengbei_report.errors import UsageError
from chengbei_report.periods import Period, PeriodKind


@pytest.mark.parametrize(
    ("text", "code", "label", "previous", "last_year"),
    [
        ("2023H1", "2023H1", "2023年上半年", "2022H2", "2022H1"),
        ("2023h2", "2023H2", "2023年下半年", "2023H1", "2022H2"),
        ("2023Q2", "2023Q2", "2023年第二季度", "2023Q1", "2022Q2"),
        ("2023M06", "2023M06", "2023年6月", "2023M05", "2022M06"),
        ("2023M01", "2023M01", "2023年1月", "2022M12", "2022M01"),
        ("2023", "2023", "2023年", "2022", "2022"),
        ("2023年上半年", "2023H1", "2023年上半年", "2022H2", "2022H1"),
        ("2023年第四季度", "2023Q4", "2023年第四季度", "2023Q3", "2022Q4"),
    ],
)
def test_period_forms(text: str, code: str, label: str, previous: str, last_year: str) -> None:
    period = Period.parse(text)
    assert period.code == code
    assert period.full_label == label
    assert period.previous().code == previous
    assert period.same_period_last_year().code == last_year


@pytest.mark.parametrize(
    ("a", "b", "before", "after"),
    [
        ("2022", "2022H2", True, False),
        ("2022", "2022H1", False, True),
        ("2023H2", "2023", False, False),
        ("2024H1", "2023", False, True),
        ("2023M07", "2023H2", False, False),
    ],
)
def test_periods_compare_by_their_months(a: str, b: str, before: bool, after: bool) -> None:
    assert Period.parse(a).begins_before(Period.parse(b)) is before
    assert Period.parse(a).ends_after(Period.parse(b)) is after
    assert Period.parse("2023H2").start_month == 7


@pytest.mark.parametrize(
    ("code", "since_start", "elapsed", "next_code", "next_label", "is_year", "is_half"),
    [
        ("2023H1", "今年来", "半年来", "2023H2", "下半年", False, True),
        ("2023H2", "下半年以来", "半年来", "2024H1", "2024年", False, True),
        ("2023", "今年来", "一年来", "2024", "2024年", True, False),
        ("2023Q3", "第三季度以来", "一季度来", "2023Q4", "第四季度", False, False),
        ("2023M12", "12月以来", "一个月来", "2024M01", "2024年1月", False, False),
    ],
)
def test_what_a_template_says_about_time(
    code: str,
    since_start: str,
    elapsed: str,
    next_code: str,
    next_label: str,
    is_year: bool,
    is_half: bool,
) -> None:
    period = Period.parse(code)
    assert (period.since_start, period.elapsed) == (since_start, elapsed)
    assert (period.next.code, period.next_label) == (next_code, next_label)
    assert (period.is_year, period.is_half) == (is_year, is_half)


def test_half_year_facts() -> None:
    period = Period.parse("2023H1")
    assert (period.label, period.end_month) == ("上半年", 6)
    assert period.last_full_year() == Period(2022, PeriodKind.YEAR)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2023H1", 2022),
        ("2023Q3", 2022),
        ("2023H2", 2023),
        ("2023Q4", 2023),
        ("2023M12", 2023),
        ("2023", 2023),
    ],
)
def test_last_full_year_is_the_last_year_complete_when_the_period_ends(
    text: str, year: int
) -> None:
    assert Period.parse(text).last_full_year() == Period(year, PeriodKind.YEAR)


@pytest.mark.parametrize(
    "text", ["2023H3", "2023Q5", "2023M13", "2023M00", "23H1", "2023-06", "上半年", ""]
)
def test_anything_else_is_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        Period.parse(text)
    assert "2023H1" in (caught.value.hint or "")


@given(st.text(max_size=12))
def test_parse_never_fails_with_anything_but_usage_error(text: str) -> None:
    try:
        period = Period.parse(text)
    except UsageError:
        return
    assert Period.parse(period.code) == period


@given(st.integers(1900, 2100), st.sampled_from(["H", "Q", "M", "Y"]), st.integers(1, 12))
def test_code_round_trips_and_previous_is_before(year: int, kind: str, index: int) -> None:
    limit = {"H": 2, "Q": 4, "M": 12, "Y": 1}[kind]
    period = Period(year, PeriodKind(kind), min(index, limit))
    assert Period.parse(period.code) == period
    assert Period.parse(period.full_label) == period
    assert period.previous() < period
    assert period.same_period_last_year().year == year - 1
