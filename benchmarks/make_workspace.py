"""Generate a large synthetic workspace in the sample's format for the benchmark.

The sample workspace is copied as it is (config, catalog, every period folder), then the 2023H1
folder is rewritten: the ledgers of the sample's departments grow to hundreds of thousands of
rows, and extra departments (hotline, city-management and similar case ledgers, each with a
derived count indicator added to the copied catalog only) bring the folder to 30 workbooks whose
ledgers total ``--rows`` rows. Values follow the catalog (choices, dates inside the period,
whole non-negative numbers, unique keys, 整改数 ≤ 隐患数) and cross-checked indicators are set to
the ledger counts, so the workspace validates clean and builds.

    python benchmarks/make_workspace.py /tmp/chengbei-bench --rows 1000000
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
PERIOD = "2023H1"
PERIOD_START = date(2023, 1, 1)
PERIOD_DAYS = 181
WORKBOOKS = 30
DEFAULT_ROWS = 1_000_000
INDICATOR_SHEET = "指标"

# Share of all rows given to the sample ledgers that are regrown; the rest goes to extra ledgers.
GROWN_SHARES = {"inspection": 0.30, "mediation": 0.05, "demolitions": 0.04, "sms": 0.01}
# A number column that may not exceed another one in the same row.
BOUNDED_BY = {"整改数": "隐患数"}
COMMUNITIES = ("红湖路社区", "鸿苑社区", "五星社区", "柳苑社区", "丹溪社区", "三江社区", "城北社区")
WORDS = ("某某", "金华", "婺城", "城北", "人民西路", "环城西路", "后城里街", "太阳城", "五星新村")
EXTRA_KINDS = (
    ("hotline", "12345热线受理台账", "热线"),
    ("citycase", "数字城管案件台账", "城管"),
    ("grid", "基层治理四平台事件台账", "四平台"),
)
EXTRA_COLUMNS = (
    '{ name = "编号", type = "text", required = true }',
    '{ name = "受理日期", type = "date", required = true }',
    '{ name = "渠道", type = "choice", choices = ["电话", "网络", "来访", "巡查"], required = true }',
    '{ name = "类别", type = "choice", choices = ["市容环境", "物业管理", "噪声扰民", '
    '"道路交通", "劳动保障", "其他"], required = true }',
    '{ name = "社区", type = "text", required = true }',
    '{ name = "地址", type = "text" }',
    '{ name = "诉求内容", type = "text" }',
    '{ name = "办理天数", type = "number", unit = "天", required = true }',
    '{ name = "办结日期", type = "date" }',
    '{ name = "满意度", type = "choice", choices = ["满意", "基本满意", "不满意"] }',
)


@dataclass(frozen=True)
class LedgerSpec:
    """What the generator needs of a catalog ledger."""

    code: str
    sheet: str
    key: str
    columns: list[dict[str, Any]]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="生成基准测试用的大型工作区。")
    parser.add_argument("target", type=Path, help="新工作区目录（已存在时先删除）")
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="台账总行数")
    parser.add_argument("--seed", type=int, default=20230630, help="随机数种子")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    rows = make_workspace(args.target, args.rows, args.seed)
    print(f"已生成工作区：{args.target}（{WORKBOOKS} 个报表，台账共 {rows} 行）")


def make_workspace(target: Path, total_rows: int, seed: int) -> int:
    """Build the workspace under ``target``; return the number of ledger rows written."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(SAMPLE, target)
    folder = target / "submissions" / PERIOD
    extras = WORKBOOKS - len(list(folder.glob("*.xlsx")))
    _append_extra_catalog(target / "catalog.toml", extras)
    catalog = tomllib.loads((target / "catalog.toml").read_text(encoding="utf-8"))
    ledgers = {item["code"]: _spec(item) for item in catalog["ledgers"]}
    sizes = _sizes(total_rows, extras)
    rng = random.Random(seed)
    for path in sorted(folder.glob("*.xlsx")):
        _rewrite(path, catalog, ledgers, sizes, rng)
    for number in range(1, extras + 1):
        code = _extra_code(number)
        department = next(d for d in catalog["departments"] if d["code"] == code)
        path = folder / f"城北街道_{PERIOD}_{department['name']}.xlsx"
        sheets = {INDICATOR_SHEET: _header_rows(department["name"])}
        spec = ledgers[f"{code}_cases"]
        _write(path, sheets, {spec.sheet: (spec, sizes[spec.code])}, rng)
    return sum(sizes.values())


def _extra_code(number: int) -> str:
    return f"bench{number:02d}"


def _extra_kind(number: int) -> tuple[str, str, str]:
    return EXTRA_KINDS[(number - 1) % len(EXTRA_KINDS)]


