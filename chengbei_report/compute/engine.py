"""Evaluate the catalog: every figure of every period on demand, exact and with provenance.

Figures are computed lazily and memoised per (indicator, period), so a template that uses
forty figures reads only the period folders those figures need.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation
from functools import partial, reduce
from itertools import compress, repeat
from typing import Any, TypeVar

from chengbei_report import formula_functions, units
from chengbei_report.catalog import Catalog, Indicator
from chengbei_report.compute.figures import CellSource, Figure, LedgerSource, Source
from chengbei_report.compute.inputs import CellNumber, LedgerData, PeriodInput
from chengbei_report.decimals import exact_context
from chengbei_report.errors import ComputeError, MissingDataError
from chengbei_report.formula import (
    COMPARISONS,
    BinOp,
    BoolOp,
    Call,
    Column,
    ColumnRef,
    Compare,
    LedgerCall,
    Neg,
    Node,
    Not,
    Num,
    Ref,
    Shift,
    Text,
)
from chengbei_report.formula_functions import FormulaFunction, LedgerFunction
from chengbei_report.periods import Period
from chengbei_report.sheets import CellValue, column_letter

_TOTALS = ("合计", "小计", "总计", "全区")  # rows of a district table that are not units
_T = TypeVar("_T")
_F = TypeVar("_F", FormulaFunction, LedgerFunction)


@dataclass(frozen=True)
class _Value:
    """An intermediate result: value in ``unit``, and what it was made of."""

    value: Decimal
    unit: str = ""
    inputs: tuple[Figure, ...] = ()
    sources: tuple[Source, ...] = ()


class Engine:
    """Computes figures for a workspace; ``load`` returns the data of one period folder.

    ``number`` reads a cell's exact number as the reader does (text such as ``1,200`` included).
    """

    def __init__(
        self,
        catalog: Catalog,
        load: Callable[[Period], PeriodInput],
        *,
        unit_name: str,
        baseline: Period,
        number: CellNumber,
    ) -> None:
        self.catalog = catalog
        self.number = number
        self.unit_name = unit_name
        self.baseline = baseline
        self._load = load
        self._periods: dict[Period, PeriodInput] = {}
        self._figures: dict[tuple[str, Period], Figure] = {}

    def period_data(self, period: Period) -> PeriodInput:
        if period not in self._periods:
            self._periods[period] = self._load(period)
        return self._periods[period]

    def loaded_periods(self) -> list[PeriodInput]:
        return list(self._periods.values())

    def figure(self, code: str, period: Period) -> Figure:
        """The value of one indicator in one period; ComputeError names what is missing."""
        key = (code, period)
        if key not in self._figures:
            indicator = self.catalog.indicators.get(code)
            if indicator is None:
                raise ComputeError(f"指标目录中没有“{code}”。")
            self._figures[key] = self._compute(indicator, period)
        return self._figures[key]

    def evaluate(self, node: Node, period: Period, label: str) -> _Value:
        """Evaluate a formula (a rule, a cross-check) in ``period``; ``label`` names it in errors."""
        with exact_context() as ctx:
            ctx.traps[DivisionByZero] = True
            ctx.traps[InvalidOperation] = True
            return _Evaluation(self, period, label).scalar(node)

    def _compute(self, indicator: Indicator, period: Period) -> Figure:
        if not indicator.current_in(period):
            raise MissingDataError(_not_current(indicator, period))
        if indicator.formula is None:
            return self._reported(indicator, period)
        label = f"{indicator.label}（{period.full_label}）"
        result = self.evaluate(indicator.formula, period, label)
        return self._figure(
            indicator,
            period,
            _in_unit(result.value, result.unit, indicator),
            formula=indicator.formula_text,
            inputs=result.inputs,
            sources=result.sources,
        )

    def _reported(self, indicator: Indicator, period: Period) -> Figure:
        data = self.period_data(period)
        found = data.reported(indicator.code, indicator.department)
        department = self.catalog.departments[indicator.department].name
        if found is None:
            raise MissingDataError(
                f"缺少数据：{period.full_label}“{department}”报表的“指标”表中没有 {indicator.label}。",
                hint=f"请检查 {data.folder} 中该部门的报表。",
            )
        submission, reported = found
        if reported.value is None:
            raise ComputeError(
                f"{submission.file} 指标!{reported.cell}：{indicator.label} 的数值“{reported.raw}”不是有效数字。"
            )
        value = _in_unit(reported.value, reported.unit, indicator)
        return self._figure(
            indicator,
            period,
            value,
            sources=(CellSource(submission.file, "指标", reported.cell, period),),
        )

    def _figure(
        self, indicator: Indicator, period: Period, value: Decimal, **provenance: Any
    ) -> Figure:
        return Figure(
            code=indicator.code,
            name=indicator.name,
            unit=indicator.unit,
            kind=indicator.kind,
            period=period,
            value=value,
            decimals=indicator.decimals,
            department=indicator.department,
            **provenance,
        )

    def shifted(self, period: Period, to: str) -> Period:
        if to == "prev_year":
            return period.same_period_last_year()
        if to == "prev":
            return period.previous()
        if to == "baseline":
            return self.baseline
        return Period.parse(to)

    def ledger(self, code: str, period: Period, label: str) -> LedgerData:
        ledger = self.catalog.ledgers[code]
        table = self.period_data(period).ledger(code, ledger.department)
        if table is None:
            department = self.catalog.departments[ledger.department].name
            raise MissingDataError(
                f"计算 {label} 时缺少台账：{period.full_label}“{department}”报表中没有“{ledger.sheet}”工作表。"
            )
        return table


def _not_current(indicator: Indicator, period: Period) -> str:
    """Why an indicator has no value in ``period``: the catalog's ``since``/``until``."""
    if indicator.since is not None and period.begins_before(indicator.since):
        when = f"自{indicator.since.full_label}起才填报"
    else:
        assert indicator.until is not None
        when = f"只填报到{indicator.until.full_label}"
    return f"{period.full_label}没有指标 {indicator.label}：指标目录中该指标{when}。"


