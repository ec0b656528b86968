"""Building the same inputs twice gives byte-identical files, whatever the clock or file times."""

from __future__ import annotations

import os
import shutil
import time
import zipfile
from datetime import datetime
from io import BytesIO
from pathlib import Path

import docx
import openpyxl
import pytest

from chengbei_report.commands.build import BuildResult, build_report
from chengbei_report.periods import Period
from chengbei_report.project import stamp
from chengbei_report.workspace import bundled_path

PERIOD = Period.parse("2023H1")


def _build(out: Path, workspace: Path | None = None) -> BuildResult:
    result = build_report(PERIOD, workspace_dir=workspace, out_dir=out)
    assert result.ok, result.findings.to_dict()
    assert result.document is not None and result.workpaper is not None
    return result


def _outputs(result: BuildResult) -> tuple[bytes, bytes]:
    assert result.document is not None and result.workpaper is not None
    return result.document.read_bytes(), result.workpaper.read_bytes()


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return _build(tmp_path_factory.mktemp("first"))


@pytest.mark.slow
def test_rebuild_later_is_byte_identical(first: BuildResult, tmp_path: Path) -> None:
    time.sleep(1.1)  # a clock-derived time would now differ by at least one zip tick
    second = _build(tmp_path / "second")
    assert _outputs(second) == _outputs(first)


@pytest.mark.slow
def test_rebuild_from_copied_inputs_with_other_mtimes_is_identical(
    first: BuildResult, tmp_path: Path
) -> None:
    workspace = tmp_path / "workspace"
    shutil.copytree(bundled_path("sample_data"), workspace)
    later = time.time() + 86400 * 400
    for path in workspace.rglob("*"):
        os.utime(path, (later, later))
    second = _build(tmp_path / "out", workspace)
    assert _outputs(second) == _outputs(first)


@pytest.mark.slow
def test_zip_entries_carry_the_period_stamp(first: BuildResult) -> None:
    expected = stamp(PERIOD).timetuple()[:6]
    for data in _outputs(first):
        with zipfile.ZipFile(BytesIO(data)) as package:
            names = [info.filename for info in package.infolist()]
            assert len(set(names)) == len(names)
            assert {info.date_time for info in package.infolist()} == {expected}


@pytest.mark.slow
def test_document_properties_come_from_the_period(first: BuildResult) -> None:
    when = stamp(PERIOD)
    assert when == datetime(2023, 6, 30, 12, 0, 0)
    document, workpaper = first.document, first.workpaper
    assert document is not None and workpaper is not None
    core = docx.Document(str(document)).core_properties
    assert core.created == core.modified
    assert core.created is not None and core.created.replace(tzinfo=None) == when
    book = openpyxl.load_workbook(workpaper)
    assert book.properties.created == when
    assert book.properties.modified == when
