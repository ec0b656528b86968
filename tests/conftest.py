"""Shared fixtures: the bundled sample workspace, copied or built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chengbei_report.build import BuildResult, build_report
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
