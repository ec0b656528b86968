"""A wrong catalog fails at load time with the indicator and the problem named."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chengbei_report.catalog import build_catalog
from chengbei_report.errors import CatalogError
from chengbei_report.formula import FormulaSyntaxError, parse_formula
from chengbei_report.periods import Period

DEPARTMENTS = [{"code": "social", "name": "社会事务管理办公室"}]
LEDGERS = [
    {
        "code": "mediation",
        "name": "劳动纠纷调解台账",
        "department": "social",
        "key": "案件编号",
        "columns": [
            {"name": "案件编号", "type": "text"},
            {"name": "涉及金额", "type": "number", "unit": "元"},
            {"name": "调解结果", "type": "choice", "choices": ["调解成功", "调解未成"]},
        ],
    }
]


def _indicator(
    code: str, unit: str = "人", kind: str = "count", formula: str | None = None
) -> dict:
    raw = {"code": code, "name": f"{code}名称", "unit": unit, "kind": kind, "department": "social"}
    if formula:
        raw["formula"] = formula
    return raw


def _catalog(*indicators: dict):
    return build_catalog(
        {"departments": DEPARTMENTS, "ledgers": LEDGERS, "indicators": list(indicators)}
    )


def test_other_kind_accepts_any_unit() -> None:
    catalog = _catalog(
        _indicator("money", "万元", "amount"), _indicator("x", "万元", "other", "money * 2")
    )
    assert catalog.indicators["x"].unit == "万元"


def test_department_without_code_is_named() -> None:
    with pytest.raises(CatalogError, match="第1个部门"):
        build_catalog({"departments": [{"name": "无编码"}], "indicators": []})


def test_catalog_saved_as_gbk_is_a_clear_error(tmp_path) -> None:
    from chengbei_report.catalog import load_catalog

    path = tmp_path / "catalog.toml"
    path.write_bytes('[[departments]]\ncode = "a"\nname = "经济发展办公室"\n'.encode("gbk"))
    with pytest.raises(CatalogError, match="不是 UTF-8 编码"):
        load_catalog(path)


def test_valid_catalog_loads_with_derived_indicators() -> None:
    catalog = _catalog(
        _indicator("assisted"),
        _indicator("reemployed"),
        _indicator("rate", "%", "ratio", "ratio(reemployed, assisted)"),
        _indicator("amount", "万元", "amount", 'sum(mediation.涉及金额, 调解结果 == "调解成功")'),
    )
    assert catalog.indicators["rate"].derived
    assert catalog.indicators["rate"].maximum == Decimal(1)
    assert catalog.indicators["assisted"].integer


@pytest.mark.parametrize(
    ("indicators", "message"),
    [
        (
            (_indicator("rate", "%", "ratio", "ratio(nobody, assisted)"), _indicator("assisted")),
            "rate.*不存在的指标“nobody”",
        ),
        ((_indicator("n", formula="count(nothing)"),), "n.*不存在的台账“nothing”"),
        ((_indicator("n", formula="count(mediation, 结果 == 1)"),), "n.*不存在的列“结果”"),
        (
            (_indicator("a", formula="b + 1"), _indicator("b", formula="a - 1")),
            "循环引用：a → b → a",
        ),
        ((_indicator("a", formula="ratio(a,"),), "a.*公式.*语法错误"),
        ((_indicator("a", formula="__import__('os')"),), "a.*公式"),
        (
            (
                _indicator("money", "万元", "amount"),
                _indicator("people"),
                _indicator("x", formula="money + people"),
            ),
            "x.*单位不一致.*金额与计数不能相加减",
        ),
        (
            (_indicator("people"), _indicator("x", "%", "ratio", "people + people")),
            "x.*得到的是计数.*比率",
        ),
        (
            (
                _indicator("money", "万元", "amount"),
                _indicator("people"),
                _indicator("x", "%", "ratio", "ratio(money, people)"),
            ),
            "x.*单位不一致：ratio 的两个参数单位不同：金额与计数",
        ),
        ((_indicator("a", kind="nonsense"),), "a.*类型“nonsense”无效"),
        ((_indicator("a", "人", "amount"),), "a.*单位“人”与类型 amount 不符"),
        (
            (_indicator("a", "%", "ratio", 'a2 @ "2002X"'), _indicator("a2", "%", "ratio")),
            "a.*不是报告期",
        ),
        (({**_indicator("a"), "min": "abc"},), "a.*min 应为数字"),
        (({**_indicator("a"), "decimals": "1"},), "a.*decimals 应为 0 到 10 的整数"),
        ((_indicator("a"), _indicator("a")), "a.*重复"),
    ],
)
def test_catalog_errors_name_the_indicator(indicators: tuple[dict, ...], message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        _catalog(*indicators)


@pytest.mark.parametrize(
    "text",
    [
        "eval('1')",
        "a.b.c",
        "a ** 2",
        "lambda: 1",
        "[1, 2]",
        "a if b else c",
        "x @ tomorrow",
        "count(a.b.c)",
    ],
)
def test_formula_language_refuses_everything_outside_it(text: str) -> None:
    with pytest.raises(FormulaSyntaxError):
        parse_formula(text)


def _dated(since: str | None = None, until: str | None = None) -> dict:
    raw = _indicator("dated") | {"frequency": ["H", "Y"]}
    return raw | ({"since": since} if since else {}) | ({"until": until} if until else {})


@pytest.mark.parametrize(
    ("since", "until", "due"),
    [
        (None, None, {"2022H1", "2023", "2023H2", "2024H1", "2024"}),
        ("2024H1", None, {"2024H1", "2024"}),
        (None, "2023", {"2022H1", "2023", "2023H2"}),
        ("2023H2", "2023H2", {"2023H2"}),
    ],
)
def test_since_and_until_bound_the_periods_an_indicator_is_due(
    since: str | None, until: str | None, due: set[str]
) -> None:
    indicator = _catalog(_dated(since, until)).indicators["dated"]
    periods = ("2022H1", "2023", "2023H2", "2024H1", "2024", "2024Q1")
    assert {p for p in periods if indicator.due_in(Period.parse(p))} == due


@pytest.mark.parametrize("value", ["去年", 2024])
def test_since_that_is_no_period_is_named(value: object) -> None:
    with pytest.raises(CatalogError, match=r"dated（dated名称） 的 since 应为报告期"):
        _catalog(_dated() | {"since": value})
