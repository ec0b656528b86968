"""The reader on ordinary and odd-but-valid workbooks: values, metadata, limits, the scan itself."""

from __future__ import annotations

import itertools
import string
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile_files import MAIN, build_xlsx, one_cell, sheet_xml, strings_xml

from chengbei_report.errors import WorkspaceError
from chengbei_report.read.safety import (
    Limits,
    UnreadableWorkbook,
    _pieces,
    _SheetScan,
    _TextGuard,
    _wider_than,
    column_number,
    has_control_bytes,
)
from chengbei_report.read.workbook import (
    cell_address,
    column_letter,
    read_workbook,
)

CONTROL = "".join(chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32)])


def save(workbook: openpyxl.Workbook, path: Path) -> Path:
    workbook.save(path)
    return path


def test_values_start_at_a1_and_blanks_are_none(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "指标"
    sheet["C3"] = "区级税收"
    sheet["D3"] = 12477.4
    sheet["D4"] = 3
    sheet["E4"] = date(2023, 6, 30)
    read = read_workbook(save(book, tmp_path / "plain.xlsx")).sheets["指标"]
    assert read.height == 4
    assert read.rows[0] == [None] * 5
    assert read.value(2, 2) == "区级税收"
    assert read.value(2, 3) == 12477.4
    assert read.value(3, 3) == 3
    assert read.value(3, 4) in (date(2023, 6, 30), datetime(2023, 6, 30))
    assert read.value(99, 99) is None


def test_sheet_metadata_from_the_scan(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "指标"
    sheet.merge_cells("A1:E1")
    sheet["A1"] = "城北街道2023年上半年工作总结数据填报表"
    sheet["D10"] = 5
    sheet.row_dimensions[10].hidden = True
    sheet["D11"] = "=D10*2"
    ledger = book.create_sheet("台账")
    ledger["A1"] = "案件编号"
    ledger.sheet_state = "hidden"
    read = read_workbook(save(book, tmp_path / "meta.xlsx"))
    indicators, hidden = read.sheets["指标"], read.sheets["台账"]
    assert list(read.sheets) == ["指标", "台账"]
    assert indicators.merged == [((0, 0), (0, 4))]
    assert indicators.hidden_rows == frozenset({10})
    assert indicators.formulas_without_value == ["D11"]
    assert not indicators.hidden and indicators.visible
    assert hidden.hidden and not hidden.visible


def test_formula_with_cached_value_is_not_listed(tmp_path: Path) -> None:
    rows = (
        '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1"><f t="shared" ref="B1:B2" si="0">A1</f></c></row>'
        '<row r="2"><c r="B2"><f t="shared" si="0"/></c><c r="C2"><f>A1</f><v></v></c></row>'
    )
    path = build_xlsx(tmp_path / "formulas.xlsx", {"S": sheet_xml(rows)})
    assert read_workbook(path).sheets["S"].formulas_without_value == ["B1", "B2", "C2"]


def test_control_characters_are_kept_and_located(tmp_path: Path) -> None:
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="C2" t="inlineStr"><is><t xml:space="preserve">行一_x000D_\n行二\t</t></is></c></row>'
    )
    strings = strings_xml("甲_x0001_乙", "正常")
    path = build_xlsx(tmp_path / "control.xlsx", {"S": sheet_xml(rows)}, strings=strings)
    sheet = read_workbook(path).sheets["S"]
    assert sheet.value(0, 0) == "甲\x01乙"
    assert sheet.value(1, 2) == "行一\r\n行二\t"
    assert sheet.control_cells == ["A1"]


def test_no_control_characters_means_no_cell_scan(tmp_path: Path) -> None:
    path = build_xlsx(tmp_path / "clean.xlsx", {"S": one_cell()}, strings=strings_xml("正常"))
    assert read_workbook(path).sheets["S"].control_cells == []


@pytest.mark.parametrize("dimension", ["A1:XFD1048576", "A1"])
def test_dimension_is_not_trusted_either_way(tmp_path: Path, dimension: str) -> None:
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="5"><c r="E5"><v>5</v></c></row>'
    head = f'<dimension ref="{dimension}"/>'
    path = build_xlsx(tmp_path / "dimension.xlsx", {"S": sheet_xml(rows, head=head)})
    sheet = read_workbook(path).sheets["S"]
    assert sheet.height == 5
    assert sheet.value(4, 4) == 5


def test_rows_and_cells_without_reference(tmp_path: Path) -> None:
    rows = (
        "<row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>"
        '<row r="7"><c><v>7</v></c><c r="E7"><v>8</v></c><c><v>9</v></c></row>'
    )
    path = build_xlsx(tmp_path / "no_refs.xlsx", {"S": sheet_xml(rows)})
    sheet = read_workbook(path).sheets["S"]
    assert sheet.height == 7
    assert [sheet.value(0, 1), sheet.value(1, 0), sheet.value(6, 4), sheet.value(6, 5)] == [
        2,
        3,
        8,
        9,
    ]


def test_prefixed_elements(tmp_path: Path) -> None:
    xml = (
        f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c>'
        '</x:row><x:row r="3" hidden="1"><x:c r="C3"><x:v>2</x:v></x:c></x:row></x:sheetData>'
        '<x:mergeCells><x:mergeCell ref="A1:B2"/></x:mergeCells></x:worksheet>'
    )
    sheet = read_workbook(build_xlsx(tmp_path / "prefixed.xlsx", {"S": xml})).sheets["S"]
    assert sheet.value(2, 2) == 2
    assert sheet.hidden_rows == frozenset({3})
    assert sheet.merged == [((0, 0), (1, 1))]


def test_empty_sheet_reads_as_no_rows(tmp_path: Path) -> None:
    path = build_xlsx(tmp_path / "empty_sheet.xlsx", {"空": sheet_xml("")})
    assert read_workbook(path).sheets["空"].rows == []


def test_text_at_excel_limit_is_read_and_one_more_is_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "长" * 32_767
    assert read_workbook(save(book, tmp_path / "limit.xlsx")).sheets["Sheet"].value(0, 0)
    over = "&#38271;" * 32_768  # openpyxl cuts at 32,767, so the file is written by hand
    row = f'<row r="1"><c r="A1" t="inlineStr"><is><t>{over}</t></is></c></row>'
    with pytest.raises(UnreadableWorkbook) as caught:
        read_workbook(build_xlsx(tmp_path / "over.xlsx", {"S": sheet_xml(row)}))
    assert caught.value.code == "FILE_CELL_TOO_LONG"
    assert "32,768" in caught.value.message


def test_calamine_failure_after_the_scan_is_reported(tmp_path: Path) -> None:
    """A sheet the scan accepts but calamine cannot read: a shared string that does not exist."""
    row = '<row r="1"><c r="A1" t="s"><v>5</v></c></row>'
    path = build_xlsx(tmp_path / "bad_number.xlsx", {"S": sheet_xml(row)})
    for extents in (True, False):
        with pytest.raises(UnreadableWorkbook) as caught:
            read_workbook(path, extents=extents)
        assert caught.value.code == "FILE_CORRUPT"


def test_limits_from_workspace_config() -> None:
    limits = Limits.from_config({"max_rows": 10, "max_file_mb": 5})
    assert (limits.max_rows, limits.max_file_mb, limits.max_sheets) == (10, 5, 200)
    with pytest.raises(WorkspaceError, match="max_row"):
        Limits.from_config({"max_row": 10})
    with pytest.raises(WorkspaceError, match="正整数"):
        Limits.from_config({"max_rows": 0})


def test_custom_limits_are_named_in_the_message(tmp_path: Path) -> None:
    path = build_xlsx(tmp_path / "wide.xlsx", {"S": one_cell("K1")})
    with pytest.raises(UnreadableWorkbook) as caught:
        read_workbook(path, Limits(max_columns=10))
    assert "上限 10 列" in caught.value.message


@given(st.integers(min_value=0, max_value=16_384))
def test_column_letters_round_trip(column: int) -> None:
    assert column_number(column_letter(column)) == column + 1
    assert cell_address(0, column) == f"{column_letter(column)}1"


@given(st.integers(min_value=0, max_value=800), st.integers(min_value=1, max_value=800))
def test_wider_pattern_matches_exactly_the_wider_columns(current: int, column: int) -> None:
    piece = f'<c r="{column_letter(column - 1)}12">'.encode()
    assert (_wider_than(current).search(piece) is not None) == (column > current)


def _chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points) if b > a]


