"""The official layout on every route: --date and [report] date, the Word starter of init."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from conftest import REPORT_PERIOD
from docx.oxml.ns import qn
from typer.testing import CliRunner

from chengbei_report.cli import app
from chengbei_report.commands.build import BuildResult, build_report
from chengbei_report.errors import WorkspaceError
from chengbei_report.workspace import open_workspace

runner = CliRunner()
DOCUMENT = "城北街道2023年上半年工作总结.docx"


def _texts(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs if p.text]


def test_build_date_prints_the_date_line_and_rebuilds_identically(tmp_path: Path) -> None:
    outputs = []
    for name in ("a", "b"):
        result = runner.invoke(
            app, ["build", "-p", "2023H1", "-o", str(tmp_path / name), "--date", "2023-07-10"]
        )
        assert result.exit_code == 0, result.output
        outputs.append((tmp_path / name / DOCUMENT).read_bytes())
    assert outputs[0] == outputs[1]
    assert _texts(tmp_path / "a" / DOCUMENT)[-2:] == ["城北街道办事处", "2023年7月10日"]


def test_without_a_date_there_is_no_date_line(built_sample: BuildResult) -> None:
    assert _texts(built_sample.document)[-1] == "城北街道办事处"


def test_a_wrong_date_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", "-p", "2023H1", "-o", str(tmp_path), "--date", "7/10"])
    assert result.exit_code == 2
    assert "错误：成文日期“7/10”不是有效的日期。" in result.output
    assert "提示：请写成 YYYY-MM-DD，如 2023-07-10。" in result.output
    assert not any(tmp_path.iterdir())


def _with_report_setting(workspace: Path, line: str) -> Path:
    config = workspace / "workspace.toml"
    text = config.read_text(encoding="utf-8").replace("[report]\n", f"[report]\n{line}\n")
    config.write_text(text, encoding="utf-8")
    return workspace


def test_the_workspace_date_is_used_and_the_option_wins(
    tmp_path: Path, workspace_copy: Path
) -> None:
    workspace = _with_report_setting(workspace_copy, "date = 2023-07-12")
    result = build_report(REPORT_PERIOD, workspace_dir=workspace, out_dir=tmp_path / "ws")
    assert _texts(result.document)[-1] == "2023年7月12日"
    cli = runner.invoke(
        app,
        [
            "build",
            "-p",
            "2023H1",
            "-w",
            str(workspace),
            "-o",
            str(tmp_path / "cli"),
            "--date",
            "2023-07-10",
        ],
    )
    assert cli.exit_code == 0, cli.output
    assert _texts(tmp_path / "cli" / DOCUMENT)[-1] == "2023年7月10日"


def test_a_wrong_workspace_date_names_the_setting(workspace_copy: Path) -> None:
    workspace = _with_report_setting(workspace_copy, 'date = "2023年7月"')
    with pytest.raises(WorkspaceError, match="成文日期“2023年7月”不是有效的日期"):
        open_workspace(workspace)


def test_init_puts_a_word_starter_that_builds_the_same_report(
    tmp_path: Path, built_sample: BuildResult
) -> None:
    target = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(target)]).exit_code == 0
    starter = target / "templates" / "work_summary.docx"
    source = docx.Document(str(starter))
    assert "{{ year.econ_tax | num }}" in "".join(p.text for p in source.paragraphs)
    assert source.paragraphs[2].style.name == "Heading 1"  # the official layout already
    result = runner.invoke(
        app,
        [
            "build",
            "-p",
            "2023H1",
            "-w",
            str(target),
            "-o",
            str(tmp_path / "out"),
            "--template",
            str(starter),
        ],
    )
    assert result.exit_code == 0, result.output
    built = tmp_path / "out" / DOCUMENT
    assert _texts(built) == _texts(built_sample.document)
    document = docx.Document(str(built))
    section = document.sections[0]
    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)
    styles = [p.style.name for p in document.paragraphs if p.text]
    assert styles == [p.style.name for p in docx.Document(str(built_sample.document)).paragraphs]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    assert "共 34 段，引用数字 80 个。" in result.output
