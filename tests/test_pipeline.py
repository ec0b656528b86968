"""The document follows its data: change a source cell or a ledger row and rebuild."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import REPORT_PERIOD

from chengbei_report.commands.build import build_report
from chengbei_report.errors import ComputeError, UsageError
from chengbei_report.periods import Period
from chengbei_report.project import open_project


def _cell_of(workspace: Path, code: str, period: Period = REPORT_PERIOD) -> tuple[Path, str]:
    """The workbook and cell that hold a reported indicator, found the way the engine finds it."""
    figure = open_project(workspace).engine.figure(code, period)
    (source,) = figure.sources
    return workspace / "submissions" / period.code / source.file, source.cell


def _set_cell(path: Path, sheet: str, cell: str, value: object) -> None:
    book = openpyxl.load_workbook(path)
    book[sheet][cell] = value
    book.save(path)


def _body(result) -> str:
    return "\n".join(p.text for p in docx.Document(str(result.document)).paragraphs)


def test_changed_source_cell_changes_figure_and_rate(workspace_copy: Path, tmp_path: Path) -> None:
    path, cell = _cell_of(workspace_copy, "social_reemployed")
    _set_cell(path, "指标", cell, 490)
    result = build_report(REPORT_PERIOD, workspace_dir=workspace_copy, out_dir=tmp_path / "out")
    body = _body(result)
    assert "帮扶成功就业490人，已帮扶就业率96.46%" in body
    assert "98.43%" not in body


def test_changed_ledger_row_changes_its_aggregate(workspace_copy: Path, tmp_path: Path) -> None:
    project = open_project(workspace_copy)
    assert project.engine.figure("social_mediation_amount", REPORT_PERIOD).value == Decimal("38.67")
    table = project.period_data(REPORT_PERIOD).ledger("mediation", "social")
    first = next(row for row in table.rows if row.values["调解结果"] == "调解成功")
    column = openpyxl.utils.get_column_letter(table.columns["涉及金额"] + 1)
    book_path = workspace_copy / "submissions" / REPORT_PERIOD.code / table.file
    _set_cell(book_path, table.sheet, f"{column}{first.row}", int(first.values["涉及金额"]) + 10000)
    result = build_report(REPORT_PERIOD, workspace_dir=workspace_copy, out_dir=tmp_path / "out")
    assert "涉及金额39.67万元" in _body(result)


def test_missing_period_folder_is_a_usage_error_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="2019年上半年"):
        build_report(Period.parse("2019H1"), out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_division_by_zero_names_the_indicator(workspace_copy: Path) -> None:
    path, cell = _cell_of(workspace_copy, "social_unemployed_assisted")
    _set_cell(path, "指标", cell, 0)
    engine = open_project(workspace_copy).engine
    with pytest.raises(ComputeError, match=r"social_reemployment_rate.*除数为零"):
        engine.figure("social_reemployment_rate", REPORT_PERIOD)


def test_missing_input_names_indicator_department_and_period(workspace_copy: Path) -> None:
    path, _cell = _cell_of(workspace_copy, "econ_tax", Period.parse("2002"))
    path.unlink()
    engine = open_project(workspace_copy).engine
    with pytest.raises(ComputeError, match=r"2002年.*经济发展办公室.*econ_tax"):
        engine.figure("econ_tax_multiple", Period.parse("2022"))


def test_errors_in_data_stop_the_build_before_any_output(
    workspace_copy: Path, tmp_path: Path
) -> None:
    path, cell = _cell_of(workspace_copy, "social_reemployed")
    _set_cell(path, "指标", cell, "待统计")
    result = build_report(REPORT_PERIOD, workspace_dir=workspace_copy, out_dir=tmp_path / "out")
    assert not result.ok
    assert any(f.cell == cell and f.file == path.name for f in result.findings.errors)
    assert not (tmp_path / "out").exists()


def test_a_wrong_workbook_in_another_period_the_report_uses_stops_the_build(
    workspace_copy: Path, tmp_path: Path
) -> None:
    """2021's economy workbook copied over 2022's would publish last year's tax as 2022's."""
    annual = workspace_copy / "submissions"
    (stale,) = (annual / "2021").glob("*经济发展办公室.xlsx")
    (current,) = (annual / "2022").glob("*经济发展办公室.xlsx")
    current.write_bytes(stale.read_bytes())
    result = build_report(REPORT_PERIOD, workspace_dir=workspace_copy, out_dir=tmp_path / "out")
    assert not result.ok
    assert [(f.code, f.file) for f in result.findings.errors] == [
        ("FILE_WRONG_PERIOD", f"2022/{current.name}")
    ]
    assert not (tmp_path / "out").exists()
