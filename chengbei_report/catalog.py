"""The indicator catalog: departments, ledgers and indicators, loaded from ``catalog.toml``.

Loading checks everything a formula can get wrong before any workbook is read: syntax, unknown
references, cycles and unit mismatches, each reported with the indicator's code and name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from chengbei_report import units
from chengbei_report.errors import CatalogError, UsageError
from chengbei_report.formula import (
    Column,
    ColumnRef,
    Compare,
    FormulaSyntaxError,
    LedgerCall,
    Node,
    children,
    parse_formula,
    parse_rule,
    references,
)
from chengbei_report.periods import Period
from chengbei_report.unit_check import KIND_FAMILY, infer_unit
from chengbei_report.workspace import read_toml

KINDS = ("amount", "count", "area", "length", "ratio", "multiple", "rank", "other")
COLUMN_TYPES = ("text", "integer", "number", "date", "choice")


@dataclass(frozen=True)
class Department:
    code: str
    name: str


@dataclass(frozen=True)
class LedgerColumn:
    name: str
    type: str = "text"
    unit: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()

    @property
    def counted(self) -> bool:
        """Whether the column counts things (whole numbers): integer, or a unit such as 人 or 件."""
        return self.type == "integer" or bool(self.unit and units.family(self.unit) == "count")


@dataclass(frozen=True)
class Ledger:
    code: str
    name: str
    department: str
    sheet: str
    key: str
    columns: tuple[LedgerColumn, ...]
    frequency: tuple[str, ...] = ("Y", "H", "Q", "M")

    def column(self, name: str) -> LedgerColumn | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    kind: str
    department: str
    frequency: tuple[str, ...] = ("Y", "H", "Q", "M")
    formula_text: str = ""
    formula: Node | None = None
    integer: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    decimals: int | None = None
    threshold: Decimal | None = None
    cumulative: bool = False
    rules: tuple[tuple[str, Compare], ...] = ()
    crosscheck_text: str = ""
    crosscheck: Node | None = None
    note: str = ""
    since: Period | None = None
    until: Period | None = None

    def due_in(self, period: Period) -> bool:
        """Whether the indicator exists in ``period``: its kind is in ``frequency`` and the
        period lies within ``since``/``until`` (first reported in / last reported in)."""
        return period.kind.value in self.frequency and self.current_in(period)

    def current_in(self, period: Period) -> bool:
        """Whether ``period`` lies within ``since``/``until``, whatever its kind."""
        if self.since is not None and period.begins_before(self.since):
            return False
        return self.until is None or not period.ends_after(self.until)

    @property
    def derived(self) -> bool:
        return self.formula is not None

    @property
    def label(self) -> str:
        """How messages name an indicator: its Chinese name, the code in brackets."""
        return f"{self.name}（{self.code}）"


_IDENTIFIER = re.compile(r"(?<![\w\"])[A-Za-z_][A-Za-z0-9_]*(?![\w\"])")
_SYMBOLS = (("<=", "≤"), (">=", "≥"), ("!=", "≠"), ("==", "="))


@dataclass(frozen=True)
class Agreement:
    """Two sources of one quantity that must agree (``[[agreements]]``): the department's figure
    and the unit's own row of the district table, a ledger count and a district count."""

    name: str
    left_text: str
    left: Node
    right_text: str
    right: Node
    frequency: tuple[str, ...] = ("Y", "H", "Q", "M")

    @property
    def label(self) -> str:
        return f"一致性核对“{self.name}”"


@dataclass
class Catalog:
    departments: dict[str, Department]
    ledgers: dict[str, Ledger]
    indicators: dict[str, Indicator]
    path: Path | None = None
    agreements: tuple[Agreement, ...] = ()

    def department_by_name(self, name: str) -> Department | None:
        cleaned = name.strip()
        return next(
            (d for d in self.departments.values() if cleaned in (d.name, d.code)),
            None,
        )

    def reported_indicators(self, department: str) -> list[Indicator]:
        """The indicators ``department`` types in (not derived ones)."""
        return [i for i in self.indicators.values() if i.department == department and not i.derived]

    def ledgers_of(self, department: str) -> list[Ledger]:
        return [ledger for ledger in self.ledgers.values() if ledger.department == department]

    def readable(self, formula: str) -> str:
        """A rule or formula as a clerk reads it: indicator and ledger codes replaced by their
        Chinese names, comparisons written ≤ ≥ ≠ (``帮扶成功就业 ≤ 失业人员就业帮扶``)."""

        def name(match: re.Match[str]) -> str:
            word = match.group(0)
            if word in self.indicators:
                return self.indicators[word].name
            if word in self.ledgers:
                return self.ledgers[word].name
            return word

        text = _IDENTIFIER.sub(name, formula)
        for symbol, shown in _SYMBOLS:
            text = re.sub(rf"\s*{symbol}\s*", f" {shown} ", text)
        return text