def _in_unit(value: Decimal, unit: str, indicator: Indicator) -> Decimal:
    """``value`` measured in ``unit``, expressed in the catalog's unit (万元 from a 元 ledger)."""
    return units.align(value, unit, indicator.unit)


class _Evaluation:
    """One formula evaluated in one period."""

    def __init__(self, engine: Engine, period: Period, label: str) -> None:
        self.engine = engine
        self.period = period
        self.label = label

    def at(self, period: Period) -> _Evaluation:
        return _Evaluation(self.engine, period, self.label)

    def shifted(self, to: str) -> _Evaluation:
        return self.at(self.engine.shifted(self.period, to))

    def scalar(self, node: Node) -> _Value:
        if isinstance(node, Num):
            return _Value(node.value)
        if isinstance(node, Ref):
            figure = self.engine.figure(node.code, self.period)
            return _Value(figure.value, figure.unit, (figure,))
        if isinstance(node, Shift):
            return self.shifted(node.to).scalar(node.operand)
        if isinstance(node, Neg):
            inner = self.scalar(node.operand)
            return _Value(-inner.value, inner.unit, inner.inputs, inner.sources)
        if isinstance(node, BinOp):
            return self.arithmetic(node.op, self.scalar(node.left), self.scalar(node.right))
        if isinstance(node, Call):
            return self._function(node.name, FormulaFunction).evaluate(self, *node.args)
        if isinstance(node, LedgerCall):
            return self._aggregate(node)
        raise ComputeError(f"{self.label}：公式中这一部分不能单独求值（{type(node).__name__}）。")

    def _function(self, name: str, kind: type[_F]) -> _F:
        """The registered function a parsed call names (formula_functions.py)."""
        function = formula_functions.lookup(name)
        if not isinstance(function, kind):
            raise ComputeError(f"{self.label}：未知函数“{name}”。")
        return function

    def arithmetic(self, op: str, left: _Value, right: _Value) -> _Value:
        inputs = left.inputs + right.inputs
        sources = left.sources + right.sources
        right_value = units.align(right.value, right.unit, left.unit)
        if op == "+":
            return _Value(left.value + right_value, left.unit or right.unit, inputs, sources)
        if op == "-":
            return _Value(left.value - right_value, left.unit or right.unit, inputs, sources)
        if op == "*":
            return _Value(left.value * right_value, left.unit or right.unit, inputs, sources)
        unit = left.unit if not right.unit else ("%" if left.unit else "")
        return _Value(self._divide(left.value, right_value), unit, inputs, sources)

    def _divide(self, numerator: Decimal, denominator: Decimal) -> Decimal:
        if denominator == 0:
            raise ComputeError(
                f"无法计算 {self.label}：除数为零。", hint="请检查作为分母的数据是否漏填。"
            )
        return numerator / denominator

    def relative(self, current: _Value, base: _Value, unit: str) -> _Value:
        ratio = self.arithmetic("/", current, base)
        return _Value(ratio.value - 1, unit, ratio.inputs, ratio.sources)

    def _aggregate(self, node: LedgerCall) -> _Value:
        """count / sum / distinct over a ledger, column at a time (ledgers run to 10⁶ rows)."""
        table = self.engine.ledger(node.ledger, self.period, self.label)
        chosen = self._chosen(node.condition, table)
        aggregate = _describe_aggregate(node)
        column = node.column or table.ledger.key
        records = _Records(self, table, column, chosen)
        value, unit = self._function(node.name, LedgerFunction).evaluate(records)
        source = LedgerSource(
            table.file,
            table.sheet,
            _counted_cells(table, column, chosen),
            len(chosen),
            f"{aggregate} = {value}",
            self.period,
        )
        return _Value(value, unit, (), (source,))

    def _chosen(self, condition: Node | None, table: LedgerData) -> Sequence[int]:
        """Indexes of the records that meet ``condition`` (all of them without one)."""
        if condition is None:
            return range(len(table))
        return list(compress(range(len(table)), self._mask(condition, table)))

    def _mask(self, node: Node, table: LedgerData) -> list[bool]:
        """Whether each record meets a condition, one column operation per comparison."""
        if isinstance(node, BoolOp):
            join = operator.and_ if node.op == "and" else operator.or_
            masks = [self._mask(v, table) for v in node.values]
            return reduce(lambda a, b: list(map(join, a, b)), masks)
        if isinstance(node, Not):
            return [not bit for bit in self._mask(node.operand, table)]
        if isinstance(node, Compare):
            numeric = isinstance(node.left, Num) or isinstance(node.right, Num)
            number_of = self.engine.number
            left = _operand(node.left, table, numeric, number_of)
            right = _operand(node.right, table, numeric, number_of)
            if node.op in ("==", "!="):
                return list(map(COMPARISONS[node.op], left, right))
            return list(map(partial(_order, COMPARISONS[node.op]), left, right))
        raise ComputeError(f'{self.label}：筛选条件应为比较，例如 列名 == "值"。')

    def _numbers(self, table: LedgerData, column: str, chosen: Sequence[int]) -> list[Decimal]:
        """The chosen records' numbers in ``column`` (blank is 0); text that is no number stops."""
        summed = partial(_number_or_blank, self.engine.number)
        numbers = _pick(_distinct_map(table.column(column), summed), chosen)
        if None in numbers:
            index = chosen[numbers.index(None)]
            raw = table.column(column)[index]
            cell = f"{column_letter(table.columns[column])}{table.numbers[index]}"
            raise ComputeError(
                f"{table.file} {table.sheet}!{cell}：“{raw}”不是数字，无法计算 {self.label}。"
            )
        return numbers  # type: ignore[return-value]

    def rank(self, node: Node) -> _Value:
        vector, sources = self._vector(node)
        own = vector.get(self.engine.unit_name)
        if own is None:
            raise ComputeError(
                f"无法计算 {self.label}：全区对比表中没有“{self.engine.unit_name}”这一行。"
            )
        return _Value(
            Decimal(1 + sum(1 for v in vector.values() if v > own)), "位", (), tuple(sources)
        )

    def own(self, node: Node) -> _Value:
        """The unit's own row of a district table: one cell, named as its source."""
        assert isinstance(node, ColumnRef)
        table = self.engine.ledger(node.ledger, self.period, self.label)
        keys = [
            str(raw).strip() if raw is not None else "" for raw in table.column(table.ledger.key)
        ]
        rows = [index for index, key in enumerate(keys) if key == self.engine.unit_name]
        where = f"{table.file} {table.sheet}"
        if len(rows) != 1:
            count = "没有" if not rows else "有两行"
            raise ComputeError(
                f"无法计算 {self.label}：{where} 中{count}“{self.engine.unit_name}”。"
            )
        if node.column not in table.columns:
            raise ComputeError(f"无法计算 {self.label}：{where} 中没有“{node.column}”列。")
        [number] = self._numbers(table, node.column, rows)
        cell = f"{column_letter(table.columns[node.column])}{table.numbers[rows[0]]}"
        unit = table.ledger.column(node.column).unit  # type: ignore[union-attr]
        source = CellSource(table.file, table.sheet, cell, self.period)
        return _Value(number, unit, (), (source,))

    def _vector(self, node: Node) -> tuple[dict[str, Decimal], list[Source]]:
        """Element-wise evaluation over a ledger's rows, keyed by the ledger's key column."""
        if isinstance(node, Num):
            return {"*": node.value}, []
        if isinstance(node, ColumnRef):
            table = self.engine.ledger(node.ledger, self.period, self.label)
            vector = self._units_vector(table, node.column)
            source = LedgerSource(
                table.file,
                table.sheet,
                _range(table, node.column),
                len(table),
                "全区对比",
                self.period,
            )
            return vector, [source]
        if isinstance(node, Shift):
            return self.shifted(node.to)._vector(node.operand)
        if isinstance(node, BinOp):
            return self._vector_binop(node.op, self._vector(node.left), self._vector(node.right))
        function = formula_functions.lookup(node.name) if isinstance(node, Call) else None
        if isinstance(function, FormulaFunction) and function.elementwise:
            return function.evaluate(_Rows(self), *node.args)
        allowed = "、".join(
            f"{f.name}()"
            for f in formula_functions.FUNCTIONS.values()
            if isinstance(f, FormulaFunction) and f.elementwise
        )
        raise ComputeError(f"{self.label}：rank() 中只能使用台账列、常数、四则运算和 {allowed}。")

    def _units_vector(self, table: LedgerData, column: str) -> dict[str, Decimal]:
        """One value per unit of the district; a 合计 row or a blank name is no competitor."""
        numbers = self._numbers(table, column, range(len(table)))
        vector: dict[str, Decimal] = {}
        for raw, number in zip(table.column(table.ledger.key), numbers, strict=True):
            key = str(raw).strip() if raw is not None else ""
            if not key or key in _TOTALS or key.endswith(_TOTALS):
                continue
            if key in vector:
                raise ComputeError(
                    f"无法计算 {self.label}：{table.file} {table.sheet} 中“{key}”出现了两次，无法排名。"
                )
            vector[key] = number
        return vector

    def _vector_binop(
        self,
        op: str,
        left: tuple[dict[str, Decimal], list[Source]],
        right: tuple[dict[str, Decimal], list[Source]],
    ) -> tuple[dict[str, Decimal], list[Source]]:
        (lv, ls), (rv, rs) = left, right
        keys = _common_keys(lv, rv)
        result: dict[str, Decimal] = {}
        for key in keys:
            a, b = lv.get(key, lv.get("*")), rv.get(key, rv.get("*"))
            assert a is not None and b is not None
            if op == "/":
                result[key] = self._divide(a, b)
            else:
                result[key] = {"+": a + b, "-": a - b, "*": a * b}[op]
        return result, ls + rs


