"""The catalog's formula language: parsed with ``ast`` into our own nodes, never ``eval``.

See docs/formats.md for the language. Parsing checks syntax and the whitelist of functions;
the catalog checks references, cycles and units; the engine evaluates.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from chengbei_report import formula_functions
from chengbei_report.errors import UsageError
from chengbei_report.formula_functions import LedgerFunction
from chengbei_report.periods import Period

PERIOD_SHIFTS = ("prev_year", "prev", "baseline")
# A formula of the catalog is a line, not a program: bounded before Python's parser sees it, so
# neither the parser nor our recursive converter and evaluator can run out of memory or stack.
MAX_FORMULA_CHARS = 2000
MAX_FORMULA_DEPTH = 50
MAX_CONSTANT_EXPONENT = 100  # a constant within 10^±100: far beyond any figure a report shows


class FormulaSyntaxError(ValueError):
    """The formula text is not in the language; the catalog wraps it with the indicator's name."""


@dataclass(frozen=True)
class Num:
    value: Decimal


@dataclass(frozen=True)
class Text:
    value: str


@dataclass(frozen=True)
class Ref:
    code: str


@dataclass(frozen=True)
class ColumnRef:
    """``ledger.column`` in a formula, a column of values (not the catalog's ``LedgerColumn``)."""

    ledger: str
    column: str


@dataclass(frozen=True)
class Shift:
    operand: Node
    to: str  # one of PERIOD_SHIFTS or a period code


@dataclass(frozen=True)
class BinOp:
    op: str  # + - * /
    left: Node
    right: Node


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class LedgerCall:
    """count(ledger[, cond]), sum(ledger.col[, cond]), distinct(ledger.col[, cond])."""

    name: str
    ledger: str
    column: str | None
    condition: Node | None


@dataclass(frozen=True)
class Compare:
    op: str  # == != < <= > >=
    left: Node
    right: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # and / or
    values: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class Column:
    """A bare column name inside a ledger condition."""

    name: str


Node = Num | Text | Ref | ColumnRef | Shift | BinOp | Neg | Call | LedgerCall | Compare | BoolOp
Node = Node | Not | Column

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
# What each comparison of a rule or a filter means; the engine and the rule checks both use it.
COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_COMPARES = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


def parse_formula(text: str) -> Node:
    """Parse a formula; raise FormulaSyntaxError with a Chinese reason."""
    source = text.strip()
    if len(source) > MAX_FORMULA_CHARS:
        raise FormulaSyntaxError(
            f"公式过长（{len(source)} 个字符，上限 {MAX_FORMULA_CHARS}），请拆成几个派生指标"
        )
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise FormulaSyntaxError(f"公式语法错误（第{exc.offset or 0}个字符附近）") from exc
    _check_depth(tree.body)
    return _Converter(source, in_condition=False).convert(tree.body)


