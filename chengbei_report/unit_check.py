"""Infer the unit family of a formula so that a catalog adding 人 to 万元 fails at load time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from chengbei_report import formula_functions, units
from chengbei_report.formula import (
    BinOp,
    Call,
    ColumnRef,
    LedgerCall,
    Neg,
    Node,
    Num,
    Ref,
    Shift,
)
from chengbei_report.formula_functions import FormulaFunction, LedgerFunction
from chengbei_report.units import NUMBER, title

_F = TypeVar("_F", FormulaFunction, LedgerFunction)
KIND_FAMILY = {"amount": "money", "area": "area", "length": "length", "ratio": "ratio"}
KIND_FAMILY |= {"multiple": "multiple", "rank": "rank", "count": "count"}


def infer_unit(indicators: Mapping[str, Any], ledgers: Mapping[str, Any], node: Node) -> str:
    """The unit family of ``node``; raise ValueError (Chinese) when units do not fit together.

    ``indicators`` and ``ledgers`` are the catalog's, by code (the catalog calls this on load).
    """
    if isinstance(node, Num):
        return NUMBER
    if isinstance(node, Ref):
        indicator = indicators[node.code]
        return KIND_FAMILY.get(indicator.kind, units.family(indicator.unit))
    if isinstance(node, Shift | Neg):
        return infer_unit(indicators, ledgers, node.operand)
    if isinstance(node, ColumnRef):
        return _column_family(ledgers, node.ledger, node.column)
    if isinstance(node, LedgerCall):
        column = None if node.column is None else _column_family(ledgers, node.ledger, node.column)
        return _function(node.name, LedgerFunction).unit(column)
    if isinstance(node, BinOp):
        return _binop(
            node.op,
            infer_unit(indicators, ledgers, node.left),
            infer_unit(indicators, ledgers, node.right),
        )
    if isinstance(node, Call):
        arguments = [infer_unit(indicators, ledgers, a) for a in node.args]
        return _function(node.name, FormulaFunction).unit(arguments)
    raise ValueError("无法确定单位")


def _column_family(ledgers: Mapping[str, Any], ledger: str, column: str) -> str:
    found = ledgers[ledger].column(column)
    return units.family(found.unit) if found is not None and found.unit else "count"


def _binop(op: str, left: str, right: str) -> str:
    if op in "+-":
        if NUMBER in (left, right) or left == right:
            return right if left == NUMBER else left
        raise ValueError(f"{title(left)}与{title(right)}不能相加减")
    if op == "*":
        if NUMBER in (left, right):
            return right if left == NUMBER else left
        raise ValueError(f"{title(left)}与{title(right)}不能相乘")
    if right == NUMBER:
        return left
    if left == right:
        return "ratio"
    raise ValueError(f"{title(left)}除以{title(right)}没有意义")


def _function(name: str, kind: type[_F]) -> _F:
    """The parsed call's entry (the parser let only registered names through)."""
    function = formula_functions.lookup(name)
    if not isinstance(function, kind):
        raise ValueError(f"未知函数“{name}”")
    return function
