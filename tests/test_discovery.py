"""The workspace is found as git finds a repository; --workspace overrides; else the sample,
said in one line.  Paths that are files, read-only outputs and init's hint."""

from __future__ import annotations

import json
import os
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chengbei_report.cli import app
from chengbei_report.workspace import bundled_path, choose_workspace, find_workspace

runner = CliRunner()
NOTICE = "未找到工作区，使用内置示例工作区（城北街道）"


@pytest.fixture
def jiangnan(tmp_path: Path, sample_dir: Path) -> Path:
    """A workspace made by init whose unit was renamed: its reports are not 城北's."""
    target = tmp_path / "江南"
    assert runner.invoke(app, ["init", str(target)]).exit_code == 0
    config = target / "workspace.toml"
    config.write_text(
        config.read_text("utf-8").replace('name = "城北街道"', 'name = "江南街道"'), "utf-8"
    )
    return target


def _status_json(cwd: Path, *extra: str) -> tuple[dict[str, object], str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(app, ["status", "-p", "2023H1", "-f", "json", *extra])
    finally:
        os.chdir(old)
    return json.loads(result.stdout), result.stderr


def test_a_command_in_a_workspace_or_below_uses_it(jiangnan: Path) -> None:
    for cwd in (jiangnan, jiangnan / "submissions" / "2023H1"):
        data, stderr = _status_json(cwd)
        assert data["folder"] == str(jiangnan.resolve() / "submissions" / "2023H1")
        assert NOTICE not in stderr
    assert find_workspace(jiangnan / "templates") == jiangnan.resolve()


def test_workspace_overrides_the_one_around(jiangnan: Path, sample_dir: Path) -> None:
    data, _ = _status_json(jiangnan, "--workspace", str(sample_dir))
    assert data["folder"] == str(sample_dir.resolve() / "submissions" / "2023H1")


def test_with_neither_the_sample_is_used_and_said_once(tmp_path: Path) -> None:
    data, stderr = _status_json(tmp_path)
    assert data["folder"] == str(bundled_path("sample_data").resolve() / "submissions" / "2023H1")
    assert stderr.splitlines() == [NOTICE]
    choice = choose_workspace(None, tmp_path)
    assert choice.bundled and choice.root == bundled_path("sample_data")


def test_build_in_an_empty_folder_builds_the_sample_there(tmp_path: Path) -> None:
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = runner.invoke(app, ["build", "--period", "2023H1"])
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [NOTICE]
    assert (tmp_path / "out" / "2023H1" / "城北街道2023年上半年工作总结.docx").is_file()


def test_a_renamed_unit_is_not_built_as_chengbei(jiangnan: Path) -> None:
    old = Path.cwd()
    os.chdir(jiangnan)
    try:
        result = runner.invoke(app, ["validate", "--period", "2023H1"])
    finally:
        os.chdir(old)
    assert result.exit_code == 1
    assert "FILE_WRONG_UNIT" in result.stdout and NOTICE not in result.stderr


def test_workspace_naming_a_file_says_it_is_a_file(tmp_path: Path) -> None:
    afile = tmp_path / "afile.txt"
    afile.write_text("x", "utf-8")
    result = runner.invoke(app, ["build", "-p", "2023H1", "--workspace", str(afile)])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == f"错误：{afile} 是一个文件，不是工作区目录。"


def test_workspace_naming_its_config_file_uses_its_folder(sample_dir: Path) -> None:
    data, _ = _status_json(sample_dir, "--workspace", str(sample_dir / "workspace.toml"))
    assert data["ok"] is True


def test_init_naming_a_file_says_it_is_a_file(tmp_path: Path) -> None:
    afile = tmp_path / "afile.txt"
    afile.write_text("x", "utf-8")
    result = runner.invoke(app, ["init", str(afile)])
    assert result.exit_code == 2
    assert (
        result.stderr.splitlines()[0]
        == f"错误：{afile} 是一个文件，不能作为工作区目录，未做任何改动。"
    )
    assert afile.read_text("utf-8") == "x"


def test_init_quotes_the_path_in_its_hint_and_the_hint_runs(tmp_path: Path) -> None:
    target = tmp_path / "新 工作区 2"
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 0
    hint = result.stdout.splitlines()[1]
    assert hint == (
        "生成报告：chengbei-report build --period 2023H1 --workspace "
        + shlex.quote(str(target.resolve()))
    )
    argv = shlex.split(hint.removeprefix("生成报告："))[1:]
    built = runner.invoke(app, [*argv, "--out", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_out_is_said_in_chinese(tmp_path: Path) -> None:
    out = tmp_path / "只读"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = runner.invoke(app, ["build", "-p", "2023H1", "--out", str(out)])
    finally:
        out.chmod(0o755)
    assert result.exit_code == 1
    assert "没有写入权限" in result.stderr and "Permission" not in result.stderr


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs a system folder no one writes")
def test_an_unwritable_out_is_said_in_chinese_without_the_system_text(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", "-p", "2023H1", "--out", "/sys/chengbei-report-test"])
    assert result.exit_code == 1
    message, hint = result.stderr.splitlines()[-2:]
    assert message.startswith("错误：无法写入文件 /sys/chengbei-report-test/")
    assert message.endswith(("：没有写入权限", "：磁盘是只读的"))
    assert hint.startswith("提示：") and "denied" not in result.stderr


def test_os_errors_are_described_in_chinese() -> None:
    import errno

    from chengbei_report.render.output import os_error_reason

    problem, hint = os_error_reason(OSError(errno.EROFS, "Read-only file system"))
    assert (problem, hint) == ("磁盘是只读的", "请写到可写的目录")  # init has no --out
    assert "Word" not in hint


def test_a_copy_of_the_sample_is_found_from_inside(tmp_path: Path, sample_dir: Path) -> None:
    copy = tmp_path / "副本"
    shutil.copytree(sample_dir, copy)
    data, stderr = _status_json(copy / "submissions")
    assert data["folder"] == str(copy.resolve() / "submissions" / "2023H1") and not stderr
