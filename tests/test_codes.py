"""The registry of finding codes: every finding is made from it, README's tables are its copy."""

from __future__ import annotations

import ast
import importlib.util
import pickle
import re
from pathlib import Path
from types import ModuleType

import pytest

from chengbei_report import codes
from chengbei_report.codes import (
    CELL_CONTROL_CHAR,
    CELL_EMPTY,
    CELL_UNIT_MISMATCH,
    FILE_DUPLICATE_DEPARTMENT,
    REGISTRY,
    FindingCode,
    Group,
    Registry,
    UnknownFindingCode,
)
from chengbei_report.findings import Severity
from chengbei_report.read.safety import UnreadableWorkbook
from chengbei_report.read.submission import Submission
from chengbei_report.validate.cells import MAX_PER_SHEET, capped
from chengbei_report.validate.context import finding

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "chengbei_report"
README = ROOT / "README.md"
_ROW = re.compile(r"^\| `([A-Z0-9_]+)` \| (错误|警告) \| ([^|]+) \| (.+) \|$")


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "finding_codes", ROOT / "scripts/finding_codes.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _readme_rows() -> dict[str, tuple[str, str]]:
    """code → (severity, title) as README's tables list them."""
    section = README.read_text("utf-8").split("## Finding codes", 1)[1].split("\n## ", 1)[0]
    return {m[1]: (m[2], m[3]) for line in section.splitlines() if (m := _ROW.match(line))}


def test_readme_lists_exactly_the_registry_with_its_severities() -> None:
    documented = _readme_rows()
    registered = {c.code: (c.severity.value, c.title) for c in REGISTRY.values()}
    assert sorted(set(registered) - set(documented)) == [], "codes missing from README"
    assert sorted(set(documented) - set(registered)) == [], "README codes not in the registry"
    assert documented == registered


def test_readme_tables_are_the_generated_ones() -> None:
    readme = README.read_text("utf-8")
    assert _script().replace_tables(readme) == readme, (
        "run: python scripts/finding_codes.py --write"
    )


def test_the_readme_check_fails_on_a_changed_severity() -> None:
    """The check is not vacuous: one severity flipped in a copy makes README stale."""
    script, readme = _script(), README.read_text("utf-8")
    flipped = FindingCode(
        "CELL_EMPTY", Severity.WARNING, Group.CELLS, CELL_EMPTY.title, CELL_EMPTY.meaning
    )
    changed = Registry({**REGISTRY, "CELL_EMPTY": flipped})
    assert script.replace_tables(readme, changed) != readme


def test_every_code_constant_is_its_registry_entry() -> None:
    constants = {
        name: value for name, value in vars(codes).items() if isinstance(value, FindingCode)
    }
    assert constants == dict(REGISTRY)
    assert all(entry.title and entry.meaning for entry in REGISTRY.values())


def _package_trees() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text("utf-8"))) for p in sorted(PACKAGE.rglob("*.py"))]


