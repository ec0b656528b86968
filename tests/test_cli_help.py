"""Help text is shown as written: bracketed words such as [report] survive rich markup."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from chengbei_report import cli

COMMANDS: Any = typer.main.get_command(cli.app)
_BRACKETED = re.compile(r"\[[^\[\]\s]+\]")


def _help_texts(command: Any) -> list[str]:
    texts = [command.help or ""]
    texts += [getattr(param, "help", None) or "" for param in command.params]
    return [text.replace("\\[", "[") for text in texts]


@pytest.mark.parametrize("name", sorted(COMMANDS.commands))
def test_bracketed_words_in_help_are_shown_literally(name: str) -> None:
    command = COMMANDS.commands[name]
    result = CliRunner().invoke(cli.app, [name, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    shown = re.sub(r"[\s│]+", "", result.output)
    for word in {w for text in _help_texts(command) for w in _BRACKETED.findall(text)}:
        assert word in shown, f"{name} --help lost {word}"


def test_build_help_names_the_report_table() -> None:
    result = CliRunner().invoke(cli.app, ["build", "--help"], terminal_width=200)
    assert "workspace.toml的[report]date" in re.sub(r"[\s│]+", "", result.output)
