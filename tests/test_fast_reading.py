"""Reading at scale: limits from the workspace, stray files, column-wise ledgers and checks.

Ledgers are held column by column and checked with whole-column tests; these tests hold the
fast paths to the cell-by-cell meaning they replace.
"""

from __future__ import annotations

import json
import pickle
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path

import openpyxl
import pytest
from conftest import REPORT_PERIOD, stderr_on_a_terminal
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from chengbei_report import cli
from chengbei_report.catalog import Ledger, LedgerColumn
from chengbei_report.codes import FILE_EMPTY
from chengbei_report.commands.build import build_report
from chengbei_report.commands.validate import validate_submissions
from chengbei_report.compute.engine import _distinct_map, _number_or_blank
from chengbei_report.formula import parse_formula
from chengbei_report.project import Project, open_project
from chengbei_report.read.period import load_submissions, submission_files
from chengbei_report.read.safety import Limits, UnreadableWorkbook
from chengbei_report.read.submission import LedgerTable, Submission, cell_decimal, clean_text
from chengbei_report.read.workbook import read_workbook
from chengbei_report.validate.cells import _ledger_empty, _ledger_value, _suspects

LEDGER = Ledger(
    code="cases",
    name="案件台账",
    department="social",
    sheet="案件台账",
    key="编号",
    columns=(
        LedgerColumn("编号", "text", required=True),
        LedgerColumn("日期", "date"),
        LedgerColumn("金额", "number", unit="元"),
        LedgerColumn("件数", "number", unit="件", required=True),
        LedgerColumn("结果", "choice", choices=("成功", "未成")),
    ),
)


def _with_limits(workspace: Path, text: str) -> None:
    config = workspace / "workspace.toml"
    config.write_text(config.read_text(encoding="utf-8") + f"\n[limits]\n{text}\n", "utf-8")


def test_workspace_limits_reach_the_period_and_the_given_files(workspace_copy: Path) -> None:
    _with_limits(workspace_copy, "max_rows = 5")
    result = validate_submissions(period=REPORT_PERIOD, workspace_dir=workspace_copy)
    refused = [f for f in result.findings.errors if f.code == "FILE_TOO_MANY_ROWS"]
    assert refused and all("max_rows" in f.message and "5" in f.message for f in refused)
    one = submission_files(workspace_copy / "submissions" / REPORT_PERIOD.code)[0]
    by_file = validate_submissions(period=REPORT_PERIOD, paths=[one], workspace_dir=workspace_copy)
    assert [f.code for f in by_file.findings.errors] == ["FILE_TOO_MANY_ROWS"]
    assert open_project(workspace_copy).limits == Limits(max_rows=5)


def test_generous_workspace_limits_change_nothing(workspace_copy: Path) -> None:
    _with_limits(workspace_copy, "max_rows = 2000000")
    assert validate_submissions(period=REPORT_PERIOD, workspace_dir=workspace_copy).ok


def test_stray_files_are_warned_of_and_the_build_still_succeeds(
    workspace_copy: Path, tmp_path: Path
) -> None:
    folder = workspace_copy / "submissions" / REPORT_PERIOD.code
    workbooks = submission_files(folder)
    for name in ("README.txt", "说明.docx", "经济发展办公室.xlsx.bak"):
        (folder / name).write_bytes(b"not a workbook")
    assert submission_files(folder) == workbooks
    result = build_report(REPORT_PERIOD, workspace_dir=workspace_copy, out_dir=tmp_path / "out")
    assert result.ok, result.findings.to_dict()
    stray = {f.file for f in result.findings.warnings if f.code == "FILE_NOT_SUBMISSION"}
    assert stray == {"README.txt", "说明.docx", "经济发展办公室.xlsx.bak"}
    checked = validate_submissions(period=REPORT_PERIOD, workspace_dir=workspace_copy)
    assert checked.ok and "README.txt" not in checked.files
    assert {f.file for f in checked.findings.warnings if f.code == "FILE_NOT_SUBMISSION"} == stray


