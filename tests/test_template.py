"""Text templates: blocks, figure marks, and errors that name the template and line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from chengbei_report.compute.figures import CellSource, Figure
from chengbei_report.errors import ComputeError, TemplateError
from chengbei_report.periods import Period
from chengbei_report.render.blocks import BlockKind
from chengbei_report.render.template import FigureNamespace, render_text_template

PERIOD = Period.parse("2023H1")


def _figure(code: str, value: str, unit: str, kind: str = "count") -> Figure:
    return Figure(
        code,
        code,
        unit,
        kind,
        PERIOD,
        Decimal(value),
        sources=(CellSource("a.xlsx", "指标", "D10"),),
    )


FIGURES = {
    "people": _figure("people", "508", "人"),
    "rate": _figure("rate", "0.984251968503937", "%", "ratio"),
    "rank": _figure("rank", "2", "位", "rank"),
    "merchants": _figure("merchants", "134", "家"),
}


def _lookup(code: str, period: Period) -> Figure:
    if code == "broken":
        raise ComputeError("无法计算 broken：除数为零。")
    return FIGURES[code]


def _render(tmp_path: Path, text: str):
    path = tmp_path / "t.md.j2"
    path.write_text(text, encoding="utf-8")
    cur = FigureNamespace(_lookup, {*FIGURES, "broken"}, PERIOD)
    context = {"cur": cur, "period": PERIOD, "unit": {"name": "城北街道"}}
    return render_text_template(path, context, [tmp_path])


def test_structure_and_figure_positions(tmp_path: Path) -> None:
    rendered = _render(
        tmp_path,
        "# {{ unit.name }}{{ period.full_label }}工作总结\n\n## 一、总体情况\n\n"
        "### （一）就业。\n帮扶{{ cur.people | num }}，就业率{{ cur.rate | pct }}。\n\n"
        "增速全区{{ cur.rank | rank }}，招商\n{{ cur.merchants | approx(10) }}。\n\n>> 城北街道办事处\n",
    )
    kinds = [b.kind for b in rendered.blocks]
    assert kinds == [
        BlockKind.TITLE,
        BlockKind.HEADING1,
        BlockKind.HEADING2,
        BlockKind.PARAGRAPH,
        BlockKind.SIGNATURE,
    ]
    assert rendered.blocks[0].text == "城北街道2023年上半年工作总结"
    run_in = rendered.blocks[2]
    assert (run_in.text, run_in.body) == ("（一）就业。", "帮扶508人，就业率98.43%。")
    assert rendered.blocks[3].text == "增速全区第二，招商130余家。"
    assert [(u.text, u.block, u.section) for u in rendered.uses] == [
        ("508人", 2, "一、（一）"),
        ("98.43%", 2, "一、（一）"),
        ("第二", 3, "一、（一）"),
        ("130余家", 3, "一、（一）"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("第一行\n\n{{ cur.nobody | num }}\n", "t.md.j2 第3行.*“nobody”未定义"),
        ("第一行\n{{ nothing }}\n", "t.md.j2 第2行.*“nothing”未定义"),
        ("\n\n\n{{ cur.people | money }}\n", "t.md.j2 第4行.*未知过滤器“money”"),
        ("{% if %}\n", "t.md.j2 第1行.*语法错误"),
        ("{{ cur.__class__ }}\n", "t.md.j2 第1行.*沙箱.*__class__"),
        ("{{ ''.__class__.__mro__ }}\n", "t.md.j2 第1行.*沙箱"),
        ("{{ 5 | pct }}\n", "t.md.j2 第1行.*需要一个指标"),
        ("\n{{ cur.rate | num }}\n", "t.md.j2 第2行.*rate.*ratio 类，不能用 num，应改用 pct"),
        ("{{ cur.people | pct }}\n", "t.md.j2 第1行.*people.*count 类，不能用 pct，应改用 num"),
        ("{{ cur.people | times }}\n", "t.md.j2 第1行.*不能用 times"),
        ("{{ cur.people | rank }}\n", "t.md.j2 第1行.*不能用 rank"),
        ("{{ cur.rank | num }}\n", "t.md.j2 第1行.*应改用 rank"),
        ('第一行\n{% include "无.j2" %}\n', "t.md.j2 第2行.*找不到被引用的模板“无.j2”"),
        ("{{ 1 / 0 }}\n", "t.md.j2 第1行.*计算出错"),
    ],
)
def test_template_errors_name_template_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        _render(tmp_path, text)


def test_compute_error_inside_template_keeps_its_message_and_gains_the_line(tmp_path: Path) -> None:
    with pytest.raises(ComputeError, match=r"除数为零.*t\.md\.j2 第2行"):
        _render(tmp_path, "标题\n{{ cur.broken | num }}\n")


def test_a_template_asks_whether_an_indicator_exists_in_the_period(tmp_path: Path) -> None:
    path = tmp_path / "t.md.j2"
    path.write_text(
        '{% if "people" in cur %}有{% endif %}{% if "rate" in cur %}率{% endif %}'
        '{% if "nobody" in cur %}无{% endif %}\n',
        encoding="utf-8",
    )
    cur = FigureNamespace(_lookup, set(FIGURES), PERIOD, lambda code, _: code != "rate")
    rendered = render_text_template(path, {"cur": cur}, [tmp_path])
    assert [b.text for b in rendered.blocks] == ["有"]