class _Records:
    """The records a ledger function works on (formula_functions.Records)."""

    def __init__(
        self, evaluation: _Evaluation, table: LedgerData, column: str, chosen: Sequence[int]
    ) -> None:
        self._evaluation = evaluation
        self._table = table
        self._column = column
        self._chosen = chosen
        found = table.ledger.column(column)
        self.unit = found.unit if found is not None else ""

    def count(self) -> int:
        return len(self._chosen)

    def values(self) -> list[object]:
        return _pick(self._table.column(self._column), self._chosen)

    def numbers(self) -> list[Decimal]:
        return self._evaluation._numbers(self._table, self._column, self._chosen)


_Vector = tuple[dict[str, Decimal], list[Source]]


class _Rows:
    """An evaluation over the rows of a ledger, for the element-wise functions inside rank()."""

    def __init__(self, evaluation: _Evaluation) -> None:
        self._evaluation = evaluation

    def scalar(self, node: Node) -> _Vector:
        return self._evaluation._vector(node)

    def shifted(self, to: str) -> _Rows:
        return _Rows(self._evaluation.shifted(to))

    def arithmetic(self, op: str, left: _Vector, right: _Vector) -> _Vector:
        return self._evaluation._vector_binop(op, left, right)

    def relative(self, current: _Vector, base: _Vector, unit: str) -> _Vector:
        ratio = self.arithmetic("/", current, base)
        return self.arithmetic("-", ratio, ({"*": Decimal(1)}, []))

    def rank(self, node: Node) -> _Vector:
        raise ComputeError(f"{self._evaluation.label}：rank() 中不能再用 rank()。")