def _append_extra_catalog(path: Path, extras: int) -> None:
    """Extra departments, each with one case ledger and a derived count of its rows."""
    parts = [path.read_text(encoding="utf-8"), "\n# ---- benchmark departments (generated)\n"]
    columns = ",\n  ".join(EXTRA_COLUMNS)
    for number in range(1, extras + 1):
        code = _extra_code(number)
        _, ledger_name, short = _extra_kind(number)
        parts.append(
            f"""
[[departments]]
code = "{code}"
name = "{short}工作站{number:02d}"

[[ledgers]]
code = "{code}_cases"
name = "{ledger_name}{number:02d}"
department = "{code}"
sheet = "{ledger_name}"
key = "编号"
frequency = ["H"]
columns = [
  {columns},
]

[[indicators]]
code = "{code}_case_count"
name = "{short}工作站{number:02d}受理件数"
unit = "件"
kind = "count"
department = "{code}"
frequency = ["H"]
formula = "count({code}_cases)"
"""
        )
    path.write_text("".join(parts), encoding="utf-8")


def _spec(item: dict[str, Any]) -> LedgerSpec:
    return LedgerSpec(item["code"], item["sheet"], item["key"], list(item["columns"]))


def _sizes(total_rows: int, extras: int) -> dict[str, int]:
    """Rows per regenerated ledger; the extra ledgers share what the grown ones leave."""
    sizes = {code: int(total_rows * share) for code, share in GROWN_SHARES.items()}
    rest = total_rows - sum(sizes.values())
    for number in range(1, extras + 1):
        sizes[f"{_extra_code(number)}_cases"] = rest // extras + (number <= rest % extras)
    return sizes


def _header_rows(department: str) -> list[list[Any]]:
    """The 指标 sheet's header block and table header, as in the sample."""
    return [
        ["城北街道2023年上半年工作总结数据填报表"],
        ["单位", "城北街道"],
        ["部门", department],
        ["报告期", PERIOD],
        ["填报人", "基准测试"],
        ["联系电话", "0579-82000000"],
        ["填报日期", date(2023, 7, 5)],
        [],
        ["编码", "名称", "单位", "数值", "备注"],
    ]


def _rewrite(
    path: Path,
    catalog: dict[str, Any],
    ledgers: dict[str, LedgerSpec],
    sizes: dict[str, int],
    rng: random.Random,
) -> None:
    """Rewrite one sample workbook: small sheets copied, listed ledgers regenerated."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    by_sheet = {spec.sheet: spec for spec in ledgers.values() if spec.code in GROWN_SHARES}
    grown = {
        name: (by_sheet[name], sizes[by_sheet[name].code])
        for name in book.sheetnames
        if name in by_sheet
    }
    counts = {spec.code: rows for spec, rows in grown.values()}
    copied = {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
        if sheet.title not in grown
    }
    if INDICATOR_SHEET in copied:
        _set_crosschecks(copied[INDICATOR_SHEET], catalog, counts)
    _write(path, copied, grown, rng, order=book.sheetnames)


def _set_crosschecks(
    rows: list[list[Any]], catalog: dict[str, Any], counts: dict[str, int]
) -> None:
    """Set every reported ``crosscheck = "count(ledger)"`` indicator to its new ledger count."""
    wanted: dict[str, int] = {}
    for indicator in catalog["indicators"]:
        match = re.fullmatch(r"count\((\w+)\)", indicator.get("crosscheck", ""))
        if match and match.group(1) in counts:
            wanted[indicator["code"]] = counts[match.group(1)]
    for row in rows:
        if row and row[0] in wanted:
            row[3] = wanted[row[0]]


def _write(
    path: Path,
    copied: dict[str, list[list[Any]]],
    generated: dict[str, tuple[LedgerSpec, int]],
    rng: random.Random,
    order: list[str] | None = None,
) -> None:
    """Write the workbook in openpyxl's streaming mode, sheets in ``order``."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    for name in order or [*copied, *generated]:
        sheet = book.create_sheet(name)
        if name in copied:
            for row in copied[name]:
                sheet.append(row)
        else:
            spec, count = generated[name]
            sheet.append([column["name"] for column in spec.columns])
            for row in _ledger_rows(spec, count, rng):
                sheet.append(row)
    book.save(path)


def _ledger_rows(spec: LedgerSpec, count: int, rng: random.Random) -> Iterator[list[Any]]:
    """``count`` valid records of ``spec``: unique keys, catalog choices, dates in the period."""
    names = [column["name"] for column in spec.columns]
    prefix = spec.code.upper()
    for index in range(1, count + 1):
        row: dict[str, Any] = {}
        for column in spec.columns:
            name = column["name"]
            if name == spec.key:
                row[name] = f"{prefix}-{index:07d}"
            else:
                row[name] = _value(column, row, index, rng)
        yield [row[name] for name in names]


def _value(column: dict[str, Any], row: dict[str, Any], index: int, rng: random.Random) -> Any:
    kind, name = column["type"], column["name"]
    if kind == "choice":
        return rng.choice(column["choices"])
    if kind == "date":
        return PERIOD_START + timedelta(days=rng.randrange(PERIOD_DAYS))
    if kind == "number":
        bound = row.get(BOUNDED_BY.get(name, ""))
        return rng.randint(0, bound) if isinstance(bound, int) else rng.randint(0, 9)
    if name == "社区":
        return rng.choice(COMMUNITIES)
    return f"{rng.choice(WORDS)}{rng.choice(WORDS)}{index:07d}"


if __name__ == "__main__":
    main()
