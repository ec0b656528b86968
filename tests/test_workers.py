"""Reading in worker processes: the same submissions as reading here, and a lost worker costs one file.

The files are real: the sample workbooks, hostile ones built byte by byte, and a large one that
a test kills its worker on while it is being read.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from conftest import REPORT_PERIOD
from hypothesis import given
from hypothesis import strategies as st
from test_hostile_files import (
    CONTENT_TYPES,
    MAIN,
    ROOT_RELS,
    build_xlsx,
    make_xfd_cell,
    one_cell,
    workbook_rels,
    workbook_xml,
)

from chengbei_report.project import open_project
from chengbei_report.read.columns import pack, unpack
from chengbei_report.read.period import load_submissions, submission_files
from chengbei_report.read.safety import Limits, preflight
from chengbei_report.read.submission import Submission

HAS_PROC = Path(f"/proc/{os.getpid()}/fd").is_dir()


def _summary(submission: Submission) -> tuple[object, ...]:
    """What a submission says, in plain values: findings, header, values, ledger columns."""
    ledgers = {
        code: (
            table.sheet,
            table.columns,
            list(table.numbers),
            {k: list(v) for k, v in table.raw.items()},
        )
        for code, table in submission.ledgers.items()
    }
    outline = None if submission.workbook is None else submission.workbook.sheets
    return (
        submission.path,
        submission.department,
        [(f.code, f.message, f.hint) for f in submission.findings],
        submission.header,
        submission.values,
        ledgers,
        outline,
    )


@pytest.fixture(scope="module")
def catalog(sample_dir: Path):  # type: ignore[no-untyped-def]
    return open_project(sample_dir).catalog


def test_workers_read_what_this_process_reads(sample_dir: Path, tmp_path: Path, catalog) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    wide = build_xlsx(tmp_path / "wide.xlsx", {"S": one_cell("K1")})
    files = [*submission_files(sample_dir / "submissions" / REPORT_PERIOD.code), empty, wide]
    limits = Limits(max_columns=10)
    here = load_submissions(files, catalog, limits=limits, workers=0)
    apart = load_submissions(files, catalog, limits=limits, workers=2)
    assert [s.path for s in apart] == files
    assert list(map(_summary, apart)) == list(map(_summary, here))
    assert [f.code for f in apart[-2].findings] == ["FILE_EMPTY"]
    assert [f.code for f in apart[-1].findings] == ["FILE_TOO_MANY_COLUMNS"]
    assert "max_columns" in apart[-1].findings[0].message


def test_a_file_that_aborts_calamine_costs_only_that_file(
    sample_dir: Path, tmp_path: Path, catalog
) -> None:  # type: ignore[no-untyped-def]
    """XFD1048576 aborts calamine's process; in a worker it becomes the full scan's finding."""
    hostile = make_xfd_cell(tmp_path / "hostile_xfd.xlsx")
    preflight(hostile, Limits(), extents=False)  # the workers' scan lets it through
    aborted = subprocess.run(
        [sys.executable, "-c", _CALAMINE_READ, str(hostile)], capture_output=True, check=False
    )
    assert aborted.returncode != 0 and b"done" not in aborted.stdout
    good = submission_files(sample_dir / "submissions" / REPORT_PERIOD.code)
    files = [good[0], hostile, *good[1:]]
    loaded = load_submissions(files, catalog, workers=2)
    assert [s.path for s in loaded] == files
    assert [f.code for f in loaded[1].findings] == ["FILE_TOO_MANY_COLUMNS"]
    assert "XFD1048576" in loaded[1].findings[0].message
    expected = load_submissions(good, catalog, workers=0)
    assert list(map(_summary, [loaded[0], *loaded[2:]])) == list(map(_summary, expected))


_CALAMINE_READ = """
import sys, python_calamine
book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
for name in book.sheet_names:
    book.get_sheet_by_name(name).to_python()
print("done")
"""


def _large_workbook(path: Path, rows: int = 150_000) -> Path:
    """A plain ledger-like sheet of ``rows`` rows of numbers: a second or so to read."""
    rng = random.Random(13)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", workbook_xml(["S"]))
        zf.writestr("xl/_rels/workbook.xml.rels", workbook_rels(1, strings=False))
        with zf.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            for row in range(1, rows + 1):
                cells = "".join(
                    f'<c r="{col}{row}"><v>{rng.randrange(10**9)}</v></c>' for col in "ABCDE"
                )
                part.write(f'<row r="{row}">{cells}</row>'.encode())
            part.write(b"</sheetData></worksheet>")
    return path


def _kill_the_reader_of(path: Path, stop: threading.Event) -> list[int]:
    """SIGKILL the child process that has ``path`` open, once; the pids killed."""
    killed: list[int] = []
    target = str(path.resolve())
    while not stop.is_set() and not killed:
        for children in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
            for pid in children.read_text().split():
                try:
                    opened = {os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()}
                except OSError:
                    continue
                if target in opened:
                    os.kill(int(pid), signal.SIGKILL)
                    killed.append(int(pid))
        time.sleep(0.001)
    return killed


@pytest.mark.skipif(not HAS_PROC, reason="needs /proc to find the worker")
def test_a_worker_killed_mid_read_costs_only_its_file(
    sample_dir: Path, tmp_path: Path, catalog
) -> None:  # type: ignore[no-untyped-def]
    large = _large_workbook(tmp_path / "large.xlsx")
    good = submission_files(sample_dir / "submissions" / REPORT_PERIOD.code)
    files = [*good[:2], large, *good[2:]]
    stop = threading.Event()
    killed: list[int] = []
    killer = threading.Thread(target=lambda: killed.extend(_kill_the_reader_of(large, stop)))
    killer.start()
    try:
        loaded = load_submissions(files, catalog, workers=2)
    finally:
        stop.set()
        killer.join()
    assert killed, "the large file was read before its worker could be killed"
    assert [s.path for s in loaded] == files
    [finding] = loaded[2].findings
    assert finding.code == "FILE_READER_CRASHED"
    assert "信号 9" in finding.message and "max_memory_mb" in finding.hint
    expected = load_submissions(good, catalog, workers=0)
    assert list(map(_summary, [*loaded[:2], *loaded[3:]])) == list(map(_summary, expected))


CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=4),
    st.dates(),
    st.datetimes(),
)


@given(st.lists(CELLS, max_size=30), st.integers(min_value=1, max_value=4))
def test_packed_columns_come_back_equal_and_of_the_same_types(
    values: list[object], repeat: int
) -> None:
    column = values * repeat
    back = unpack(pack(column))
    assert len(back) == len(column)
    for one, other in zip(back, column, strict=True):
        assert type(one) is type(other)
        assert one == other or (one != one and other != other) or repr(one) == repr(other)
        if isinstance(one, float):
            assert repr(one) == repr(other)  # -0.0 and nan kept as they were


def test_ranges_stay_ranges() -> None:
    assert unpack(pack(range(2, 10))) == range(2, 10)
