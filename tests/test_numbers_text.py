"""Numbers as people write them: strict cell parsing and lenient figure finding in prose."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chengbei_report.read.numbers_text import (
    find_figures,
    parse_chinese_numeral,
    parse_number_text,
)
from chengbei_report.render.numbers import (
    chinese_numeral,
    format_approx,
    format_number,
    format_percent,
    format_rank,
    round_half_up,
)

decimals = st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-(10**12))
decimals = decimals.filter(lambda d: d <= 10**12)
FULL_WIDTH = str.maketrans("0123456789.,%-", "０１２３４５６７８９．，％－")


@pytest.mark.parametrize(
    ("text", "value", "unit", "percent", "notes"),
    [
        ("12477.4万元", "12477.4", "万元", False, ("已去掉单位“万元”",)),
        ("1,954,945", "1954945", "", False, ("已去掉千位分隔符",)),
        ("１２３", "123", "", False, ("全角数字已转为半角",)),
        (" 98.43% ", "98.43", "", True, ("已去掉首尾空格",)),
        ("98.43％", "98.43", "", True, ("全角符号已转为半角",)),
        ("-5", "-5", "", False, ()),
        ("3.0", "3.0", "", False, ()),
        ("\u3000１，２３４人\u3000", "1234", "人", False, None),
        ("5930平方米", "5930", "平方米", False, ("已去掉单位“平方米”",)),
        ("−7", "-7", "", False, ("数学负号“−”已转为“-”",)),
        ("\u30005\u3000", "5", "", False, ("已去掉首尾空格",)),
    ],
)
def test_parse_number_text_accepts(
    text: str, value: str, unit: str, percent: bool, notes: tuple[str, ...] | None
) -> None:
    parsed = parse_number_text(text)
    assert parsed is not None
    assert parsed.value == Decimal(value)
    assert parsed.unit == unit
    assert parsed.percent is percent
    if notes is not None:
        assert parsed.notes == notes


def test_parse_number_text_notes_every_normalisation() -> None:
    parsed = parse_number_text("\u3000１，２３４人\u3000")
    assert parsed is not None
    assert set(parsed.notes) == {
        "全角数字已转为半角",
        "全角符号已转为半角",
        "已去掉首尾空格",
        "已去掉千位分隔符",
        "已去掉单位“人”",
    }


@pytest.mark.parametrize(
    "text",
    [
        "约3000",
        "待统计",
        "3000+",
        "3000多",
        "3000余",
        "300左右",
        "1,95,4",
        "12.3.4",
        "",
        " ",
        "—",
        "1E3",
        "NaN",
        "Infinity",
        ".5",
        "5.",
        "3 000",
        "--5",
    ],
)
def test_parse_number_text_refuses(text: str) -> None:
    assert parse_number_text(text) is None


@given(decimals)
def test_parse_round_trips_format_number(value: Decimal) -> None:
    parsed = parse_number_text(format_number(value))
    assert parsed is not None
    assert parsed.value == value
    assert parsed.notes == ()


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_parse_reads_thousands_separators_and_full_width(value: int) -> None:
    grouped = f"{value:,}"
    parsed = parse_number_text(grouped.translate(FULL_WIDTH))
    assert parsed is not None
    assert parsed.value == value
    assert ("已去掉千位分隔符" in parsed.notes) == ("," in grouped)


@given(st.decimals(min_value=0, max_value=100, places=8))
def test_parse_round_trips_format_percent(ratio: Decimal) -> None:
    parsed = parse_number_text(format_percent(ratio))
    assert parsed is not None
    assert parsed.percent
    assert parsed.value == round_half_up(ratio.scaleb(2), 2)


@given(st.text())
def test_parse_never_raises(text: str) -> None:
    parsed = parse_number_text(text)
    assert parsed is None or parsed.value.is_finite()


REFERENCE = (
    "2022年区级税收12477.4万元,增速全区第二,较改革前增长77倍,限额以上批零住餐业销售额"
    "1954945万元,增速全区第三。目前完成招商130余家,每日客流量3000多人。参与人次3万余人;"
    "已帮扶就业率98.43%。运用第一种形态7人。"
)


def test_find_figures_in_reference_prose() -> None:
    found = [
        (f.text, f.value, f.unit, f.percent, f.approx, f.wan, f.rank)
        for f in find_figures(REFERENCE)
    ]
    assert found == [
        ("2022年", Decimal(2022), "年", False, "", False, False),
        ("12477.4万元", Decimal("12477.4"), "万元", False, "", False, False),
        ("第二", Decimal(2), "", False, "", False, True),
        ("77倍", Decimal(77), "倍", False, "", False, False),
        ("1954945万元", Decimal(1954945), "万元", False, "", False, False),
        ("第三", Decimal(3), "", False, "", False, True),
        ("130余家", Decimal(130), "家", False, "余", False, False),
        ("3000多人", Decimal(3000), "人", False, "多", False, False),
        ("3万余人", Decimal(30000), "人", False, "余", True, False),
        ("98.43%", Decimal("98.43"), "", True, "", False, False),
        ("7人", Decimal(7), "人", False, "", False, False),
    ]


def test_find_figures_spans_index_the_original_text() -> None:
    text = "共排查２８００家，整改１，７３５处，办结率１００％。"
    found = find_figures(text)
    assert [f.value for f in found] == [2800, 1735, 100]
    assert [text[f.start : f.end] for f in found] == ["２８００家", "１，７３５处", "１００％"]
    assert all(f.text == text[f.start : f.end] for f in found)


def test_find_figures_does_not_take_a_range_dash_for_a_sign() -> None:
    found = find_figures("1-6月共计576场,增长-5%")
    assert [(f.value, f.unit) for f in found] == [
        (Decimal(1), ""),
        (Decimal(6), "月"),
        (Decimal(576), "场"),
        (Decimal(-5), ""),
    ]


@given(decimals, st.sampled_from(["万元", "人", "平方米", "公顷", "倍", "件"]))
def test_find_round_trips_format_number(value: Decimal, unit: str) -> None:
    found = find_figures(f"其中共计{format_number(value)}{unit}，同比")
    assert [(f.value, f.unit) for f in found] == [(value, unit)]


@given(st.decimals(min_value=0, max_value=100, places=8))
def test_find_round_trips_format_percent(ratio: Decimal) -> None:
    found = find_figures(f"办结率{format_percent(ratio)}，")
    assert len(found) == 1
    assert found[0].percent
    assert found[0].value == round_half_up(ratio.scaleb(2), 2)


@given(
    st.integers(min_value=0, max_value=8).flatmap(
        lambda power: st.tuples(
            st.just(10**power), st.integers(min_value=10**power, max_value=10**12)
        )
    ),
    st.sampled_from(["余", "多"]),
    st.booleans(),
)
def test_find_round_trips_format_approx(case: tuple[int, int], word: str, wan: bool) -> None:
    step, value = case
    found = find_figures(f"完成招商{format_approx(Decimal(value), step, word, wan)}家，")
    assert len(found) == 1
    figure = found[0]
    assert figure.value == value - value % step
    assert figure.unit == "家"
    assert figure.wan == wan
    assert figure.approx == ("" if value % step == 0 else word)


@given(st.integers(min_value=1, max_value=9999))
def test_find_round_trips_format_rank(rank: int) -> None:
    found = find_figures(f"增速全区{format_rank(rank)}，")
    assert [(f.value, f.rank) for f in found] == [(Decimal(rank), True)]


def test_chinese_numeral_round_trips_over_the_whole_range() -> None:
    assert all(parse_chinese_numeral(chinese_numeral(n)) == n for n in range(10000))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("两", 2),
        ("〇", 0),
        ("一千五十", 1050),
        ("一百五", None),
        ("一百零", None),
        ("零五", None),
        ("二二", None),
        ("十十", None),
        ("百", None),
        ("一千零十", None),
        ("", None),
        ("第二", None),
    ],
)
def test_parse_chinese_numeral_forms(text: str, expected: int | None) -> None:
    assert parse_chinese_numeral(text) == expected


@given(st.text())
def test_find_figures_never_raises(text: str) -> None:
    for figure in find_figures(text):
        assert figure.text == text[figure.start : figure.end]
        assert figure.value.is_finite()