def _common_keys(left: dict[str, Decimal], right: dict[str, Decimal]) -> list[str]:
    if "*" in left and "*" in right:
        return ["*"]
    if "*" in left:
        return list(right)
    if "*" in right:
        return list(left)
    return [k for k in left if k in right]


def _range(table: LedgerData, column: str) -> str:
    return (
        table.column_range(column)
        if column in table.columns
        else table.column_range(table.ledger.key)
    )


_MAX_RUNS = 20  # a source cites at most this many row runs, then ``…``


def _counted_cells(table: LedgerData, column: str, chosen: Sequence[int]) -> str:
    """The cells an aggregate used, as a compact A1 list (``A3:A5,A9``), so an auditor sees
    which rows were counted rather than the whole ledger; nothing chosen cites the range searched."""
    if not chosen:
        return _range(table, column)
    letter = column_letter(table.columns[column if column in table.columns else table.ledger.key])
    rows = [table.numbers[i] for i in chosen] if not isinstance(chosen, range) else None
    numbers = rows if rows is not None else table.numbers[chosen.start : chosen.stop]
    if numbers[-1] - numbers[0] + 1 == len(numbers):
        return _run(letter, numbers[0], numbers[-1])
    runs: list[str] = []
    start = previous = numbers[0]
    for number in numbers[1:]:
        if number != previous + 1:
            runs.append(_run(letter, start, previous))
            if len(runs) == _MAX_RUNS:
                return ",".join(runs) + ",…"
            start = number
        previous = number
    runs.append(_run(letter, start, previous))
    return ",".join(runs)


