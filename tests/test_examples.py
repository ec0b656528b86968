"""Every example of README and of --help runs as written in an empty folder, and README shows
what it prints."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import typer.main
from typer.testing import CliRunner

from chengbei_report.cli import app
from chengbei_report.workspace import bundled_path

ROOT = Path(__file__).resolve().parent.parent
# A console block after this marker involves an edit made by hand in Word; its commands' exact
# outputs are tested in tests/test_cli_output.py (tests/data/cli/draft.txt, bind.txt) instead.
BY_HAND = "<!-- 示例含 Word 中的手工修改"
README = re.sub(
    re.escape(BY_HAND) + r".*?-->\n+```console\n.*?```",
    "",
    (ROOT / "README.md").read_text(encoding="utf-8"),
    flags=re.S,
)
HOME = "/home/user"
PREPARE = "<!-- 示例准备：../报表/城北街道_2023H1_社会事务管理办公室.xlsx"
OPEN_IN_WORD = "<!-- 示例准备：回到 /home/user；Word 打开了"
SOCIAL = "城北街道_2023H1_社会事务管理办公室.xlsx"
_TIME = re.compile(r"\b\d{2}-\d{2} \d{2}:\d{2}\b")  # a file's modification time
runner = CliRunner()


def _steps() -> Iterator[tuple[str, object]]:
    """README in order: ("prepare", None) at the marker, ("run", (command, expected lines))."""
    markers = re.escape(PREPARE) + "|" + re.escape(OPEN_IN_WORD)
    for match in re.finditer(r"```console\n(.*?)```|" + markers, README, re.S):
        if match.group(1) is None:
            yield ("prepare" if match.group(0) == PREPARE else "open in word"), None
            continue
        command, expected = None, []
        for line in match.group(1).splitlines():
            if line.startswith("$ "):
                if command:
                    yield "run", (command, expected)
                command, expected = line[2:], []
            else:
                expected.append(line)
        if command:
            yield "run", (command, expected)


def _prepare(home: Path) -> None:
    """The copy a department sent, with “５０８ ” in D14 and “约500” in D15."""
    target = home / "报表" / SOCIAL
    target.parent.mkdir()
    shutil.copy(bundled_path("sample_data") / "submissions" / "2023H1" / SOCIAL, target)
    book = openpyxl.load_workbook(target)
    for row in book["指标"].iter_rows():
        if row[0].value == "social_unemployed_assisted":
            row[3].value = "５０８ "
        if row[0].value == "social_reemployed":
            row[3].value = "约500"
    book.save(target)


def _run(argv: list[str], cwd: Path) -> tuple[int, list[str]]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(app, argv, env={"COLUMNS": "200"})
    finally:
        os.chdir(old)
    return result.exit_code, [line.rstrip() for line in result.output.splitlines()]


def _normal(line: str, home: Path) -> str:
    return _TIME.sub("<时间>", line.replace(HOME, str(home)).rstrip())


@pytest.mark.slow  # build --pdf runs LibreOffice
def test_readme_examples_run_as_written_and_print_what_readme_shows(tmp_path: Path) -> None:
    home = tmp_path / "user"
    home.mkdir()
    cwd = home
    back_to: Path | None = None
    ran = 0
    for kind, step in _steps():
        if kind == "prepare":
            _prepare(home)
            continue
        if kind == "open in word":  # one example in /home/user, then back
            back_to, cwd = cwd, home
            (home / "out" / "2023H1" / "~$街道2023年上半年工作总结.docx").write_bytes(b"lock")
            continue
        command, expected = step  # type: ignore[misc]
        argv = shlex.split(command, comments=True)
        if argv[0] == "cd":
            cwd = (cwd / argv[1]).resolve()
            continue
        if argv[0] != "chengbei-report":
            continue  # pip install …, python benchmarks/run.py: not examples of the tool
        if "--pdf" in argv and shutil.which("soffice") is None:
            continue  # the PDF needs LibreOffice (its absence has its own test)
        code, lines = _run(argv[1:], cwd)
        cwd, back_to = (back_to, None) if back_to is not None else (cwd, None)
        ran += 1
        refused = any(line.startswith("错误：") for line in expected)
        assert code in ((1, 2) if refused else (0, 1)), (command, lines)
        if "--pdf" in argv:
            continue  # which face replaces a missing font depends on the machine
        shown = {_normal(line, home) for line in lines}
        for line in expected:
            if "…" in line or not line.strip():
                continue
            assert _normal(line, home) in shown, (command, line, lines)
    assert ran >= 10
    notice = home / "批注" / SOCIAL.replace(".xlsx", "_修改通知.txt")
    (shown_notice,) = re.findall(r"```text\n(.*?)```", README, re.S)
    assert notice.read_text("utf-8-sig").replace("\r\n", "\n") == shown_notice


def _help_examples() -> list[str]:
    group = typer.main.get_command(app)
    examples = [re.search(r"示例：(chengbei-report .+)", group.help or "").group(1)]  # type: ignore[union-attr]
    for command in group.commands.values():  # type: ignore[attr-defined]
        examples += re.findall(r"示例：(chengbei-report .+)", command.help or "")
    return examples


def test_every_help_example_runs_as_written_in_an_empty_folder(tmp_path: Path) -> None:
    examples = _help_examples()
    assert len(examples) >= 8
    # build first: check reads the document it writes
    ordered = sorted(examples, key=lambda e: not e.startswith("chengbei-report build"))
    for example in ordered:
        code, lines = _run(shlex.split(example)[1:], tmp_path)
        assert code == 0, (example, lines)


@pytest.mark.parametrize("block", re.findall(r"```bash\n(.*?)```", README, re.S)[:1])
def test_setup_says_where_the_first_command_runs(block: str) -> None:
    assert "pip install . && chengbei-report build --period 2023H1" in block
    assert "in the project folder" in README and "pyproject.toml" in README
    assert "wheel" in README and "sdist" in README
