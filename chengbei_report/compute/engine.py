"""Evaluate the catalog: every figure of every period on demand, exact and with provenance.

Figures are computed lazily and memoised per (indicator, period), so a template that uses
forty figures reads only the period folders those figures need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext
from typing import Any

from chengbei_report.catalog import Catalog, Indicator
from chengbei_report.compute import units
from chengbei_report.compute.figures import CellSource, Figure, LedgerSource, Source
from chengbei_report.compute.formula import (
    BinOp,
    BoolOp,
    Call,
    Column,
    Compare,
    LedgerCall,
    LedgerColumn,
    Neg,
    Node,
    Not,
    Num,
    Ref,
    Shift,
    Text,
)
from chengbei_report.errors import ComputeError
from chengbei_report.periods import Period
from chengbei_report.read.period import PeriodData
from chengbei_report.read.submission import LedgerRow, LedgerTable, cell_decimal
from chengbei_report.read.workbook import column_letter

PRECISION = 34  # decimal digits carried through every computation


@dataclass(frozen=True)
class _Value:
    """An intermediate result: value in ``unit``, and what it was made of."""

    value: Decimal
    unit: str = ""
    inputs: tuple[Figure, ...] = ()
    sources: tuple[Source, ...] = ()


class Engine:
    """Computes figures for a workspace; ``load`` returns the data of one period folder."""

    def __init__(
        self,
        catalog: Catalog,
        load: Callable[[Period], PeriodData],
        *,
        unit_name: str,
        baseline: Period,
    ) -> None:
        self.catalog = catalog
        self.unit_name = unit_name
        self.baseline = baseline
        self._load = load
        self._periods: dict[Period, PeriodData] = {}
        self._figures: dict[tuple[str, Period], Figure] = {}
        self._stack: list[tuple[str, Period]] = []

    def period_data(self, period: Period) -> PeriodData:
        if period not in self._periods:
            self._periods[period] = self._load(period)
        return self._periods[period]

    def loaded_periods(self) -> list[PeriodData]:
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
        with localcontext() as ctx:
            ctx.prec = PRECISION
            ctx.traps[DivisionByZero] = True
            ctx.traps[InvalidOperation] = True
            return _Evaluation(self, period, label).scalar(node)

    def _compute(self, indicator: Indicator, period: Period) -> Figure:
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
            raise ComputeError(
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
            indicator, period, value, sources=(CellSource(submission.file, "指标", reported.cell),)
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

    def ledger(self, code: str, period: Period, label: str) -> LedgerTable:
        ledger = self.catalog.ledgers[code]
        table = self.period_data(period).ledger(code, ledger.department)
        if table is None:
            department = self.catalog.departments[ledger.department].name
            raise ComputeError(
                f"计算 {label} 时缺少台账：{period.full_label}“{department}”报表中没有“{ledger.sheet}”工作表。"
            )
        return table


def _in_unit(value: Decimal, unit: str, indicator: Indicator) -> Decimal:
    """``value`` measured in ``unit``, expressed in the catalog's unit (万元 from a 元 ledger)."""
    if unit and unit != indicator.unit and units.convertible(unit, indicator.unit):
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return units.convert(value, unit, indicator.unit)
    return value


