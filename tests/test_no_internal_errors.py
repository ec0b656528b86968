"""Nothing a user or a department puts into a workspace, and no full disk, ends in exit 3."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from chengbei_report import cli

ECONOMY = "城北街道_2023H1_经济发展办公室.xlsx"


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.app, list(args))
    return result.exit_code, result.output


def _in_subprocess(
    argv: list[str], preamble: str = "", fsize: int | None = None
) -> subprocess.CompletedProcess[str]:
    """``chengbei-report ARGV`` in a fresh interpreter, after ``preamble``, under a file-size limit."""
    code = f"import sys\n{preamble}\nfrom chengbei_report.cli import main\nsys.argv = ['chengbei-report', *{argv!r}]\nmain()\n"

    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, preexec_fn=limit, timeout=120
    )


# --- huge values -------------------------------------------------------------------------------


def test_a_huge_value_on_an_indicator_with_a_threshold_is_a_finding(
    workspace_copy: Path, tmp_path: Path
) -> None:
    catalog = workspace_copy / "catalog.toml"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(
        text.replace(
            'code = "econ_park_units"\n', 'code = "econ_park_units"\nthreshold = 0.5\n', 1
        ),
        encoding="utf-8",
    )
    config = workspace_copy / "workspace.toml"  # beyond max_value is CELL_TOO_LARGE, tested apart
    limits = "\n[limits]\nmax_value = 10000000000000000000000000000\n"
    config.write_text(config.read_text(encoding="utf-8") + limits, encoding="utf-8")
    path = workspace_copy / "submissions" / "2023H1" / ECONOMY
    book = openpyxl.load_workbook(path)
    book["指标"]["D10"] = 1.3e27
    book.save(path)
    for command in ("validate", "build"):
        code, output = _cli(
            command,
            "-p",
            "2023H1",
            "-w",
            str(workspace_copy),
            *(["-o", str(tmp_path)] if command == "build" else []),
        )
        assert code in (0, 1), output
        assert "RULE_CHANGE_LARGE 指标!D10" in output
        assert "内部错误" not in output
    code, output = _cli("diff", "2022H1", "2023H1", "-w", str(workspace_copy), "-f", "csv")
    assert code == 0 and "超阈值" in output


# --- names in workspace.toml -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("document", "报告\\u0000.docx"),
        ("document", "报告\\n第二行.docx"),
        ("workpaper", "底稿\\r.xlsx"),
        ("template", "work_summary\\n.md.j2"),
    ],
)
def test_control_characters_in_workspace_names_are_a_named_error(
    workspace_copy: Path, tmp_path: Path, key: str, value: str
) -> None:
    config = workspace_copy / "workspace.toml"
    lines = [
        line
        for line in config.read_text(encoding="utf-8").splitlines()
        if not line.startswith(f"{key} =")
    ]
    report = lines.index("[report]")
    lines.insert(report + 1, f'{key} = "{value}"')
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, output = _cli(
        "build", "-p", "2023H1", "-w", str(workspace_copy), "-o", str(tmp_path / "out")
    )
    assert code == 1, output
    assert f"{key} 的值含有换行符或控制字符" in output
    assert not (tmp_path / "out").exists()


# --- the environment: a file-size limit, a full disk ----------------------------------------------


@pytest.mark.slow
def test_a_file_size_limit_is_a_chinese_message(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _in_subprocess(["build", "-p", "2023H1", "-o", str(out)], fsize=20_000)
    assert result.returncode == 1, result.stderr
    assert "文件超过系统允许的大小" in result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == []  # no half-written or temporary file


@pytest.mark.slow
def test_a_full_disk_is_a_chinese_message(tmp_path: Path) -> None:
    out = tmp_path / "out"
    full = (
        "import errno, os, stat\n"
        "real = os.write\n"
        "def write(fd, data):\n"
        "    if stat.S_ISREG(os.fstat(fd).st_mode) and len(data) > 4096:\n"
        "        raise OSError(errno.ENOSPC, 'No space left on device')\n"
        "    return real(fd, data)\n"
        "os.write = write\n"
    )
    result = _in_subprocess(["build", "-p", "2023H1", "-o", str(out)], preamble=full)
    assert result.returncode == 1, result.stderr
    assert "磁盘空间不足" in result.stderr and "请清理磁盘空间" in result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == []


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda tmp: tmp / ("长" * 90 + ".csv"), "文件名过长"),
        (lambda tmp: tmp / "一个文件" / "对比.csv", "路径中有一段是文件"),
    ],
)
def test_impossible_output_paths_are_chinese_messages(
    tmp_path: Path, make: object, reason: str
) -> None:
    (tmp_path / "一个文件").write_bytes(b"x")
    target = make(tmp_path)  # type: ignore[operator]
    code, output = _cli("diff", "2022H1", "2023H1", "-f", "csv", "-o", str(target))
    assert code == 1, output
    assert reason in output and "内部错误" not in output


@pytest.mark.slow
def test_init_under_a_file_size_limit_is_a_chinese_message(tmp_path: Path) -> None:
    target = tmp_path / "工作区"
    result = _in_subprocess(["init", str(target)], fsize=20_000)
    assert result.returncode == 1, result.stderr
    assert "无法创建工作区" in result.stderr and "文件超过系统允许的大小" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # neither the workspace nor its staging folder