def load_catalog(path: Path) -> Catalog:
    """Read and check ``catalog.toml``; every problem raises CatalogError naming the entry."""
    if not path.is_file():
        raise CatalogError(f"找不到指标目录文件：{path}")
    data = read_toml(path, CatalogError)
    return build_catalog(data, path)


def build_catalog(data: dict, path: Path | None = None) -> Catalog:
    departments = _departments(data.get("departments", []))
    ledgers = {raw["code"]: _ledger(raw, departments) for raw in data.get("ledgers", [])}
    indicators: dict[str, Indicator] = {}
    for raw in data.get("indicators", []):
        indicator = _indicator(raw, departments)
        if indicator.code in indicators:
            raise CatalogError(f"指标 {indicator.label} 在目录中重复出现。")
        indicators[indicator.code] = indicator
    agreements = tuple(_agreement(raw, n) for n, raw in enumerate(data.get("agreements", []), 1))
    catalog = Catalog(departments, ledgers, indicators, path, agreements)
    _check_references(catalog)
    for agreement in agreements:
        _check_agreement(catalog, agreement)
    _check_cycles(catalog)
    for indicator in catalog.indicators.values():
        _check_kind_unit(indicator)
        if indicator.formula is not None:
            _check_units(catalog, indicator)
    return catalog


def _departments(raw: list[dict]) -> dict[str, Department]:
    departments: dict[str, Department] = {}
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or not entry.get("code") or not entry.get("name"):
            raise CatalogError(f"指标目录第{number}个部门（departments）缺少 code 或 name。")
        departments[entry["code"]] = Department(str(entry["code"]), str(entry["name"]))
    return departments


def _ledger(raw: dict, departments: dict[str, Department]) -> Ledger:
    code = raw.get("code", "?")
    try:
        columns = tuple(
            LedgerColumn(
                name=c["name"],
                type=c.get("type", "text"),
                unit=c.get("unit", ""),
                required=bool(c.get("required", False)),
                choices=tuple(c.get("choices", ())),
            )
            for c in raw["columns"]
        )
        ledger = Ledger(
            code=code,
            name=raw["name"],
            department=raw["department"],
            sheet=raw.get("sheet", raw["name"]),
            key=raw.get("key", columns[0].name if columns else ""),
            columns=columns,
            frequency=tuple(raw.get("frequency", ("Y", "H", "Q", "M"))),
        )
    except (KeyError, TypeError) as exc:
        raise CatalogError(f"台账 {code} 缺少必填项 {exc}。") from exc
    if ledger.department not in departments:
        raise CatalogError(f"台账 {code}（{ledger.name}）的部门“{ledger.department}”不在目录中。")
    bad = [c.name for c in columns if c.type not in COLUMN_TYPES]
    if bad:
        raise CatalogError(
            f"台账 {code} 的列 {'、'.join(bad)} 类型无效，可用：{'、'.join(COLUMN_TYPES)}"
        )
    if ledger.column(ledger.key) is None:
        raise CatalogError(f"台账 {code} 的关键列“{ledger.key}”不在列清单中。")
    return ledger