def test_findings_are_made_only_from_the_registry() -> None:
    """No ``Finding(...)`` outside the registry, no severity chosen where a problem is found."""
    offenders = []
    for path, tree in _package_trees():
        if path.name in ("codes.py", "findings.py"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Finding":
                offenders.append(f"{path.name}:{node.lineno} Finding(...)")
            if isinstance(node, ast.keyword) and node.arg == "severity":
                offenders.append(f"{path.name}:{node.value.lineno} severity=")
    assert offenders == []


def test_no_finding_code_is_written_as_a_string() -> None:
    """A code is the imported constant; a string could be misspelt into a new code."""
    strings = [
        f"{path.name}:{node.lineno} {node.value}"
        for path, tree in _package_trees()
        if path.name != "codes.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in REGISTRY
    ]
    assert strings == []


def test_an_unknown_code_raises() -> None:
    with pytest.raises(UnknownFindingCode, match="CELL_EMTPY"):
        REGISTRY["CELL_EMTPY"]
    with pytest.raises(ImportError):
        exec("from chengbei_report.codes import CELL_EMTPY", {})


def test_a_code_is_defined_once_and_spelt_in_upper_snake_case() -> None:
    registry = REGISTRY.copy()
    with pytest.raises(ValueError, match="twice"):
        registry.define(CELL_EMPTY)
    with pytest.raises(ValueError, match="UPPER_SNAKE_CASE"):
        registry.define(FindingCode("cell_empty", Severity.ERROR, Group.CELLS, "未填写", "x"))


def test_severity_and_hint_come_from_the_registry() -> None:
    made = finding("a.xlsx", CELL_EMPTY, "某指标的数值未填写。", sheet="指标", cell="D5")
    assert (made.code, made.severity, made.hint) == ("CELL_EMPTY", Severity.ERROR, CELL_EMPTY.hint)
    assert (made.file, made.location()) == ("a.xlsx", "指标!D5")


def test_templates_are_filled_from_fields_and_locations() -> None:
    made = FILE_DUPLICATE_DEPARTMENT.make(
        department="党建工作办公室", first="a.xlsx", second="b.xlsx", file="b.xlsx"
    )
    assert made.message == "“党建工作办公室”在本期有两份报表：a.xlsx 和 b.xlsx。"
    assert (
        CELL_UNIT_MISMATCH.make("x", unit="万元").hint
        == "请换算为“万元”后填写，并把单位列改为“万元”。"
    )
    assert CELL_CONTROL_CHAR.make(file="a.xlsx").message.startswith("单元格中有不可见的控制字符")
    assert CELL_EMPTY.make("x", hint="另一个提示").hint == "另一个提示"


def test_a_missing_message_or_a_missing_or_misspelt_field_raises() -> None:
    with pytest.raises(ValueError, match="no fixed message"):
        CELL_EMPTY.make(file="a.xlsx")
    with pytest.raises(KeyError, match="unit"):
        CELL_UNIT_MISMATCH.make("x")
    with pytest.raises(TypeError, match="unti"):
        CELL_UNIT_MISMATCH.make("x", unti="万元")


def test_the_summary_of_a_full_sheet_comes_from_the_registry() -> None:
    many = [
        finding("a.xlsx", CELL_CONTROL_CHAR, sheet="台账", cell=f"B{row}")
        for row in range(2, MAX_PER_SHEET + 12)
    ]
    kept = capped(many)
    summary = kept[-1]
    assert len(kept) == MAX_PER_SHEET + 1 and kept[:-1] == many[:MAX_PER_SHEET]
    assert summary == CELL_CONTROL_CHAR.make(
        codes.SUMMARY_MESSAGE.format(sheet="台账", count=len(many), limit=MAX_PER_SHEET),
        file="a.xlsx",
        sheet="台账",
    )
    assert summary.severity is Severity.WARNING


def test_an_unreadable_workbook_keeps_its_code_across_processes() -> None:
    exc = pickle.loads(pickle.dumps(UnreadableWorkbook(codes.FILE_EMPTY, "文件是空的（0 字节）。")))
    made = exc.finding("a.xlsx")
    assert (made.code, made.severity, made.file) == ("FILE_EMPTY", Severity.ERROR, "a.xlsx")


def test_recipe_adding_a_finding_code(tmp_path: Path) -> None:
    """How to add a code: one entry in the registry, the README tables regenerated, then
    ``CODE.make(...)`` where the problem is found. Here in a copy of the registry."""
    registry = REGISTRY.copy()
    cell_too_early = registry.define(
        FindingCode(
            "CELL_DATE_TOO_EARLY",
            Severity.WARNING,
            Group.CELLS,
            "日期过早",
            "a ledger date before the period starts",
            hint="请核对“{column}”是否属于{period}。",
        )
    )
    made = finding(
        Submission(path=tmp_path / "a.xlsx", department=None),
        cell_too_early,
        "“调解日期”的 2022-12-31 早于本期。",
        sheet="劳动纠纷调解台账",
        cell="B7",
        column="调解日期",
        period="2023年上半年",
    )
    assert made.to_dict() == {
        "code": "CELL_DATE_TOO_EARLY",
        "severity": "警告",
        "message": "“调解日期”的 2022-12-31 早于本期。",
        "file": "a.xlsx",
        "sheet": "劳动纠纷调解台账",
        "cell": "B7",
        "indicator": "",
        "hint": "请核对“调解日期”是否属于2023年上半年。",
    }
    row = "| `CELL_DATE_TOO_EARLY` | 警告 | 日期过早 | a ledger date before the period starts |"
    assert row in _script().tables(registry)
    assert "CELL_DATE_TOO_EARLY" not in REGISTRY