class _Evaluation:
    """One formula evaluated in one period."""

    def __init__(self, engine: Engine, period: Period, label: str) -> None:
        self.engine = engine
        self.period = period
        self.label = label

    def at(self, period: Period) -> _Evaluation:
        return _Evaluation(self.engine, period, self.label)

    def scalar(self, node: Node) -> _Value:
        if isinstance(node, Num):
            return _Value(node.value)
        if isinstance(node, Ref):
            figure = self.engine.figure(node.code, self.period)
            return _Value(figure.value, figure.unit, (figure,))
        if isinstance(node, Shift):
            return self.at(self.engine.shifted(self.period, node.to)).scalar(node.operand)
        if isinstance(node, Neg):
            inner = self.scalar(node.operand)
            return _Value(-inner.value, inner.unit, inner.inputs, inner.sources)
        if isinstance(node, BinOp):
            return self._binop(node.op, self.scalar(node.left), self.scalar(node.right))
        if isinstance(node, Call):
            return self._call(node)
        if isinstance(node, LedgerCall):
            return self._aggregate(node)
        raise ComputeError(f"{self.label}：公式中这一部分不能单独求值（{type(node).__name__}）。")

    def _binop(self, op: str, left: _Value, right: _Value) -> _Value:
        inputs = left.inputs + right.inputs
        sources = left.sources + right.sources
        right_value = right.value
        if (
            left.unit
            and right.unit
            and left.unit != right.unit
            and units.convertible(right.unit, left.unit)
        ):
            right_value = units.convert(right.value, right.unit, left.unit)
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

    def _call(self, node: Call) -> _Value:
        if node.name == "rank":
            return self._rank(node.args[0])
        if node.name == "growth":
            current = self.scalar(node.args[0])
            previous = self.at(self.period.same_period_last_year()).scalar(node.args[0])
            return self._relative(current, previous, "%")
        first, second = (self.scalar(a) for a in node.args)
        if node.name == "multiple":
            return self._relative(first, second, "倍")
        if node.name == "ratio":
            return self._binop("/", first, second)
        return self._binop("-", first, second)  # net

    def _relative(self, current: _Value, base: _Value, unit: str) -> _Value:
        ratio = self._binop("/", current, base)
        return _Value(ratio.value - 1, unit, ratio.inputs, ratio.sources)

    def _aggregate(self, node: LedgerCall) -> _Value:
        table = self.engine.ledger(node.ledger, self.period, self.label)
        rows = [
            row
            for row in table.rows
            if node.condition is None or self._matches(node.condition, row)
        ]
        aggregate = _describe_aggregate(node)
        column = node.column or table.ledger.key
        unit = ""
        if node.name == "count":
            value = Decimal(len(rows))
        elif node.name == "distinct":
            value = Decimal(len({row.values.get(column) for row in rows} - {None}))
        else:
            value = sum((self._cell_number(table, row, column) for row in rows), Decimal(0))
            unit = table.ledger.column(column).unit  # type: ignore[union-attr]
        source = LedgerSource(
            table.file, table.sheet, _range(table, column), len(rows), f"{aggregate} = {value}"
        )
        return _Value(value, unit, (), (source,))

    def _cell_number(self, table: LedgerTable, row: LedgerRow, column: str) -> Decimal:
        raw = row.values.get(column)
        if raw is None:
            return Decimal(0)
        number = cell_decimal(raw)
        if number is None:
            cell = f"{column_letter(table.columns[column])}{row.row}"
            raise ComputeError(
                f"{table.file} {table.sheet}!{cell}：“{raw}”不是数字，无法计算 {self.label}。"
            )
        return number

    def _matches(self, node: Node, row: LedgerRow) -> bool:
        if isinstance(node, BoolOp):
            results = (self._matches(v, row) for v in node.values)
            return all(results) if node.op == "and" else any(results)
        if isinstance(node, Not):
            return not self._matches(node.operand, row)
        if isinstance(node, Compare):
            return _compare(
                node.op, _condition_value(node.left, row), _condition_value(node.right, row)
            )
        raise ComputeError(f'{self.label}：筛选条件应为比较，例如 列名 == "值"。')

    def _rank(self, node: Node) -> _Value:
        vector, sources = self._vector(node)
        own = vector.get(self.engine.unit_name)
        if own is None:
            raise ComputeError(
                f"无法计算 {self.label}：全区对比表中没有“{self.engine.unit_name}”这一行。"
            )
        return _Value(
            Decimal(1 + sum(1 for v in vector.values() if v > own)), "位", (), tuple(sources)
        )

    def _vector(self, node: Node) -> tuple[dict[str, Decimal], list[Source]]:
        """Element-wise evaluation over a ledger's rows, keyed by the ledger's key column."""
        if isinstance(node, Num):
            return {"*": node.value}, []
        if isinstance(node, LedgerColumn):
            table = self.engine.ledger(node.ledger, self.period, self.label)
            key = table.ledger.key
            vector = {
                str(row.values.get(key)): self._cell_number(table, row, node.column)
                for row in table.rows
            }
            source = LedgerSource(
                table.file, table.sheet, _range(table, node.column), len(table.rows), "全区对比"
            )
            return vector, [source]
        if isinstance(node, Shift):
            return self.at(self.engine.shifted(self.period, node.to))._vector(node.operand)
        if isinstance(node, BinOp):
            return self._vector_binop(node.op, self._vector(node.left), self._vector(node.right))
        if isinstance(node, Call) and node.name == "growth":
            current = self._vector(node.args[0])
            previous = self.at(self.period.same_period_last_year())._vector(node.args[0])
            ratio = self._vector_binop("/", current, previous)
            return self._vector_binop("-", ratio, ({"*": Decimal(1)}, []))
        raise ComputeError(f"{self.label}：rank() 中只能使用台账列、常数、四则运算和 growth()。")

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


def _common_keys(left: dict[str, Decimal], right: dict[str, Decimal]) -> list[str]:
    if "*" in left and "*" in right:
        return ["*"]
    if "*" in left:
        return list(right)
    if "*" in right:
        return list(left)
    return [k for k in left if k in right]


def _range(table: LedgerTable, column: str) -> str:
    return (
        table.column_range(column)
        if column in table.columns
        else table.column_range(table.ledger.key)
    )


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


def _condition_value(node: Node, row: LedgerRow) -> object:
    if isinstance(node, Column):
        raw = row.values.get(node.name)
        number = cell_decimal(raw) if not isinstance(raw, str) else None
        return number if number is not None else raw
    if isinstance(node, Text | Num):
        return node.value
    return None


def _compare(op: str, left: object, right: object) -> bool:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if not isinstance(left, Decimal) or not isinstance(right, Decimal):
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
