"""Every word the command line prints is Chinese, the command-line library's own included:
usage errors of every kind, help panels and marks; global options after the command; the same
exit codes with --debug; Ctrl+C at any moment."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer.main
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from chengbei_report.cli import app
from chengbei_report.cli_i18n import hoist_global_flags
from chengbei_report.toml_text import toml_problem

runner = CliRunner()
ROOT = typer.main.get_command(app)
COMMANDS = ROOT.commands  # type: ignore[attr-defined]
WIDE = {"COLUMNS": "200"}

# Words of English sentences (click's "No such option", "Try … for help", typer's panels).
ENGLISH = re.compile(
    r"\b(usage|options?|arguments?|commands?|error|default|required|missing|invalid|such|"
    r"try|for|the|is|not|no|did|you|mean|got|unexpected|extra|value|choose|from|requires|"
    r"takes?|does|aborted|possible|env|var|deprecated|show|this|message|exit|and|or|a|an|"
    r"of|to|be|should|input|valid|expected|cannot)\b",
    re.IGNORECASE,
)


def _english(text: str) -> list[str]:
    """English words left once commands, options, choices and file names are taken out."""
    names = r"chengbei-report|--?[\w-]+|\w+\.(?:xlsx|docx|md\.j2|md|toml|txt|csv|json)"
    cleaned = re.sub(names, " ", text)
    for name in COMMANDS:
        cleaned = re.sub(rf"\b{name}\b", " ", cleaned)
    return ENGLISH.findall(cleaned)


def _params(command: object) -> list[object]:
    return list(command.params)  # type: ignore[attr-defined]


def _options(command: object) -> list[object]:
    return [p for p in _params(command) if p.param_type_name == "option"]  # type: ignore[attr-defined]


def _required_args(command: object) -> list[object]:
    return [p for p in _params(command) if p.param_type_name == "argument" and p.required]  # type: ignore[attr-defined]


def _choices(option: object) -> list[str]:
    descriptor = option.type_descriptor  # type: ignore[attr-defined]
    return [c.value for c in descriptor.choices] if descriptor.is_choice else []


def _usage_errors() -> list[list[str]]:
    """One invocation per kind of usage error, for every command and option."""
    cases: list[list[str]] = [["--bogus"], ["--debug"], ["--quiet", "--bogus", "build"]]
    for name, command in COMMANDS.items():
        cases.append([name[:-1] + "x"])  # unknown command, with a suggestion
        cases.append([name, "--bogus"])  # unknown option, no suggestion
        required = ["2022H1", "2023H1"][: len(_required_args(command))]
        if required:
            cases.append([name])  # missing argument
        cases.append([name, *required, "多余", "参数", "x"])  # extra arguments
        for option in _options(command):
            flag = next(o for o in option.opts if o.startswith("--"))  # type: ignore[attr-defined]
            cases.append([name, *required, flag[:-1]])  # near miss: a suggestion
            if option.is_flag:  # type: ignore[attr-defined]
                cases.append([name, *required, f"{flag}=1"])  # a flag takes no value
                continue
            cases.append([name, *required, flag])  # missing value
            if _choices(option):
                cases.append([name, *required, flag, "xml"])  # invalid choice
    return cases


USAGE_ERRORS = _usage_errors()


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=" ".join)
def test_every_usage_error_is_chinese_and_exits_2(args: list[str]) -> None:
    result = runner.invoke(app, args, env=WIDE)
    assert result.exit_code == 2, result.output
    assert "错误：" in result.stderr
    assert not _english(result.output), result.output
    debug = runner.invoke(app, ["--debug", *args], env=WIDE)
    assert debug.exit_code == 2  # our own usage errors add their traceback, click's do not
    assert set(result.stderr.splitlines()) <= set(debug.stderr.splitlines())


def test_the_collection_covers_every_kind() -> None:
    messages = {
        line
        for args in USAGE_ERRORS
        for line in runner.invoke(app, args, env=WIDE).stderr.splitlines()
        if line.startswith("错误：")
    }
    kinds = ("没有", "这个命令", "是不是想用", "缺少参数", "多余的参数", "后面缺少值", "不带值")
    for kind in (*kinds, "不是可用的值", "缺少命令"):
        assert any(kind in message for message in messages), kind


@pytest.mark.parametrize(
    ("args", "lines"),
    [
        (
            ["build", "--zzz"],
            [
                "用法：chengbei-report build [选项]",
                "错误：没有 --zzz 这个选项。",
                "提示：运行 chengbei-report build -h 查看用法。",
            ],
        ),
        (
            ["build", "--ot"],
            [
                "用法：chengbei-report build [选项]",
                "错误：没有 --ot 这个选项。是不是想用 --date、--format、--out？",
                "提示：运行 chengbei-report build -h 查看用法。",
            ],
        ),
        (
            ["biuld"],
            [
                "用法：chengbei-report [选项] 命令 [参数]...",
                "错误：没有 biuld 这个命令。是不是想用 build、bind？",
                "提示：运行 chengbei-report -h 查看用法。",
            ],
        ),
        (
            ["validate", "--format", "xml"],
            [
                "用法：chengbei-report validate [选项] [文件或文件夹]...",
                "错误：选项 --format / -f 的值有误：“xml”不是可用的值（可选：text、json）。",
                "提示：运行 chengbei-report validate -h 查看用法。",
            ],
        ),
        (
            ["diff", "2022H1"],
            [
                "用法：chengbei-report diff [选项] {旧} {新}",
                "错误：缺少参数 新。",
                "提示：运行 chengbei-report diff -h 查看用法。",
            ],
        ),
        (
            ["diff", "2022H1", "2023H1", "2024H1"],
            [
                "用法：chengbei-report diff [选项] {旧} {新}",
                "错误：多余的参数：2024H1。",
                "提示：运行 chengbei-report diff -h 查看用法。",
            ],
        ),
        (["build", "--period"], ["错误：选项 --period 后面缺少值。"]),
        (["build", "--pdf=yes"], ["错误：选项 --pdf 不带值。"]),
    ],
)
def test_usage_errors_read_exactly(args: list[str], lines: list[str]) -> None:
    result = runner.invoke(app, args, env=WIDE)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == lines


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)])
def test_help_is_chinese_panels_and_marks_included(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], env=WIDE)
    assert result.exit_code == 0
    text = result.stdout
    assert "用法：chengbei-report" in text and "╭─ 选项 " in text
    assert "示例：chengbei-report" in text
    assert not _english(text), _english(text)
    for english in ("Usage", "Options", "Arguments", "Commands", "[default", "[required]"):
        assert english not in text
    if command and _required_args(COMMANDS[command[0]]):
        assert "╭─ 参数 " in text and "[必填]" in text
    if not command:
        assert "╭─ 命令 " in text


def test_a_choice_shows_its_default_in_chinese() -> None:
    assert "[默认：text]" in runner.invoke(app, ["validate", "--help"], env=WIDE).stdout


@pytest.mark.parametrize("flag", ["-q", "--quiet", "--debug"])
def test_global_options_are_accepted_after_the_command(flag: str) -> None:
    result = runner.invoke(app, ["validate", "--period", "2023H1", flag])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("校验通过")


@given(st.lists(st.sampled_from(["-q", "--debug", "validate", "-p", "2023H1", "x", "--"])))
def test_hoisting_moves_only_global_flags_before_a_double_dash(args: list[str]) -> None:
    moved = hoist_global_flags(args)
    assert sorted(moved) == sorted(args)
    end = args.index("--") if "--" in args else len(args)
    flags = [a for a in args[:end] if a in ("-q", "--debug")]
    assert moved[: len(flags)] == flags
    assert [a for a in moved[len(flags) :]] == [
        a for i, a in enumerate(args) if not (i < end and a in ("-q", "--debug"))
    ]


def test_a_data_error_exits_1_with_and_without_debug(workspace_copy: Path) -> None:
    (workspace_copy / "workspace.toml").write_text('[[unit\nname = "x"\n', encoding="utf-8")
    args = ["build", "--period", "2023H1", "--workspace", str(workspace_copy)]
    plain, debug = runner.invoke(app, args), runner.invoke(app, ["--debug", *args])
    assert plain.exit_code == debug.exit_code == 1
    message = f"错误：{workspace_copy / 'workspace.toml'} 格式错误，第 1 行第 7 列：表头 [[..]] 缺少结尾的“]]”。"
    assert plain.stderr.splitlines()[0] == message
    assert "Traceback" in debug.stderr and message in debug.stderr.splitlines()
    assert "Traceback" not in plain.stderr


def test_a_usage_error_of_ours_exits_2_with_and_without_debug() -> None:
    args = ["build", "--period", "2099H1"]
    plain, debug = runner.invoke(app, args), runner.invoke(app, [*args, "--debug"])
    assert plain.exit_code == debug.exit_code == 2
    assert "Traceback" in debug.stderr and "Traceback" not in plain.stderr


@pytest.mark.parametrize(
    ("text", "chinese"),
    [
        ('[[unit\nname = "x"\n', "第 1 行第 7 列：表头 [[..]] 缺少结尾的“]]”"),
        ("[unit]\nname = 城北\n", "第 2 行第 8 列：值的写法不合法（文字须加英文双引号）"),
        ('[unit]\nname = "城北\n', "第 2 行第 11 列：字符串缺少结尾的引号"),
        ("a = 1\na = 2\n", "第 2 行第 6 列：同一个键重复赋值"),
        ("a = [1, 2\n", "文件末尾：数组缺少结尾的“]”"),
        ("[a]\n[a]\n", "第 2 行第 3 列：a 重复声明了两次"),
        ("[a.b]\n[a.b]\n", "第 2 行第 5 列：a.b 重复声明了两次"),
    ],
)
def test_toml_errors_in_chinese_with_line_and_column(text: str, chinese: str) -> None:
    import tomllib

    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads(text)
    assert toml_problem(str(caught.value)) == chinese


def _interrupt_after(delay: float, out: Path) -> subprocess.CompletedProcess[str] | None:
    """Build the sample, press Ctrl+C (SIGINT to the whole group) after ``delay`` seconds."""
    process = subprocess.Popen(
        [sys.executable, "-m", "chengbei_report", "build", "--period", "2023H1", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        cwd=out.parent,
    )
    time.sleep(delay)
    if process.poll() is not None:
        process.communicate()
        return None  # finished before the key was pressed
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.slow
def test_ctrl_c_at_any_moment_says_so_and_exits_130(tmp_path: Path) -> None:
    interrupted = 0
    for number, delay in enumerate((0.15, 0.4, 0.8, 1.5, 2.5, 4.0)):
        out = tmp_path / f"run{number}" / "out"
        out.parent.mkdir()
        result = _interrupt_after(delay, out)
        if result is None or result.returncode == 0:
            # finished before the key, or while Python was ending: a complete, quiet run
            assert result is None or "已中断" not in result.stderr
            continue
        interrupted += 1
        assert result.returncode == 130, (delay, result.stderr)
        assert result.stderr.strip().splitlines()[-1] == "已中断，未写出任何不完整的文件。", delay
        assert "Traceback" not in result.stderr, delay
        leftovers = (
            [p.name for p in out.rglob("*") if p.name.startswith(".")] if out.exists() else []
        )
        assert not leftovers, (delay, leftovers)
    assert interrupted >= 3


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)])
def test_help_in_a_narrow_terminal_folds_chinese_rather_than_cutting_it(command: list[str]) -> None:
    narrow = {"COLUMNS": "60"}
    text = runner.invoke(app, [*command, "--help"], env=narrow).stdout
    assert "…" not in text
    from rich.cells import cell_len

    assert all(cell_len(line) <= 60 for line in text.splitlines())