def _indicator(raw: dict, departments: dict[str, Department]) -> Indicator:
    code = raw.get("code", "?")
    label = f"{code}（{raw.get('name', '?')}）"
    missing = [k for k in ("code", "name", "unit", "kind", "department") if k not in raw]
    if missing:
        raise CatalogError(f"指标 {label} 缺少必填项：{'、'.join(missing)}。")
    if raw["kind"] not in KINDS:
        raise CatalogError(f"指标 {label} 的类型“{raw['kind']}”无效，可用：{'、'.join(KINDS)}。")
    if raw["department"] not in departments:
        raise CatalogError(f"指标 {label} 的部门“{raw['department']}”不在目录中。")
    default_min = Decimal(0) if raw["kind"] in ("amount", "count", "area", "length") else None
    return Indicator(
        code=code,
        name=raw["name"],
        unit=raw["unit"],
        kind=raw["kind"],
        department=raw["department"],
        frequency=tuple(raw.get("frequency", ("Y", "H", "Q", "M"))),
        formula_text=raw.get("formula", ""),
        formula=_parse(label, "公式", raw.get("formula"), parse_formula),
        integer=bool(raw.get("integer", raw["kind"] == "count")),
        minimum=_decimal(label, "min", raw.get("min"), default_min),
        maximum=_decimal(
            label, "max", raw.get("max"), Decimal(1) if raw["kind"] == "ratio" else None
        ),
        decimals=_places(label, raw.get("decimals")),
        threshold=_decimal(label, "threshold", raw.get("threshold"), None),
        cumulative=bool(raw.get("cumulative", False)),
        rules=tuple(
            (text, _parse(label, "规则", text, parse_rule)) for text in raw.get("rules", ())
        ),
        crosscheck_text=raw.get("crosscheck", ""),
        crosscheck=_parse(label, "核对公式", raw.get("crosscheck"), parse_formula),
        note=raw.get("note", ""),
        since=_period(label, "since", raw.get("since")),
        until=_period(label, "until", raw.get("until")),
    )


def _agreement(raw: object, number: int) -> Agreement:
    if not isinstance(raw, dict) or not raw.get("left") or not raw.get("right"):
        raise CatalogError(f"指标目录第{number}条一致性核对（agreements）缺少 left 或 right。")
    left, right = str(raw["left"]), str(raw["right"])
    name = str(raw.get("name") or f"{left} = {right}")
    label = f"一致性核对“{name}”"
    return Agreement(
        name=name,
        left_text=left,
        left=_formula(label, left),
        right_text=right,
        right=_formula(label, right),
        frequency=tuple(raw.get("frequency", ("Y", "H", "Q", "M"))),
    )


def _formula(owner: str, text: str) -> Node:
    try:
        return parse_formula(text)
    except FormulaSyntaxError as exc:
        raise CatalogError(f"{owner}的公式“{text}”有误：{exc}") from exc


def _check_agreement(catalog: Catalog, agreement: Agreement) -> None:
    """Both sides refer to what exists and measure the same kind of thing."""
    families = []
    for text, node in (
        (agreement.left_text, agreement.left),
        (agreement.right_text, agreement.right),
    ):
        _check_formula(catalog, agreement.label, text, node)
        try:
            families.append(infer_unit(catalog.indicators, catalog.ledgers, node))
        except ValueError as exc:
            raise CatalogError(f"{agreement.label}的公式“{text}”单位不一致：{exc}") from exc
    if units.NUMBER not in families and families[0] != families[1]:
        raise CatalogError(
            f"{agreement.label}两边不是同一种量：{units.title(families[0])}与{units.title(families[1])}。"
        )


def _parse(label: str, what: str, text: str | None, parser):
    if not text:
        return None
    try:
        return parser(text)
    except FormulaSyntaxError as exc:
        shown = text if len(text) <= 80 else text[:80] + "…"
        raise CatalogError(f"指标 {label} 的{what}“{shown}”有误：{exc}") from exc


def _decimal(label: str, key: str, value: object, default: Decimal | None) -> Decimal | None:
    if value is None:
        return default
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or isinstance(value, bool):
        raise CatalogError(f"指标 {label} 的 {key} 应为数字，现为“{value}”（比例写小数，如 0.2）。")
    return number


def _period(label: str, key: str, value: object) -> Period | None:
    """``since = "2024H1"`` / ``until = "2023"``: a period code (a TOML string)."""
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise UsageError(str(value))
        return Period.parse(value)
    except UsageError as exc:
        raise CatalogError(
            f'指标 {label} 的 {key} 应为报告期，如 "2024H1" 或 "2023"，现为“{value}”。'
        ) from exc


