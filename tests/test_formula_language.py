"""The formula language on a small catalog of its own: every documented form, evaluated.

Also the registry of formula functions: one entry adds a function to the parser, the unit
check and the engine alike; docs/formats.md lists exactly the registered functions.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from small_workspace import DERIVED, EXPECTED, REPORT, indicator, make_workspace

from chengbei_report import formula_functions
from chengbei_report.compute.engine import Engine
from chengbei_report.decimals import exact_context
from chengbei_report.errors import CatalogError, ComputeError
from chengbei_report.formula import (
    COMPARISONS,
    PERIOD_SHIFTS,
    BinOp,
    BoolOp,
    Call,
    ColumnRef,
    Compare,
    LedgerCall,
    Neg,
    Not,
    Num,
    Shift,
    children,
    parse_formula,
)
from chengbei_report.formula_functions import FormulaFunction, same_unit
from chengbei_report.project import open_project

FORMATS = Path(__file__).resolve().parent.parent / "docs" / "formats.md"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("formulas") / "ws")


@pytest.fixture(scope="module")
def engine(small: Path) -> Engine:
    return open_project(small).engine


@pytest.mark.parametrize("code", list(DERIVED))
def test_every_form_evaluates_to_its_value_worked_out_by_hand(engine: Engine, code: str) -> None:
    figure = engine.figure(code, REPORT)
    assert figure.value == EXPECTED[code], DERIVED[code][2]


def _forms(node: object) -> set[str]:
    """The documented forms a parsed formula uses: ``+``, ``@ prev``, ``@ "…"``, ``ratio`` …"""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, BinOp | Compare | BoolOp):
            found.add(item.op)
        elif isinstance(item, Shift):
            found.add(f"@ {item.to}" if item.to in PERIOD_SHIFTS else '@ "…"')
        elif isinstance(item, Call | LedgerCall):
            found.add(item.name)
        elif isinstance(item, Neg | Not | ColumnRef):
            found.add(type(item).__name__)
        stack.extend(children(item))
    return found


def test_the_small_catalog_uses_every_documented_form() -> None:
    used = set().union(*(_forms(parse_formula(entry[2])) for entry in DERIVED.values()))
    wanted = {"+", "-", "*", "/", "and", "or", "Neg", "Not", "ColumnRef", '@ "…"'}
    wanted |= set(COMPARISONS) | {f"@ {shift}" for shift in PERIOD_SHIFTS}
    assert wanted | set(formula_functions.FUNCTIONS) == used


def _formula_section() -> str:
    text = FORMATS.read_text(encoding="utf-8")
    return text.split("### Formula language", 1)[1].split("\n## ", 1)[0]


def test_the_formats_document_lists_exactly_the_registered_functions() -> None:
    functions = _formula_section().split("- Functions", 1)[1].split("\n- Division", 1)[0]
    assert set(re.findall(r"`(\w+)\(", functions)) == set(formula_functions.FUNCTIONS)


def test_the_formats_document_lists_every_period_shift() -> None:
    section = _formula_section()
    assert all(f"`x @ {shift}`" in section for shift in PERIOD_SHIFTS)


def _previous(evaluation: formula_functions.Evaluation, x: object) -> object:
    return evaluation.shifted("prev").scalar(x)


def _double(evaluation: formula_functions.Evaluation, x: object) -> object:
    return evaluation.arithmetic("+", evaluation.scalar(x), evaluation.scalar(x))


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict:
    """A copy of the registry with two functions more, in force for one test."""
    extended = dict(formula_functions.FUNCTIONS)
    extended["previous"] = FormulaFunction("previous", 1, lambda families: families[0], _previous)
    extended["double"] = FormulaFunction(
        "double", 1, same_unit("double"), _double, elementwise=True
    )
    monkeypatch.setattr(formula_functions, "FUNCTIONS", extended)
    return extended


def test_a_function_added_to_the_registry_parses_checks_units_and_evaluates(
    registry: dict, tmp_path: Path
) -> None:
    extra = indicator("tax_before", "万元", "amount", "previous(tax)")
    extra += indicator("double_rank", "位", "rank", "rank(double(district.税收) - 100)")
    engine = open_project(make_workspace(tmp_path / "ws", extra)).engine
    assert engine.figure("tax_before", REPORT).value == Decimal(130)  # 2022H2
    assert engine.figure("double_rank", REPORT).value == Decimal(2)  # element-wise in rank()


def test_a_registered_function_unit_rule_guards_the_catalog(registry: dict, tmp_path: Path) -> None:
    extra = indicator("wrong", "万元", "amount", "previous(tax) + done")
    with pytest.raises(CatalogError, match=r"wrong.*单位不一致：金额与计数不能相加减"):
        open_project(make_workspace(tmp_path / "ws", extra))


def test_a_function_not_registered_is_unknown_to_the_catalog(tmp_path: Path) -> None:
    extra = indicator("tax_before", "万元", "amount", "previous(tax)")
    with pytest.raises(CatalogError, match=r"tax_before.*未知函数“previous”，可用的函数：growth"):
        open_project(make_workspace(tmp_path / "ws", extra))


def test_a_function_outside_elementwise_ones_is_refused_in_rank(tmp_path: Path) -> None:
    extra = indicator("bad_rank", "位", "rank", "rank(ratio(district.税收, district.税收))")
    engine = open_project(make_workspace(tmp_path / "ws", extra)).engine
    with pytest.raises(
        ComputeError, match="rank\\(\\) 中只能使用台账列、常数、四则运算和 growth\\(\\)"
    ):
        engine.figure("bad_rank", REPORT)


def test_an_entry_whose_evaluation_does_not_take_its_arguments_is_refused() -> None:
    with pytest.raises(TypeError, match="evaluate takes 2 arguments, not 1"):
        FormulaFunction("broken", 1, same_unit("broken"), lambda ev, a, b: ev.scalar(a))


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("ratio(done)", "函数 ratio 需要 2 个参数"),
        ("growth(tax, tax)", "函数 growth 需要 1 个参数"),
        ("count(cases, 人数 > 1, 人数 < 3)", "函数 count 需要 1 或 2 个参数"),
        ("sum(cases)", "sum 的第一个参数应为台账或台账列"),
    ],
)
def test_a_wrong_number_of_arguments_is_a_catalog_error_naming_the_indicator(
    tmp_path: Path, formula: str, message: str
) -> None:
    extra = indicator("wrong_arity", "件", "count", formula)
    with pytest.raises(CatalogError, match=f"wrong_arity.*“{re.escape(formula)}”有误：{message}"):
        open_project(make_workspace(tmp_path / "ws", extra))


_LEAVES = st.one_of(
    st.integers(0, 1000).map(lambda n: (str(n), Decimal(n))),
    st.sampled_from(
        [("tax", Decimal(150)), ("tax @ prev_year", Decimal(120)), ('tax @ "2002"', Decimal(10))]
    ),
)
_OPERATIONS = {
    "+": Decimal.__add__,
    "-": Decimal.__sub__,
    "*": Decimal.__mul__,
    "/": Decimal.__truediv__,
}


def _combine(
    op: str, left: tuple[str, Decimal | None], right: tuple[str, Decimal | None]
) -> tuple[str, Decimal | None]:
    (a, x), (b, y) = left, right
    with exact_context():
        if x is None or y is None or (op == "/" and y == 0):
            return f"({a}) {op} ({b})", None
        return f"({a}) {op} ({b})", _OPERATIONS[op](x, y)


def _negate(inner: tuple[str, Decimal | None]) -> tuple[str, Decimal | None]:
    text, value = inner
    with exact_context():
        return f"-({text})", None if value is None else -value


_FORMULAS = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(list(_OPERATIONS)), inner, inner).map(lambda t: _combine(*t)),
        inner.map(_negate),
    ),
    max_leaves=8,
)


@settings(deadline=None)
@given(_FORMULAS)
def test_arithmetic_is_exact_decimal_arithmetic(
    engine: Engine, formula: tuple[str, Decimal | None]
) -> None:
    """Any arithmetic of figures, shifts and constants is what Decimal gives, at one precision;
    a zero divisor anywhere is a ComputeError naming the formula."""
    text, expected = formula
    if expected is None:
        with pytest.raises(ComputeError, match="测试公式：除数为零"):
            engine.evaluate(parse_formula(text), REPORT, "测试公式")
    else:
        assert engine.evaluate(parse_formula(text), REPORT, "测试公式").value == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.1", "0.1"), ("1.50", "1.50"), ("1_000", "1000"), ("2.675", "2.675"), ("1e-5", "0.00001")],
)
def test_constants_are_decimals_of_their_source_text(text: str, value: str) -> None:
    node = parse_formula(text)
    assert isinstance(node, Num)
    assert (
        str(node.value) == str(Decimal(value))
        and node.value.as_tuple() == Decimal(value).as_tuple()
    )