def _ledger_book(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = LEDGER.sheet
    sheet.append([column.name for column in LEDGER.columns] + ["备注"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _table(path: Path) -> LedgerTable:
    from chengbei_report.read.submission import _read_ledger

    workbook = read_workbook(path)
    submission = Submission(path=path, department=None, workbook=workbook)
    return _read_ledger(submission, workbook.sheets[LEDGER.sheet], LEDGER)


def test_ledger_columns_skip_empty_rows_and_clean_text(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        [" A1 ", date(2023, 1, 2), 10.5, 1, "成功"],
        [None, None, None, None, None, None],
        ["A2", None, None, 2, "  ", "只有备注"],
        [None, None, None, None, None, "x"],
    ]
    table = _table(_ledger_book(tmp_path / "ledger.xlsx", rows))
    assert list(table.numbers) == [2, 4, 5]
    assert list(table.column("编号")) == ["A1", "A2", None]
    assert list(table.column("结果")) == ["成功", None, None]
    assert table.raw["编号"][0] == " A1 "
    assert table.column("不存在的列") == [None, None, None]
    assert table.column_range("金额") == "C2:C5"
    assert [row.row for row in table.rows] == [2, 4, 5]
    assert table.rows[1].values == {
        "编号": "A2",
        "日期": None,
        "金额": None,
        "件数": 2,
        "结果": None,
    }


def test_an_empty_ledger_has_no_records(tmp_path: Path) -> None:
    table = _table(_ledger_book(tmp_path / "empty.xlsx", []))
    assert len(table) == 0 and table.rows == [] and table.column_range("件数") == "D2"


CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=5),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.sampled_from(["成功", " 成功 ", "未成", "  ", "", "12", "3件", "约5", "2023-06-30", "x"]),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)),
)


_EMPTY_TABLE = LedgerTable(LEDGER, "f.xlsx", LEDGER.sheet, {}, [], {})


def _cell_findings(column: LedgerColumn, value: object, formula: bool) -> list[str]:
    """The cell-by-cell check, as the validator ran it before columns were checked at once."""
    cleaned = clean_text(value)  # type: ignore[arg-type]
    if cleaned is None:
        found = _ledger_empty("f.xlsx", _EMPTY_TABLE, column, "A2", formula)  # type: ignore[arg-type]
    else:
        found = _ledger_value("f.xlsx", LEDGER, column, cleaned, LEDGER.sheet, "A2")  # type: ignore[arg-type]
    return [finding.code for finding in found]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([*LEDGER.columns, LedgerColumn("序号", "integer", required=True)]),
    st.lists(CELLS, max_size=12),
    st.booleans(),
)
@example(LEDGER.columns[0], [""], False)  # an empty string is a blank required cell
def test_the_column_tests_never_pass_over_a_problem(
    column: LedgerColumn, values: list[object], formulas: bool
) -> None:
    blanks = column.required or formulas
    suspects = set(_suspects(values, column, blanks))  # type: ignore[arg-type]
    for index, value in enumerate(values):
        if index not in suspects:
            assert _cell_findings(column, value, formulas) == [], (index, value)


@given(st.lists(CELLS, max_size=12))
def test_distinct_values_convert_as_each_cell_would(values: list[object]) -> None:
    expected = [_number_or_blank(cell_decimal, v) for v in values]  # type: ignore[arg-type]
    got = _distinct_map(values, partial(_number_or_blank, cell_decimal))  # type: ignore[arg-type]
    assert len(got) == len(expected)
    for one, other in zip(got, expected, strict=True):
        assert (one is None and other is None) or (type(one) is type(other) and one == other)