@given(
    st.lists(st.tuples(st.integers(1, 60), st.integers(1, 30)), min_size=1, max_size=30),
    st.lists(st.integers(0, 4000), max_size=8),
)
def test_scan_extent_is_independent_of_chunking(
    cells: list[tuple[int, int]], cuts: list[int]
) -> None:
    rows: dict[int, list[int]] = {}
    for row, column in cells:
        rows.setdefault(row, []).append(column)
    xml = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{column_letter(c - 1)}{r}"><v>1</v></c>' for c in sorted(set(cs)))
        + "</row>"
        for r, cs in sorted(rows.items())
    ).encode()
    scan = _SheetScan()
    for piece in _pieces(iter(_chunked(xml, cuts)), b"</row>"):
        scan.feed(piece)
    assert (scan.rows, scan.columns) == (max(r for r, _ in cells), max(c for _, c in cells))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.text(alphabet="ab长&", min_size=0, max_size=40), min_size=1, max_size=12),
    st.lists(st.integers(0, 600), max_size=8),
)
def test_long_text_guard_is_exact_across_chunks(texts: list[str], cuts: list[int]) -> None:
    """Reject exactly when some text has more than ``limit`` characters, however it is cut."""
    limit = 20
    encoded = [t.replace("&", "&amp;") for t in texts]
    xml = "".join(f"<si><t>{t}</t></si>" for t in encoded).encode()
    guard = _TextGuard(limit, "")
    try:
        for chunk in _chunked(xml, cuts):
            guard.feed(chunk)
        guard.feed(b"<")
    except UnreadableWorkbook:
        assert max(len(t) for t in texts) > limit
    else:
        assert max(len(t) for t in texts) <= limit