def _places(label: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise CatalogError(f"指标 {label} 的 decimals 应为 0 到 10 的整数，现为“{value}”。")
    return value


def _formulas(indicator: Indicator) -> list[tuple[str, Node]]:
    found: list[tuple[str, Node]] = []
    if indicator.formula is not None:
        found.append((indicator.formula_text, indicator.formula))
    if indicator.crosscheck is not None:
        found.append((indicator.crosscheck_text, indicator.crosscheck))
    found.extend(indicator.rules)
    return found


def _check_references(catalog: Catalog) -> None:
    for indicator in catalog.indicators.values():
        for text, node in _formulas(indicator):
            _check_formula(catalog, f"指标 {indicator.label} ", text, node)


def _check_formula(catalog: Catalog, owner: str, text: str, node: Node) -> None:
    """Every indicator, ledger and ledger column a formula of ``owner`` names exists."""
    codes, ledgers = references(node)
    for code in sorted(codes - catalog.indicators.keys()):
        raise CatalogError(f"{owner}的公式“{text}”引用了不存在的指标“{code}”。")
    for code in sorted(ledgers - catalog.ledgers.keys()):
        raise CatalogError(f"{owner}的公式“{text}”引用了不存在的台账“{code}”。")
    _check_ledger_columns(catalog, owner, text, node)


def _check_ledger_columns(catalog: Catalog, owner: str, text: str, node: Node) -> None:
    stack: list[tuple[object, str | None]] = [(node, None)]
    while stack:
        item, ledger_code = stack.pop()
        if isinstance(item, ColumnRef | LedgerCall):
            ledger_code = item.ledger
        column = item.column if isinstance(item, ColumnRef | LedgerCall) else None
        if isinstance(item, Column):
            column = item.name
        if column and ledger_code and catalog.ledgers[ledger_code].column(column) is None:
            raise CatalogError(
                f"{owner}的公式“{text}”引用了台账 {ledger_code} 中不存在的列“{column}”。"
            )
        stack.extend((child, ledger_code) for child in children(item))


MAX_FORMULA_CHAIN = 40  # derived indicators computed from derived indicators, this deep at most


def _check_cycles(catalog: Catalog) -> None:
    """Depth-first search without recursion; a back edge is a cycle, reported as the chain of codes.

    The engine computes a figure from its inputs recursively, so a chain of derived indicators
    deeper than MAX_FORMULA_CHAIN is refused here, not left to end in a RecursionError.
    """
    depth: dict[str, int] = {}  # finished: how many formulas deep the indicator is

    def inputs(code: str) -> list[str]:
        formula = catalog.indicators[code].formula
        return sorted(references(formula)[0]) if formula is not None else []

    for start in catalog.indicators:
        path, pending = [start], [iter(inputs(start))]
        while path:
            following = next(pending[-1], None)
            if following is None:
                code = path.pop()
                pending.pop()
                below = [depth[ref] for ref in inputs(code)]
                depth[code] = 1 + max(below, default=0) if catalog.indicators[code].formula else 0
                if depth[code] > MAX_FORMULA_CHAIN:
                    raise CatalogError(
                        f"指标 {catalog.indicators[code].label} 要经过 {depth[code]} 层派生指标才算到报表数据，"
                        f"超过上限 {MAX_FORMULA_CHAIN} 层。",
                        hint="请直接引用更底层的指标，减少层层引用。",
                    )
            elif following in path:
                loop = " → ".join([*path[path.index(following) :], following])
                raise CatalogError(f"指标公式存在循环引用：{loop}。")
            elif following not in depth:
                path.append(following)
                pending.append(iter(inputs(following)))


def _check_kind_unit(indicator: Indicator) -> None:
    """An amount is in 元/万元/亿元, an area in 平方米/亩/公顷, a rate in % …; counts and others in any word."""
    want = KIND_FAMILY.get(indicator.kind)
    if want not in (None, "count") and units.family(indicator.unit) != want:
        raise CatalogError(
            f"指标 {indicator.label} 的单位“{indicator.unit}”与类型 {indicator.kind} 不符。"
        )


def _check_units(catalog: Catalog, indicator: Indicator) -> None:
    assert indicator.formula is not None
    try:
        got = infer_unit(catalog.indicators, catalog.ledgers, indicator.formula)
    except ValueError as exc:
        raise CatalogError(
            f"指标 {indicator.label} 的公式“{indicator.formula_text}”单位不一致：{exc}"
        ) from exc
    want = KIND_FAMILY.get(indicator.kind)
    if want and got not in (want, units.NUMBER):
        raise CatalogError(
            f"指标 {indicator.label} 的公式“{indicator.formula_text}”得到的是{units.title(got)}，"
            f"而目录声明的类型是{units.title(want)}（单位“{indicator.unit}”）。"
        )
