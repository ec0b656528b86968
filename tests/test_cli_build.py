"""CliRunner tests of build and init: messages, exit codes, and JSON equal to the API result."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import REPORT_PERIOD
from typer.testing import CliRunner

from chengbei_report.cli import app
from chengbei_report.commands.build import build_report

runner = CliRunner()


def test_build_writes_both_outputs_and_prints_their_paths(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", "--period", "2023H1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    document = tmp_path / "城北街道2023年上半年工作总结.docx"
    workpaper = tmp_path / "城北街道2023年上半年工作总结_底稿.xlsx"
    assert document.is_file() and workpaper.is_file()
    assert str(document) in result.output and str(workpaper) in result.output


def test_build_defaults_to_out_period_under_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["build", "-p", "2023H1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "2023H1" / "城北街道2023年上半年工作总结.docx").is_file()


def test_build_json_equals_the_api_result(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["build", "-p", "2023H1", "-o", str(tmp_path / "cli"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    api = build_report(REPORT_PERIOD, out_dir=tmp_path / "cli").to_dict()
    assert json.loads(result.stdout) == api


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["build", "--period", "2023H3"], 2, "无法识别的报告期“2023H3”"),
        (["build", "--period", "2019H1"], 2, "找不到2019年上半年的报表目录"),
        (["build", "--period", "2023H1", "--workspace", "/nonexistent/ws"], 2, "工作区目录不存在"),
        (["build"], 2, "缺少报告期，请用 --period 指定"),
    ],
)
def test_build_usage_errors(args: list[str], code: int, message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


def test_data_error_exits_1_with_the_cell_and_no_output(
    workspace_copy: Path, tmp_path: Path
) -> None:
    import openpyxl

    path = next((workspace_copy / "submissions" / "2023H1").glob("*社会事务*.xlsx"))
    book = openpyxl.load_workbook(path)
    sheet = book["指标"]
    cell = next(
        row[3] for row in sheet.iter_rows(min_row=10) if row[0].value == "social_reemployed"
    )
    cell.value = "约500"
    book.save(path)
    result = runner.invoke(
        app, ["build", "-p", "2023H1", "-w", str(workspace_copy), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert path.name in result.output and f"指标!{cell.coordinate}" in result.output
    assert not (tmp_path / "o").exists()


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--debug", "build", "--period", "2019H1", "-o", str(tmp_path)])
    assert result.exit_code == 2  # as without --debug
    assert "Traceback" in result.stderr and "UsageError" in result.stderr


def test_init_copies_the_sample_and_its_templates(tmp_path: Path) -> None:
    target = tmp_path / "ws"
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "workspace.toml").is_file() and (target / "catalog.toml").is_file()
    assert (target / "templates" / "work_summary.md.j2").is_file()
    assert any((target / "submissions" / "2023H1").glob("*.xlsx"))
    built = runner.invoke(
        app, ["build", "-p", "2023H1", "-w", str(target), "-o", str(tmp_path / "out")]
    )
    assert built.exit_code == 0, built.output


def test_init_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "已存在且不为空" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_every_command_help_has_a_runnable_example() -> None:
    import typer.main

    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert "示例：chengbei-report " + name in (command.help or ""), name


def test_failed_pdf_conversion_leaves_the_whole_old_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """document, 底稿 and PDF are one set: a LibreOffice that fails replaces none of them."""
    from typer.testing import CliRunner

    from chengbei_report import cli

    out = tmp_path / "out"
    args = ["build", "--period", "2023H1", "-o", str(out)]
    assert CliRunner().invoke(cli.app, args).exit_code == 0
    document = next(out.glob("*工作总结.docx"))
    stale = document.with_suffix(".pdf")
    stale.write_bytes(b"%PDF- an older report")
    before = {path.name: path.stat().st_ino for path in out.iterdir()}
    broken = tmp_path / "bin"
    broken.mkdir()
    (broken / "soffice").write_text("#!/bin/sh\necho 'broken install' >&2\nexit 1\n")
    (broken / "soffice").chmod(0o755)
    monkeypatch.setenv("PATH", f"{broken}:{os.environ['PATH']}")
    result = CliRunner().invoke(cli.app, [*args, "--pdf"])
    assert result.exit_code != 0 and "未能将" in result.output, result.output
    assert {path.name: path.stat().st_ino for path in out.iterdir()} == before
    assert stale.read_bytes() == b"%PDF- an older report"
