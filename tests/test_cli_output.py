"""Exact text output of every command on the sample, against tests/data/cli/<case>.txt.

Each expected file holds the exit code, stdout and stderr of one run, with the temporary folder
written as <TMP> and the project folder as <ROOT>. After an intended change of output, refresh
them with ``python -m pytest tests/test_cli_output.py --update-golden`` and review ``git diff``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from chengbei_report.cli import app
from chengbei_report.commands.build import BuildResult

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "cli"
SOCIAL = "城北街道_2023H1_社会事务管理办公室.xlsx"
# Piped, tables keep their natural width; the terminal width only shapes help texts.
COLUMNS = "120"

Setup = Callable[[Path, BuildResult], list[str]]


def _row(sheet: openpyxl.worksheet.worksheet.Worksheet, code: str) -> int:
    return next(row[0].row for row in sheet.iter_rows() if row[0].value == code)


def _broken_workbook(tmp: Path) -> Path:
    """The README's example: a full-width number with a space, and an approximate one."""
    path = tmp / "报表" / SOCIAL
    path.parent.mkdir(exist_ok=True)
    shutil.copy(ROOT / "sample_data" / "submissions" / "2023H1" / SOCIAL, path)
    book = openpyxl.load_workbook(path)
    sheet = book["指标"]
    sheet.cell(_row(sheet, "social_unemployed_assisted"), 4, "５０８ ")
    sheet.cell(_row(sheet, "social_reemployed"), 4, "约500")
    book.save(path)
    return path


def _broken_workspace(tmp: Path) -> list[str]:
    """A copy of the sample whose 2023H1 folder holds the broken workbook."""
    workspace = Path(shutil.copytree(ROOT / "sample_data", tmp / "ws"))
    shutil.copy(_broken_workbook(tmp), workspace / "submissions" / "2023H1" / SOCIAL)
    return ["--workspace", str(workspace)]


def _dated_workspace(tmp: Path) -> list[str]:
    """A copy of the sample whose files were all last changed at one known moment."""
    import os
    from datetime import datetime

    workspace = Path(shutil.copytree(ROOT / "sample_data", tmp / "ws"))
    moment = datetime(2023, 7, 6, 9, 30).timestamp()
    for path in (workspace / "submissions" / "2023H1").iterdir():
        os.utime(path, (moment, moment))
    return ["--workspace", str(workspace)]


def _resubmission(tmp: Path) -> list[Path]:
    """A workbook and its second version: one value changed, one ledger row gone, one added."""
    old, new = tmp / "第一版.xlsx", tmp / "第二版.xlsx"
    shutil.copy(ROOT / "sample_data" / "submissions" / "2023H1" / SOCIAL, old)
    book = openpyxl.load_workbook(old)
    sheet = book["指标"]
    sheet.cell(_row(sheet, "social_reemployed"), 4, 501)
    ledger = book["劳动纠纷调解台账"]
    ledger.delete_rows(3)
    ledger.append(["LD2023-999", None, "孙某", "某某商贸公司", 2400, "调解成功"])
    book.save(new)
    return [old, new]


def _edited_report(tmp: Path, built: BuildResult) -> Path:
    """The built report with one figure retyped wrongly, as in the README."""
    assert built.document is not None
    path = tmp / "工作总结.docx"
    document = docx.Document(str(built.document))
    run = next(r for p in document.paragraphs for r in p.runs if "98.43%" in r.text)
    run.text = run.text.replace("98.43%", "98.34%", 1)
    document.save(str(path))
    return path


def _typed_draft(tmp: Path, built: BuildResult) -> Path:
    """The 2024H1 draft of the built report, with a sentence whose figure a person typed."""
    from chengbei_report.commands.draft import draft_report
    from chengbei_report.periods import Period

    draft = draft_report(Period.parse("2024H1"), source=built.document, out_dir=tmp / "out")
    document = docx.Document(str(draft.document))
    night = next(p for p in document.paragraphs if p.text.startswith("三是盘活闲置资源"))
    night.insert_paragraph_before("据统计，夜吉市日均客流量达2980人。").style = night.style
    document.save(str(draft.document))
    return draft.document


CASES: dict[str, Setup] = {
    "draft": lambda tmp, built: [
        "draft",
        "--period",
        "2024H1",
        "--from",
        shutil.copy(built.document, tmp),
        "--out",
        str(tmp / "out"),
    ],
    "bind": lambda tmp, built: ["bind", str(_typed_draft(tmp, built)), "--period", "2024H1"],
    "build": lambda tmp, _: ["build", "--period", "2023H1", "--out", str(tmp / "out")],
    "build_broken": lambda tmp, _: [
        "build",
        "-p",
        "2023H1",
        "-o",
        str(tmp / "out"),
        *_broken_workspace(tmp),
    ],
    "build_no_period_folder": lambda tmp, _: ["build", "--period", "2019H1"],
    "init": lambda tmp, _: ["init", str(tmp / "我的工作区")],
    "validate_clean": lambda tmp, _: ["validate", "--period", "2023H1"],
    "validate_broken": lambda tmp, _: ["validate", "--period", "2023H1", *_broken_workspace(tmp)],
    "validate_files": lambda tmp, _: ["validate", str(_broken_workbook(tmp))],
    "validate_annotate": lambda tmp, _: [
        "validate",
        str(_broken_workbook(tmp)),
        "--annotate",
        str(tmp / "批注"),
    ],
    "validate_notices": lambda tmp, _: [
        "validate",
        "--period",
        "2023H1",
        *_broken_workspace(tmp),
        "--annotate",
        str(tmp / "批注"),
        "--notices",
        str(tmp / "批注"),
    ],
    "status": lambda tmp, _: ["status", "--period", "2023H1", *_dated_workspace(tmp)],
    "forms": lambda tmp, _: ["forms", "--period", "2023H2", "--out", str(tmp / "填报表")],
    "diff_periods": lambda tmp, _: ["diff", "2022H1", "2023H1"],
    "diff_workbooks": lambda tmp, _: ["diff", *map(str, _resubmission(tmp))],
    "check": lambda tmp, built: [
        "check",
        str(_edited_report(tmp, built)),
        "--period",
        "2023H1",
    ],
}


def _transcript(exit_code: int, stdout: str, stderr: str, tmp: Path) -> str:
    text = f"$ exit {exit_code}\n--- stdout\n{stdout}--- stderr\n{stderr}"
    return text.replace(str(tmp), "<TMP>").replace(str(ROOT), "<ROOT>")


@pytest.mark.parametrize("case", sorted(CASES))
def test_command_output_is_exactly_the_expected_text(
    case: str,
    tmp_path: Path,
    built_sample: BuildResult,
    update_golden: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", COLUMNS)
    args = CASES[case](tmp_path, built_sample)
    result = CliRunner().invoke(app, ["--quiet", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    actual = _transcript(result.exit_code, result.stdout, result.stderr, tmp_path)
    expected = GOLDEN / f"{case}.txt"
    if update_golden:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(actual, encoding="utf-8")
    assert expected.is_file(), f"no expected output: run pytest {__file__} --update-golden"
    assert actual == expected.read_text(encoding="utf-8")


def test_every_expected_file_belongs_to_a_case() -> None:
    """A case removed from CASES leaves no stale expected text behind."""
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == sorted(CASES)