def _run(letter: str, first: int, last: int) -> str:
    return f"{letter}{first}" if first == last else f"{letter}{first}:{letter}{last}"


def _describe_aggregate(node: LedgerCall) -> str:
    target = node.ledger if node.column is None else f"{node.ledger}.{node.column}"
    condition = f", {_condition_text(node.condition)}" if node.condition is not None else ""
    return f"{node.name}({target}{condition})"


def _condition_text(node: Node) -> str:
    if isinstance(node, Compare):
        return f"{_condition_text(node.left)} {node.op} {_condition_text(node.right)}"
    if isinstance(node, BoolOp):
        return f" {node.op} ".join(_condition_text(v) for v in node.values)
    if isinstance(node, Not):
        return f"not {_condition_text(node.operand)}"
    if isinstance(node, Column):
        return node.name
    if isinstance(node, Text):
        return f'"{node.value}"'
    if isinstance(node, Num):
        return str(node.value)
    return "?"


def _operand(
    node: Node, table: LedgerData, numeric: bool, number_of: CellNumber
) -> Iterable[object]:
    """One side of a comparison, per record: a column's values, or a constant repeated.

    Compared with a number, a column is read as ``sum`` reads it, text such as "1" included, so
    ``count(inspection, 隐患数 > 0)`` and ``sum(inspection.隐患数)`` see the same records.
    """
    if isinstance(node, Column):
        convert = partial(_as_number if numeric else _condition_value, number_of)
        return _distinct_map(table.column(node.name), convert)
    return repeat(node.value if isinstance(node, Text | Num) else None, len(table))


def _condition_value(number_of: CellNumber, raw: CellValue) -> object:
    """A cell as conditions compare it with text: numbers as exact decimals, text as it is."""
    number = number_of(raw) if not isinstance(raw, str) else None
    return number if number is not None else raw


def _as_number(number_of: CellNumber, raw: CellValue) -> object:
    """A cell compared with a number: its exact value, or itself when it holds no number."""
    number = number_of(raw) if raw is not None else None
    return number if number is not None else raw


def _number_or_blank(number_of: CellNumber, raw: CellValue) -> Decimal | None:
    """A cell summed: blank is 0, text with a certain number is that number, else ``None``."""
    return Decimal(0) if raw is None else number_of(raw)


def _distinct_map(values: Sequence[CellValue], convert: Callable[[CellValue], _T]) -> list[_T]:
    """``convert`` over a column, worked out once per distinct value.

    Not when the column holds a boolean: ``True == 1 == 1.0`` would share one result.
    """
    if bool in set(map(type, values)):
        return list(map(convert, values))
    results = {value: convert(value) for value in set(values)}
    return list(map(results.__getitem__, values))


def _pick(values: Sequence[_T], chosen: Sequence[int]) -> list[_T]:
    if isinstance(chosen, range) and len(chosen) == len(values):
        return list(values)
    return list(map(values.__getitem__, chosen))


def _order(compare: Callable[[Any, Any], bool], left: object, right: object) -> bool:
    """An ordering comparison holds only between two numbers."""
    return isinstance(left, Decimal) and isinstance(right, Decimal) and compare(left, right)