@given(st.text(alphabet=string.ascii_letters + CONTROL + "\t\n\r长", max_size=30))
def test_control_bytes_seen_raw(text: str) -> None:
    assert has_control_bytes(text.encode()) == any(ch in CONTROL for ch in text)


CELL_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="_"), max_size=60
)
CELL_VALUE = st.one_of(
    CELL_TEXT,
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.dates(min_value=date(1901, 1, 1), max_value=date(2099, 12, 31)),
    st.booleans(),
)


def _excel_escape(value: object) -> object:
    """What Excel writes for control characters: ``_x0001_``; openpyxl refuses them raw."""
    if not isinstance(value, str):
        return value
    return "".join(f"_x{ord(ch):04X}_" if ch in CONTROL else ch for ch in value)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(CELL_VALUE, min_size=1, max_size=4), min_size=1, max_size=4))
def test_random_cells_read_back_or_refuse_cleanly(tmp_path: Path, grid: list[list[object]]) -> None:
    book = openpyxl.Workbook()
    for row in grid:
        book.active.append([_excel_escape(v) for v in row])
    for cells in book.active.iter_rows():
        for cell in cells:
            if cell.data_type == "f":  # text such as "=0" is text here, not a formula
                cell.data_type = "s"
    path = save(book, tmp_path / "random.xlsx")
    try:
        sheet = read_workbook(path).sheets["Sheet"]
    except UnreadableWorkbook:
        return
    expected_control = []
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if isinstance(value, str) and value:
                assert sheet.value(r, c) == value
                if any(ch in CONTROL for ch in value):
                    expected_control.append(cell_address(r, c))
            elif isinstance(value, bool | int) and not isinstance(value, bool):
                assert sheet.value(r, c) == value
    assert sheet.control_cells == expected_control