def test_cell_problems_come_out_in_row_order_and_are_capped(workspace_copy: Path) -> None:
    """Bad cells in two columns of a sample ledger: findings in reading order, then a summary."""
    catalog = open_project(workspace_copy).catalog
    ledger = next(
        ledger
        for ledger in catalog.ledgers.values()
        if any(c.type == "choice" for c in ledger.columns)
        and any(c.type in ("number", "integer") for c in ledger.columns)
    )
    folder = workspace_copy / "submissions" / REPORT_PERIOD.code
    target = next(
        p for p in submission_files(folder) if ledger.sheet in openpyxl.load_workbook(p).sheetnames
    )
    book = openpyxl.load_workbook(target)
    sheet = book[ledger.sheet]
    header = [cell.value for cell in sheet[1]]
    numeric = next(c for c in ledger.columns if c.type in ("number", "integer"))
    choice = next(c for c in ledger.columns if c.type == "choice")
    for row in range(2, 62):
        sheet.cell(row=row, column=header.index(numeric.name) + 1).value = -1
    sheet.cell(row=3, column=header.index(choice.name) + 1).value = "不在清单"
    book.save(target)
    result = validate_submissions(period=REPORT_PERIOD, workspace_dir=workspace_copy)
    mine = [
        f for f in result.findings.findings if f.file == target.name and f.sheet == ledger.sheet
    ]
    negative = [f for f in mine if f.code == "CELL_NEGATIVE"]
    assert len(negative) == 51  # 50 shown, then one summary naming the count
    rows = [int(f.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) for f in negative[:50]]
    assert rows == list(range(2, 52))
    assert "共有 60 处" in negative[-1].message
    bad_choice = next(f for f in mine if f.code == "CELL_BAD_CHOICE")
    assert bad_choice.cell.endswith("3")
    assert mine.index(negative[0]) < mine.index(bad_choice) < mine.index(negative[2])


def test_a_refusal_survives_the_trip_between_processes() -> None:
    refusal = UnreadableWorkbook(FILE_EMPTY, "文件是空的（0 字节）。", "请重新索取。")
    back = pickle.loads(pickle.dumps(refusal))
    assert (back.code, back.message, back.hint) == ("FILE_EMPTY", refusal.message, "请重新索取。")


def test_load_submissions_reports_progress_and_keeps_order(
    sample_dir: Path,
) -> None:
    project = open_project(sample_dir)
    files = submission_files(sample_dir / "submissions" / REPORT_PERIOD.code)
    heard: list[tuple[str, int, int]] = []
    loaded = load_submissions(files, project.catalog, lambda *call: heard.append(call))
    assert [s.path for s in loaded] == files
    assert [done for _, done, _ in heard] == [*range(len(files)), len(files)]
    assert heard[0][0].endswith(files[0].name)


def _evaluate(project: Project, formula: str) -> Decimal:
    return project.engine.evaluate(parse_formula(formula), REPORT_PERIOD, formula).value


def test_ledger_sums_and_conditions_match_the_rows(sample_dir: Path) -> None:
    """count / sum / distinct over columns agree with the row views of the same ledgers."""
    project = open_project(sample_dir)
    data = project.period_data(REPORT_PERIOD)
    tables = [
        (ledger, table)
        for ledger in project.catalog.ledgers.values()
        if (table := data.ledger(ledger.code, ledger.department)) is not None
    ]
    assert tables
    for ledger, table in tables:
        rows = table.rows
        assert _evaluate(project, f"count({ledger.code})") == len(rows)
        for column in ledger.columns:
            name = column.name
            values = [row.values[name] for row in rows]
            if column.type in ("number", "integer"):
                expected = sum((_number_or_blank(cell_decimal, v) for v in values), Decimal(0))  # type: ignore[arg-type]
                assert _evaluate(project, f"sum({ledger.code}.{name})") == expected
                over = f"count({ledger.code}, {name} > 1)"
                assert _evaluate(project, over) == sum(
                    1
                    for v in values
                    if _number_or_blank(cell_decimal, v) is not None and v is not None and v > 1
                )
            elif column.type == "choice":
                for choice in column.choices:
                    formula = f'count({ledger.code}, not {name} != "{choice}")'
                    assert _evaluate(project, formula) == values.count(choice)
            else:
                distinct = _evaluate(project, f"distinct({ledger.code}.{name})")
                assert distinct == len(set(values) - {None})


@pytest.mark.slow
def test_validate_shows_a_progress_bar_on_a_terminal_unless_quiet() -> None:
    shown = stderr_on_a_terminal(["validate", "-p", "2023H1", "-w", "sample_data"])
    assert "━" in shown and "报表" in shown
    assert stderr_on_a_terminal(["--quiet", "validate", "-p", "2023H1", "-w", "sample_data"]) == ""


def test_validate_without_a_terminal_shows_no_bar_and_json_is_the_result() -> None:
    result = CliRunner().invoke(cli.app, ["validate", "-p", "2023H1", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "━" not in result.stderr and "\x1b[" not in result.stderr
    expected = validate_submissions(period=REPORT_PERIOD).to_dict()
    assert json.loads(result.stdout) == json.loads(json.dumps(expected, default=str))
