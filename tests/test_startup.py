"""``--help`` and ``--version`` must start instantly: no heavy library may be imported for them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "numpy", "openpyxl", "docx", "python_calamine", "lxml", "docxtpl")

# Invokes the app in a fresh interpreter and reports which heavy modules got imported.
_PROBE = """
import json, sys
from typer.testing import CliRunner
from chengbei_report.cli import app
result = CliRunner().invoke(app, sys.argv[1:])
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(HEAVY)))
print(json.dumps({"exit": result.exit_code, "output": result.output, "heavy": heavy}))
"""


def _probe(*args: str) -> dict[str, object]:
    code = f"HEAVY = {json.dumps(json.dumps(HEAVY))}\n{_PROBE}"
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize("args", [["--help"], ["--version"], ["build", "--help"]])
def test_help_and_version_import_no_heavy_library(args: list[str]) -> None:
    probe = _probe(*args)
    assert probe["exit"] == 0, probe["output"]
    assert probe["output"]
    assert probe["heavy"] == []


@pytest.mark.slow
def test_probe_detects_a_heavy_import(tmp_path: Path) -> None:
    """The probe itself works: a command that reads workbooks does import calamine."""
    probe = _probe("build", "--period", "2023H1", "--out", str(tmp_path))
    assert "python_calamine" in probe["heavy"]


@pytest.mark.slow
def test_version_does_not_load_rich_for_the_chinese_help() -> None:
    """The Chinese panel titles are set when help is shown, not at import."""
    code = (
        "import sys\nfrom typer.testing import CliRunner\nfrom chengbei_report.cli import app\n"
        "CliRunner().invoke(app, ['--version'])\nprint('rich' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


@pytest.mark.slow
def test_build_writes_the_working_paper_without_importing_numpy(tmp_path: Path) -> None:
    """openpyxl would import numpy (installed here, for pandas); the build keeps it out."""
    probe = _probe("build", "--period", "2023H1", "--out", str(tmp_path))
    assert probe["exit"] == 0, probe["output"]
    assert "openpyxl" in probe["heavy"] and "numpy" not in probe["heavy"]
    assert list(tmp_path.glob("*底稿.xlsx"))
