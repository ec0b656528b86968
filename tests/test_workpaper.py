"""The working paper .xlsx, read back with openpyxl (and pandas) from a real file."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from zipfile import ZipFile

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chengbei_report.render.workpaper import COLUMNS, WorkpaperRow, write_workpaper

TITLE = "城北街道2023年上半年工作总结底稿"
WHEN = datetime(2023, 7, 10, 9, 30)
HEADERS = [c[0] for c in COLUMNS]


def _row(index: int = 1, **changes: object) -> WorkpaperRow:
    fields: dict[str, object] = {
        "index": index,
        "section": "一、（二）",
        "paragraph": 9,
        "text": "98.43%",
        "value": Decimal(500) / Decimal(508),
        "unit": "%",
        "indicator": "reemployment_rate",
        "indicator_name": "已帮扶就业率",
        "period": "2023H1",
        "formula": "ratio(reemployed, unemployed_assisted) = 500 ÷ 508",
        "sources": "社会事务办_2023H1.xlsx 指标!D15；社会事务办_2023H1.xlsx 指标!D16",
        "kind": "ratio",
    }
    fields.update(changes)
    return WorkpaperRow(**fields)  # type: ignore[arg-type]


def _save(tmp_path: Path, rows: list[WorkpaperRow], when: datetime = WHEN) -> Path:
    path = tmp_path / "底稿.xlsx"
    path.write_bytes(write_workpaper(rows, title=TITLE, when=when))
    return path


def _values(path: Path) -> list[dict[str, object]]:
    sheet = openpyxl.load_workbook(path)["底稿"]
    return [
        dict(zip(HEADERS, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


def test_layout_header_and_sheets(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(_save(tmp_path, [_row()]))
    assert workbook.sheetnames == ["底稿", "说明"]
    sheet = workbook["底稿"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:L2"
    assert sheet.column_dimensions["L"].width == 60
    assert sheet.cell(row=2, column=12).alignment.wrap_text
    assert TITLE in sheet.oddHeader.center.text


def test_values_are_exact(tmp_path: Path) -> None:
    amounts = {"unit": "万元", "kind": "amount"}
    rows = [
        _row(1),
        _row(2, text="12477.4万元", value=Decimal("12477.4"), formula="", **amounts),
        _row(3, text="1954945万元", value=Decimal("1954945"), **amounts),
        _row(4, text="38.67万元", value=Decimal("38.6700"), **amounts),
    ]
    first, tax, sales, amount = _values(_save(tmp_path, rows))
    assert first["数值"] == first["精确值"] == "98.42519685039370078740157480"
    assert first["文中写法"] == "98.43%" and first["单位"] == "%"
    assert tax["单位"] == "万元"
    assert tax["数值"] == 12477.4 and isinstance(tax["数值"], float)
    assert tax["精确值"] == "12477.4"
    assert tax["计算公式"] is None
    assert sales["数值"] == 1954945 and isinstance(sales["数值"], int)
    assert amount["数值"] == 38.67 and amount["精确值"] == "38.6700"
    assert [row["序号"] for row in (first, tax, sales, amount)] == [1, 2, 3, 4]
    assert first["数据来源"] == _row().sources


def test_sixteen_significant_digits_stay_text(tmp_path: Path) -> None:
    (row,) = _values(_save(tmp_path, [_row(value=Decimal("1234567890.123456"), kind="amount")]))
    assert row["数值"] == "1234567890.123456"


def test_a_ratio_reads_in_percent_beside_its_unit(tmp_path: Path) -> None:
    rows = [
        _row(1, value=Decimal("0.9842519685039370078740157480314961")),  # 34 digits, as computed
        _row(2, text="100%", value=Decimal(1)),
        _row(3, text="50%", value=Decimal("0.5")),
        _row(4, text="0.05%", value=Decimal("0.0005")),
    ]
    computed, whole, half, small = _values(_save(tmp_path, rows))
    assert computed["精确值"] == "98.42519685039370078740157480314961"  # no digit lost
    assert computed["数值"] == computed["精确值"]
    assert (whole["数值"], whole["精确值"]) == (100, "100")
    assert (half["数值"], half["精确值"]) == (50, "50")
    assert (small["数值"], small["精确值"]) == (0.05, "0.05")
    assert {row["单位"] for row in (computed, whole, half, small)} == {"%"}


def test_other_kinds_read_as_stored(tmp_path: Path) -> None:
    rows = [
        _row(1, text="77倍", value=Decimal("76.98"), unit="倍", kind="multiple"),
        _row(2, text="第二", value=Decimal(2), unit="位", kind="rank"),
    ]
    multiple, rank = _values(_save(tmp_path, rows))
    assert (multiple["数值"], multiple["精确值"], multiple["单位"]) == (76.98, "76.98", "倍")
    assert (rank["数值"], rank["精确值"], rank["单位"]) == (2, "2", "位")


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_like_text_stays_text(tmp_path: Path, prefix: str) -> None:
    hostile = f'{prefix}HYPERLINK("http://example.invalid","x")+1'
    row = _row(text=hostile, formula=hostile, sources=hostile, section=hostile)
    sheet = openpyxl.load_workbook(_save(tmp_path, [row]))["底稿"]
    for column in ("B", "D", "K", "L"):
        cell = sheet[f"{column}2"]
        assert cell.value == hostile
        assert cell.data_type == "s"


def test_illegal_control_characters_are_dropped(tmp_path: Path) -> None:
    (row,) = _values(_save(tmp_path, [_row(sources="社会事务办\x01.xlsx\x0b 指标!D15")]))
    assert row["数据来源"] == "社会事务办.xlsx 指标!D15"


def test_properties_come_from_when(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(_save(tmp_path, [_row()]))
    assert workbook.properties.created == WHEN
    assert workbook.properties.modified == WHEN
    assert workbook.properties.creator == "chengbei-report"
    assert workbook.properties.title == TITLE


def test_aware_when_is_stored_in_utc(tmp_path: Path) -> None:
    beijing = timezone(timedelta(hours=8))
    path = _save(tmp_path, [_row()], when=datetime(2023, 7, 10, 9, 30, tzinfo=beijing))
    workbook = openpyxl.load_workbook(path)
    assert workbook.properties.created == datetime(2023, 7, 10, 1, 30)
    assert workbook.properties.modified == datetime(2023, 7, 10, 1, 30)


def test_notes_sheet_explains_every_column(tmp_path: Path) -> None:
    sheet = openpyxl.load_workbook(_save(tmp_path, [_row()]))["说明"]
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert sheet["A1"].value == TITLE
    assert sheet["A2"].value == "生成时间：2023-07-10 09:30"
    for header, _, text in COLUMNS:
        assert rows[header] == text


def test_same_input_gives_same_parts() -> None:
    rows = [_row(1), _row(2, value=Decimal("7"))]
    first, second = (
        ZipFile(BytesIO(write_workpaper(rows, title=TITLE, when=WHEN))) for _ in range(2)
    )
    assert first.namelist() == second.namelist()
    for name in first.namelist():
        assert first.read(name) == second.read(name), name


def test_empty_workpaper_still_has_header(tmp_path: Path) -> None:
    sheet = openpyxl.load_workbook(_save(tmp_path, []))["底稿"]
    assert sheet.max_row == 1
    assert [cell.value for cell in sheet[1]] == HEADERS


def test_pandas_reads_the_table(tmp_path: Path) -> None:
    rows = [_row(1), _row(2, text="77倍", value=Decimal("76.98"), unit="倍", kind="multiple")]
    frame = pd.read_excel(_save(tmp_path, rows), sheet_name="底稿", engine="calamine", dtype=str)
    assert list(frame.columns) == HEADERS
    assert list(frame["文中写法"]) == ["98.43%", "77倍"]
    assert list(frame["精确值"]) == ["98.42519685039370078740157480", "76.98"]


@settings(max_examples=40, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_number_or_text_never_loses_the_value(
    tmp_path_factory: pytest.TempPathFactory, value: Decimal
) -> None:
    path = _save(tmp_path_factory.mktemp("wp"), [_row(value=value, unit="万元", kind="amount")])
    (row,) = _values(path)
    assert Decimal(row["精确值"]) == value  # type: ignore[arg-type]
    shown = row["数值"]
    if isinstance(shown, str):
        assert Decimal(shown) == value
    else:
        assert Decimal(repr(shown)) == value
