"""Shared fixtures: the bundled sample workspace, copied or built once per session."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

from chengbei_report.commands.build import BuildResult, build_report
from chengbei_report.periods import Period
from chengbei_report.workspace import bundled_path

REPORT_PERIOD = Period.parse("2023H1")
# The published report, as scraped from the web (copied from shared/reference/).
REFERENCE = Path(__file__).resolve().parent / "data" / "reference_chengbei_2023H1.txt"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return bundled_path("sample_data")


@pytest.fixture
def workspace_copy(tmp_path: Path, sample_dir: Path) -> Path:
    """A private copy of the sample workspace that a test may change."""
    target = tmp_path / "workspace"
    shutil.copytree(sample_dir, target)
    return target


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The sample 2023H1 report, built once for every test that only reads it."""
    out = tmp_path_factory.mktemp("built-2023H1")
    result = build_report(REPORT_PERIOD, out_dir=out)
    assert result.ok, result.findings.to_dict()
    return result


def stderr_on_a_terminal(argv: list[str]) -> str:
    """Run ``python -m chengbei_report ARGV`` with stderr on a pseudo-terminal; what it wrote there.

    Progress bars only show on a terminal, so this is how their tests see one.
    """
    return on_a_terminal(argv, stream="stderr", env={"COLUMNS": "100", "TERM": "xterm"})


def on_a_terminal(argv: list[str], *, stream: str, env: dict[str, str]) -> str:
    """Run ``python -m chengbei_report ARGV`` with ``stream`` (stdout or stderr) on a
    pseudo-terminal and the other discarded; what it wrote there."""
    main, child = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(main, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    streams = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, stream: child}
    reader = threading.Thread(target=drain)
    reader.start()
    try:
        subprocess.run(
            [sys.executable, "-m", "chengbei_report", *argv],
            cwd=Path(__file__).resolve().parent.parent,
            check=True,
            env={**os.environ, **env},
            **streams,
        )
    finally:
        os.close(child)
        reader.join(timeout=30)
        os.close(main)
    return b"".join(chunks).decode("utf-8", errors="replace")


SIGNED = date(2023, 7, 10)


@pytest.fixture(scope="session")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The sample 2023H1 report dated 2023-07-10, converted once through LibreOffice."""
    from chengbei_report.render.pdf import find_soffice

    if find_soffice() is None:
        pytest.skip("LibreOffice 未安装")
    out = tmp_path_factory.mktemp("pdf-2023H1")
    result = build_report(REPORT_PERIOD, out_dir=out, pdf=True, signed=SIGNED)
    assert result.ok and result.pdf is not None, result.findings.to_dict()
    return result


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the expected CLI output under tests/data/cli/ (review it with git diff)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
