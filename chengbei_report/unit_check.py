"""Infer the unit family of a formula so that a catalog adding 人 to 万元 fails at load time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chengbei_report import units
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

NUMBER = "number"  # a bare constant: scales anything
KIND_FAMILY = {"amount": "money", "area": "area", "length": "length", "ratio": "ratio"}
KIND_FAMILY |= {"multiple": "multiple", "rank": "rank", "count": "count"}
FAMILY_CN = {"money": "金额", "count": "计数", "area": "面积", "length": "长度", "ratio": "比率"}
FAMILY_CN |= {"multiple": "倍数", "rank": "位次", NUMBER: "常数"}


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
        if node.name == "sum" and node.column is not None:
            return _column_family(ledgers, node.ledger, node.column)
        return "count"
    if isinstance(node, BinOp):
        return _binop(
            node.op,
            infer_unit(indicators, ledgers, node.left),
            infer_unit(indicators, ledgers, node.right),
        )
    if isinstance(node, Call):
        return _call(node.name, [infer_unit(indicators, ledgers, a) for a in node.args])
    raise ValueError("无法确定单位")


def _column_family(ledgers: Mapping[str, Any], ledger: str, column: str) -> str:
    found = ledgers[ledger].column(column)
    return units.family(found.unit) if found is not None and found.unit else "count"


def _binop(op: str, left: str, right: str) -> str:
    if op in "+-":
        if NUMBER in (left, right) or left == right:
            return right if left == NUMBER else left
        raise ValueError(f"{FAMILY_CN[left]}与{FAMILY_CN[right]}不能相加减")
    if op == "*":
        if NUMBER in (left, right):
            return right if left == NUMBER else left
        raise ValueError(f"{FAMILY_CN[left]}与{FAMILY_CN[right]}不能相乘")
    if right == NUMBER:
        return left
    if left == right:
        return "ratio"
    raise ValueError(f"{FAMILY_CN[left]}除以{FAMILY_CN[right]}没有意义")


def _call(name: str, args: list[str]) -> str:
    if name == "growth":
        return "ratio"
    if name == "rank":
        return "rank"
    if name == "own":
        return args[0]
    first, second = args
    if first != second and NUMBER not in (first, second):
        raise ValueError(f"{name} 的两个参数单位不同：{FAMILY_CN[first]}与{FAMILY_CN[second]}")
    return {"multiple": "multiple", "ratio": "ratio"}.get(name, first)
