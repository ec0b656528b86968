"""The wheel carries the sample workspace and templates; README and CI run the same test command."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_bundles_sample_workspace_and_templates(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("chengbei_report-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = "chengbei_report/_bundled/"
    assert bundled + "templates/work_summary.md.j2" in names
    assert bundled + "sample_data/workspace.toml" in names
    assert bundled + "sample_data/catalog.toml" in names
    sample_books = {p.relative_to(ROOT).as_posix() for p in (ROOT / "sample_data").rglob("*.xlsx")}
    assert {bundled + name for name in sample_books} <= names


def _ci_test_command() -> str:
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    return next(line for line in lines if "pytest" in line and not line.startswith("#"))


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _ci_test_command().strip() in readme


def test_every_imported_library_is_a_declared_dependency() -> None:
    """A library the package imports directly must be in pyproject's dependencies, not arrive
    only because another dependency happens to pull it in."""
    import ast
    import sys
    import tomllib
    from importlib.metadata import packages_distributions

    root = Path(__file__).resolve().parents[1]
    declared = {
        re.split(r"[<>=\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        for requirement in tomllib.loads((root / "pyproject.toml").read_text())["project"][
            "dependencies"
        ]
    }
    imported: set[str] = set()
    for source in (root / "chengbei_report").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"chengbei_report", "_typeshed"}
    distributions = packages_distributions()
    missing = {
        module: distributions.get(module)
        for module in third_party
        if not {d.lower().replace("_", "-") for d in distributions.get(module, [module])} & declared
    }
    assert missing == {}