def _check_depth(tree: ast.expr) -> None:
    """Refuse a formula nested deeper than MAX_FORMULA_DEPTH (walked without recursion)."""
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_FORMULA_DEPTH:
            raise FormulaSyntaxError(
                f"公式嵌套过深（超过 {MAX_FORMULA_DEPTH} 层），请拆成几个派生指标"
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def parse_rule(text: str) -> Compare:
    """A cross-field rule such as ``reemployed <= assisted``: one comparison of two formulas."""
    node = parse_formula(text)
    if not isinstance(node, Compare):
        raise FormulaSyntaxError("规则必须是一个比较，例如 a <= b")
    return node


class _Converter:
    def __init__(self, source: str, in_condition: bool) -> None:
        self.source = source
        self.in_condition = in_condition

    def convert(self, node: ast.expr) -> Node:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise FormulaSyntaxError(f"公式中不允许使用“{ast.unparse(node)}”")
        return method(node)

    def _Constant(self, node: ast.Constant) -> Node:
        if isinstance(node.value, bool) or not isinstance(node.value, int | float | str):
            raise FormulaSyntaxError(f"不支持的常量“{node.value!r}”")
        if isinstance(node.value, str):
            return Text(node.value)
        return Num(_number(self.source, node))

    def _Name(self, node: ast.Name) -> Node:
        return Column(node.id) if self.in_condition else Ref(node.id)

    def _Attribute(self, node: ast.Attribute) -> Node:
        if not isinstance(node.value, ast.Name):
            raise FormulaSyntaxError(f"无法识别的台账列引用“{ast.unparse(node)}”")
        return ColumnRef(node.value.id, node.attr)

    def _BinOp(self, node: ast.BinOp) -> Node:
        if isinstance(node.op, ast.MatMult):
            return Shift(self.convert(node.left), _shift_target(node.right))
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise FormulaSyntaxError(f"不支持的运算“{ast.unparse(node)}”")
        return BinOp(op, self.convert(node.left), self.convert(node.right))

    def _UnaryOp(self, node: ast.UnaryOp) -> Node:
        if isinstance(node.op, ast.USub):
            return Neg(self.convert(node.operand))
        if isinstance(node.op, ast.Not) and self.in_condition:
            return Not(self.convert(node.operand))
        raise FormulaSyntaxError(f"不支持的运算“{ast.unparse(node)}”")

    def _Compare(self, node: ast.Compare) -> Node:
        if len(node.ops) != 1:
            raise FormulaSyntaxError("一次只能比较两个值")
        op = _COMPARES.get(type(node.ops[0]))
        if op is None:
            raise FormulaSyntaxError(f"不支持的比较“{ast.unparse(node)}”")
        return Compare(op, self.convert(node.left), self.convert(node.comparators[0]))

    def _BoolOp(self, node: ast.BoolOp) -> Node:
        if not self.in_condition:
            raise FormulaSyntaxError("and / or 只能用在台账筛选条件中")
        op = "and" if isinstance(node.op, ast.And) else "or"
        return BoolOp(op, tuple(self.convert(v) for v in node.values))

    def _Call(self, node: ast.Call) -> Node:
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise FormulaSyntaxError(f"不支持的函数调用“{ast.unparse(node)}”")
        name = node.func.id
        function = formula_functions.lookup(name)
        if function is None:
            known = "、".join(formula_functions.names())
            raise FormulaSyntaxError(f"未知函数“{name}”，可用的函数：{known}")
        if isinstance(function, LedgerFunction):
            return self._ledger_call(function, node.args)
        if len(node.args) != function.arity:
            raise FormulaSyntaxError(f"函数 {name} 需要 {function.arity} 个参数")
        args = tuple(self.convert(a) for a in node.args)
        if function.column_argument and not all(isinstance(a, ColumnRef) for a in args):
            raise FormulaSyntaxError(
                f"{name} 的参数应为台账列，例如 {name}(district_economy.区级税收)"
            )
        return Call(name, args)

    def _ledger_call(self, function: LedgerFunction, args: list[ast.expr]) -> LedgerCall:
        name = function.name
        if not 1 <= len(args) <= 2:
            raise FormulaSyntaxError(f"函数 {name} 需要 1 或 2 个参数")
        target, condition = args[0], args[1] if len(args) == 2 else None
        if not function.needs_column and isinstance(target, ast.Name):
            ledger, column = target.id, None
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            ledger, column = target.value.id, target.attr
        else:
            raise FormulaSyntaxError(f"{name} 的第一个参数应为台账或台账列，例如 ledger.列名")
        parsed = (
            _Converter(self.source, in_condition=True).convert(condition) if condition else None
        )
        return LedgerCall(name, ledger, column, parsed)


def _number(source: str, node: ast.Constant) -> Decimal:
    """A numeric constant as written (``0.1`` is exactly 0.1, never a float's neighbour);
    one beyond ±10^MAX_CONSTANT_EXPONENT (``1e999999`` overflows a float) is refused."""
    text = ast.get_source_segment(source, node) or ""
    try:
        number = Decimal(text)
    except InvalidOperation:  # 0x10, 1j: not decimal text; an int is still exact
        if isinstance(node.value, float):
            raise FormulaSyntaxError(f"不支持的常量“{text}”") from None
        number = Decimal(node.value)
    if not number.is_finite() or abs(number.adjusted()) > MAX_CONSTANT_EXPONENT:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise FormulaSyntaxError(
            f"常量“{shown}”超出可用范围（绝对值须在 10 的 ±{MAX_CONSTANT_EXPONENT} 次方以内）"
        )
    return number


def _shift_target(node: ast.expr) -> str:
    if isinstance(node, ast.Name) and node.id in PERIOD_SHIFTS:
        return node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int):
        try:
            return Period.parse(str(node.value)).code
        except UsageError as exc:
            raise FormulaSyntaxError(f"@ 后的“{node.value}”不是报告期") from exc
    raise FormulaSyntaxError(f'@ 后应为 {"、".join(PERIOD_SHIFTS)} 或带引号的报告期，如 @ "2002"')


def references(node: Node) -> tuple[set[str], set[str]]:
    """Indicator codes and ledger codes a formula refers to."""
    codes: set[str] = set()
    ledgers: set[str] = set()
    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Ref):
            codes.add(item.code)
        elif isinstance(item, ColumnRef | LedgerCall):
            ledgers.add(item.ledger)
        for child in children(item):
            stack.append(child)
    return codes, ledgers


def children(node: object) -> tuple[object, ...]:
    if isinstance(node, Shift | Neg | Not):
        return (node.operand,)
    if isinstance(node, BinOp | Compare):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, BoolOp):
        return node.values
    if isinstance(node, LedgerCall) and node.condition is not None:
        return (node.condition,)
    return ()
