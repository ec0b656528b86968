"""A workspace of its own for the formula language: one department, tiny real workbooks.

The catalog holds one derived indicator per documented form of the language (operators,
``@`` shifts, functions, conditions, ledger columns), each with a value worked out by hand in
``EXPECTED``. Tests may add indicators (a function of a temporary registry, a new unit).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl

from chengbei_report.periods import Period

REPORT = Period.parse("2023H1")
UNIT = "测试街道"
DEPARTMENT = "综合办公室"

# code → tax (万元), done (件), total (件) per period folder; the baseline is 2010, not 2002.
REPORTED = {
    "2023H1": {"tax": 150, "done": 45, "total": 50},
    "2022H1": {"tax": 120, "done": 40, "total": 50},
    "2022H2": {"tax": 130},
    "2010": {"tax": 50},
    "2002": {"tax": 10},
}
CASES = [  # 2023H1 only: 编号, 金额 (元), 结果, 人数, 类别
    ("A1", 10000, "成功", 1, "工资"),
    ("A2", 25000, "成功", 3, "工资"),
    ("A3", 5000, "未成", 2, "工伤"),
    ("A4", 2000, "成功", 4, "社保"),
    ("A5", None, "未成", 5, None),  # a blank 类别 is no kind
]
DISTRICT = {  # 单位 → 税收 (万元)
    "2023H1": {UNIT: 150, "甲街道": 200, "乙街道": 100, "丙街道": 140},
    "2022H1": {UNIT: 100, "甲街道": 190, "乙街道": 50, "丙街道": 140},
}

# code → (unit, kind, formula, value in REPORT)
DERIVED: dict[str, tuple[str, str, str, str]] = {
    "plus": ("万元", "amount", "tax + tax @ prev_year", "270"),
    "times": ("万元", "amount", "tax * 2", "300"),
    "minus_divided": ("万元", "amount", "(tax - tax @ prev) / 2", "10"),
    "negated": ("万元", "amount", "-(tax @ baseline) + 200", "150"),
    "at_baseline": ("万元", "amount", "tax @ baseline", "50"),
    "at_2002": ("万元", "amount", 'tax @ "2002"', "10"),
    "tax_growth": ("%", "ratio", "growth(tax)", "0.25"),
    "tax_multiple": ("倍", "multiple", 'multiple(tax, tax @ "2002")', "14"),
    "done_rate": ("%", "ratio", "ratio(done, total)", "0.9"),
    "done_net": ("件", "count", "net(done, done @ prev_year)", "5"),
    "cases": ("件", "count", "count(cases)", "5"),
    "settled": ("件", "count", 'count(cases, 结果 == "成功")', "3"),
    "settled_groups": ("件", "count", 'count(cases, 结果 == "成功" and 人数 >= 2)', "2"),
    "open_or_large": ("件", "count", 'count(cases, 结果 != "成功" or 人数 > 3)', "3"),
    "not_single": ("件", "count", "count(cases, not 人数 < 2)", "4"),
    "small": ("件", "count", "count(cases, 人数 <= 2)", "2"),
    "amount": ("万元", "amount", "sum(cases.金额)", "4.2"),
    "settled_amount": ("万元", "amount", 'sum(cases.金额, 结果 == "成功")', "3.7"),
    "kinds": ("类", "count", "distinct(cases.类别)", "3"),
    "tax_rank": ("位", "rank", "rank(district.税收)", "2"),
    "growth_rank": ("位", "rank", "rank(growth(district.税收))", "2"),
    "last_year_rank": ("位", "rank", "rank(district.税收 @ prev_year)", "3"),
    "gain_rank": ("位", "rank", "rank(district.税收 - district.税收 @ prev_year)", "1"),
    "own_tax": ("万元", "amount", "own(district.税收)", "150"),
}
EXPECTED = {code: Decimal(value) for code, (_, _, _, value) in DERIVED.items()}

_HEAD = f"""[[departments]]
code = "office"
name = "{DEPARTMENT}"

[[ledgers]]
code = "cases"
name = "案件台账"
department = "office"
key = "编号"
columns = [
  {{ name = "编号", type = "text" }},
  {{ name = "金额", type = "number", unit = "元" }},
  {{ name = "结果", type = "choice", choices = ["成功", "未成"] }},
  {{ name = "人数", type = "integer" }},
  {{ name = "类别", type = "text" }},
]

[[ledgers]]
code = "district"
name = "全区对比"
department = "office"
key = "单位"
columns = [{{ name = "单位", type = "text" }}, {{ name = "税收", type = "number", unit = "万元" }}]
"""


def indicator(code: str, unit: str, kind: str, formula: str | None = None) -> str:
    """One ``[[indicators]]`` table of the office (strings quoted as JSON, which TOML reads)."""
    lines = ["[[indicators]]", f'code = "{code}"', f'name = "{code}"', f"unit = {json.dumps(unit)}"]
    lines += [f'kind = "{kind}"', 'department = "office"']
    if formula is not None:
        lines.append(f"formula = {json.dumps(formula, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def catalog_text(extra: str = "") -> str:
    reported = [indicator("tax", "万元", "amount"), indicator("done", "件", "count")]
    reported.append(indicator("total", "件", "count"))
    derived = [indicator(code, *entry[:3]) for code, entry in DERIVED.items()]
    return "\n".join([_HEAD, *reported, *derived, extra])


def _workbook(path: Path, period: str) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "指标"
    sheet["A1"] = "数据填报表"
    for row, (label, value) in enumerate([("单位", UNIT), ("部门", DEPARTMENT)], start=2):
        sheet.cell(row, 1, label)
        sheet.cell(row, 2, value)
    sheet.append([])
    sheet.append(["编码", "名称", "单位", "数值", "备注"])
    units = {"tax": "万元", "done": "件", "total": "件"}
    for code, value in REPORTED[period].items():
        sheet.append([code, code, units[code], value, None])
    if period == REPORT.code:
        cases = book.create_sheet("案件台账")
        cases.append(["编号", "金额", "结果", "人数", "类别"])
        for record in CASES:
            cases.append(list(record))
    if period in DISTRICT:
        district = book.create_sheet("全区对比")
        district.append(["单位", "税收"])
        for name, value in DISTRICT[period].items():
            district.append([name, value])
    book.save(path)


def make_workspace(root: Path, extra: str = "") -> Path:
    """The workspace under ``root``; ``extra`` is catalog text appended (more indicators)."""
    root.mkdir(parents=True)
    config = f'[unit]\nname = "{UNIT}"\n\n[periods]\nbaseline = "2010"\n'
    (root / "workspace.toml").write_text(config, encoding="utf-8")
    (root / "catalog.toml").write_text(catalog_text(extra), encoding="utf-8")
    for period in REPORTED:
        folder = root / "submissions" / period
        folder.mkdir(parents=True)
        _workbook(folder / "综合.xlsx", period)
    return root
