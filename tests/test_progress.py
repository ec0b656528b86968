"""Progress: the library reports through a callback; the command line shows a bar only on a TTY."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import stderr_on_a_terminal
from typer.testing import CliRunner

from chengbei_report import cli
from chengbei_report.catalog import load_catalog
from chengbei_report.commands.build import build_report
from chengbei_report.periods import Period
from chengbei_report.read.period import load_period
from chengbei_report.workspace import bundled_path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = bundled_path("sample_data")
PERIOD = Period.parse("2023H1")
BAR_MARKS = ("━", "读取", "\x1b[")


class Recorder:
    """A Progress that remembers every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int]] = []

    def __call__(self, label: str, done: int, total: int) -> None:
        self.calls.append((label, done, total))


def test_load_period_reports_each_workbook_then_the_end(tmp_path: Path) -> None:
    folder = tmp_path / PERIOD.code
    files = sorted((SAMPLE / "submissions" / PERIOD.code).glob("*.xlsx"))[:3]
    folder.mkdir()
    for path in files:
        shutil.copy(path, folder / path.name)
    record = Recorder()
    data = load_period(folder, PERIOD, load_catalog(SAMPLE / "catalog.toml"), record)
    assert len(data.submissions) == 3
    assert [(done, total) for _, done, total in record.calls] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    for (label, _, _), path in zip(record.calls, files, strict=False):
        assert path.name in label
    assert "2023年上半年" in record.calls[-1][0]


def test_empty_folder_reports_nothing(tmp_path: Path) -> None:
    record = Recorder()
    load_period(tmp_path, PERIOD, load_catalog(SAMPLE / "catalog.toml"), record)
    assert record.calls == []


@pytest.mark.slow
def test_build_reports_every_period_it_loads(tmp_path: Path) -> None:
    record = Recorder()
    result = build_report(PERIOD, out_dir=tmp_path, progress=record)
    assert result.ok
    finished = [(label, total) for label, done, total in record.calls if done == total]
    folders = {
        Period.parse(p.name).full_label: len(list(p.iterdir()))
        for p in (SAMPLE / "submissions").iterdir()
    }
    assert len(finished) >= 2  # the report period and those it compares with
    for label, total in finished:
        assert total == next(n for full, n in folders.items() if full + "报表" in label)
    assert any(PERIOD.full_label in label for label, _ in finished)
    for _, done, total in record.calls:
        assert 0 <= done <= total


@pytest.mark.slow
@pytest.mark.parametrize("quiet", [False, True])
def test_cli_without_terminal_writes_no_progress(tmp_path: Path, quiet: bool) -> None:
    args = ["--quiet"] if quiet else []
    result = CliRunner().invoke(
        cli.app, [*args, "build", "--period", PERIOD.code, "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert not any(mark in result.stderr for mark in BAR_MARKS)
    assert "已生成工作总结" in result.stdout


@pytest.mark.slow
def test_cli_on_a_terminal_shows_the_bar_unless_quiet(tmp_path: Path) -> None:
    shown = stderr_on_a_terminal(
        ["build", "-p", "2023H1", "-w", "sample_data", "-o", str(tmp_path / "shown")]
    )
    assert "━" in shown and "报表" in shown
    assert (
        stderr_on_a_terminal(
            ["--quiet", "build", "-p", "2023H1", "-w", "sample_data", "-o", str(tmp_path / "quiet")]
        )
        == ""
    )
