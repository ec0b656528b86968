"""The diff writers: csv, json, Markdown and xlsx, each read back and compared with the API result."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from small_workspace import make_workspace

from chengbei_report import cli
from chengbei_report.commands.diff import diff_periods, run_diff
from chengbei_report.errors import UsageError
from chengbei_report.period_diff import DiffRow, Flag, PeriodDiff
from chengbei_report.periods import Period
from chengbei_report.render import diff_output
from chengbei_report.render.diff_output import (
    DiffFormat,
    diff_bytes,
    diff_markdown,
    diff_xlsx,
    display_rows,
    headers,
    show_change,
    show_relative,
    show_value,
)
from chengbei_report.render.output import write_atomic

OLD, NEW = Period.parse("2022H1"), Period.parse("2023H1")
WHEN = datetime(2023, 6, 30, 12)


def _row(**changes: object) -> DiffRow:
    fields: dict[str, object] = {
        "department": "社会事务管理办公室",
        "code": "social_reemployed",
        "name": "帮扶成功就业",
        "unit": "人",
        "kind": "count",
        "decimals": None,
        "old": Decimal(452),
        "new": Decimal(500),
        "change": Decimal(48),
        "relative": Decimal("10.62"),
        "relative_unit": "%",
        "flags": (),
    }
    fields.update(changes)
    return DiffRow(**fields)  # type: ignore[arg-type]


RATE = _row(
    code="social_reemployment_rate",
    name="已帮扶就业率",
    unit="%",
    kind="ratio",
    old=Decimal("0.9762"),
    new=Decimal("0.98425"),
    change=Decimal("0.00805"),
    relative=Decimal("0.81"),
    relative_unit="百分点",
)
BAD_CELL = _row(
    new=None,
    change=None,
    relative=None,
    flags=(Flag.UNCOMPUTABLE,),
    note="2023年上半年：社会事务办.xlsx 指标!D15：帮扶成功就业的数值“约500”不是有效数字。",
)
HOSTILE = _row(
    department='=HYPERLINK("http://x")',
    code="+cmd",
    name="@SUM(A1)",
    unit="-人",
    old=Decimal(-3),
    new=None,
    change=None,
    relative=None,
    flags=(Flag.DROPPED,),
)


@pytest.fixture(scope="module")
def sample_diff() -> PeriodDiff:
    return diff_periods(OLD, NEW, threshold=Decimal("0.5"))


def _csv_rows(diff: PeriodDiff) -> list[list[str]]:
    text = diff_bytes(diff, "csv").decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_holds_the_exact_api_values(sample_diff: PeriodDiff) -> None:
    rows = _csv_rows(sample_diff)
    assert rows[0] == headers(sample_diff)
    assert len(rows) == len(sample_diff.rows) + 1
    for cells, row in zip(rows[1:], sample_diff.rows, strict=True):
        data = row.to_dict()
        assert cells[:4] == [data["department"], data["code"], data["name"], data["unit"]]
        assert cells[4:8] == [data[k] or "" for k in ("old", "new", "change", "relative")]
        assert cells[8] == data["relative_unit"]
        assert cells[9] == "、".join(data["flags"])
        assert cells[10] == data["note"]


def test_csv_starts_with_a_bom_for_excel(sample_diff: PeriodDiff) -> None:
    assert diff_bytes(sample_diff, "csv").startswith("\ufeff".encode())


def test_csv_text_cannot_become_a_formula() -> None:
    diff = PeriodDiff(OLD, NEW, None, [HOSTILE])
    cells = _csv_rows(diff)[1]
    assert cells[:4] == ['\'=HYPERLINK("http://x")', "'+cmd", "'@SUM(A1)", "'-人"]
    assert cells[4] == "-3"  # numbers keep their sign


def test_json_equals_to_dict(sample_diff: PeriodDiff) -> None:
    assert json.loads(diff_bytes(sample_diff, "json")) == sample_diff.to_dict()


def test_markdown_table_matches_the_display_rows(sample_diff: PeriodDiff) -> None:
    lines = diff_markdown(sample_diff).splitlines()
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == len(sample_diff.rows) + 2
    body = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in table[2:]]
    assert body == display_rows(sample_diff)
    rate = next(cells for cells in body if cells[1] == "social_reemployment_rate")
    assert rate[4:8] == ["97.62%", "98.43%", "+0.80个百分点", "+0.80个百分点"]


def test_markdown_escapes_pipes_and_says_when_nothing_changed() -> None:
    diff = PeriodDiff(OLD, NEW, None, [_row(name="甲|乙")])
    assert "甲\\|乙" in diff_markdown(diff)
    assert "没有指标变化" in diff_markdown(PeriodDiff(OLD, NEW, None, []))


def test_display_of_values_changes_and_missing_values() -> None:
    assert show_value(RATE, RATE.new) == "98.43%"
    assert show_change(RATE) == "+0.81个百分点"  # 0.805 points, half up
    assert show_relative(RATE) == "+0.81个百分点"
    assert show_value(HOSTILE, None) == "—" and show_change(HOSTILE) == "—"
    long = _row(kind="multiple", new=Decimal("76.98412698412698412698"))
    assert show_value(long, long.new) == "76.98"
    assert show_change(_row(change=Decimal(-7))) == "-7"


def _sheet(tmp_path: Path, diff: PeriodDiff) -> openpyxl.worksheet.worksheet.Worksheet:
    path = write_atomic(tmp_path / "对比.xlsx", diff_bytes(diff, "xlsx"))
    return openpyxl.load_workbook(path)["对比"]


def test_xlsx_matches_the_api_result(tmp_path: Path, sample_diff: PeriodDiff) -> None:
    sheet = _sheet(tmp_path, sample_diff)
    assert [cell.value for cell in sheet[1]] == headers(sample_diff)
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.max_row == len(sample_diff.rows) + 1
    for number, row in enumerate(sample_diff.rows, start=2):
        cells = [cell.value for cell in sheet[number]]
        assert cells[:4] == [row.department, row.code, row.name, row.unit]
        assert (cells[9] or "") == "、".join(flag.value for flag in row.flags)
        assert (cells[10] or "") == row.note
        if row.kind != "ratio" and row.old is not None:
            assert Decimal(str(cells[4])) == row.old
        if row.relative is not None:
            assert Decimal(str(cells[7])) == row.relative


def test_xlsx_highlights_flagged_rows_and_formats_numbers(tmp_path: Path) -> None:
    sheet = _sheet(tmp_path, PeriodDiff(OLD, NEW, None, [_row(), RATE, HOSTILE]))
    plain, rate, dropped = sheet[2], sheet[3], sheet[4]
    assert plain[0].fill.fill_type is None
    assert dropped[0].fill.fill_type == "solid"
    assert dropped[0].fill.start_color.rgb.endswith("FFF2CC")
    assert rate[4].number_format == "0.00%" and rate[4].value == pytest.approx(0.9762)
    assert rate[5].value == pytest.approx(0.9843)  # rounded half up before it became a number
    assert "个百分点" in rate[7].number_format
    assert plain[6].number_format.startswith("+#,##0")
    assert [cell.value for cell in dropped[:4]] == [
        '=HYPERLINK("http://x")',
        "+cmd",
        "@SUM(A1)",
        "-人",
    ]
    assert all(cell.data_type == "s" for cell in dropped[:4])
    assert dropped[5].value is None and dropped[6].value is None


def test_xlsx_is_reproducible(sample_diff: PeriodDiff) -> None:
    assert diff_xlsx(sample_diff, WHEN) == diff_xlsx(sample_diff, WHEN)


def test_table_has_no_file_content(sample_diff: PeriodDiff) -> None:
    with pytest.raises(UsageError, match="table"):
        diff_bytes(sample_diff, "table")


def test_the_reason_for_uncomputable_is_in_every_format(tmp_path: Path) -> None:
    diff = PeriodDiff(OLD, NEW, None, [_row(), BAD_CELL])
    assert _csv_rows(diff)[2][9:] == ["无法计算", BAD_CELL.note]
    assert json.loads(diff_bytes(diff, "json"))["rows"][1]["note"] == BAD_CELL.note
    assert display_rows(diff)[1][8:] == ["无法计算", BAD_CELL.note]
    assert f"| 无法计算 | {BAD_CELL.note} |" in diff_markdown(diff)
    sheet = _sheet(tmp_path, diff)
    assert sheet["K1"].value == "说明"
    assert sheet["J3"].value == "无法计算" and sheet["K3"].value == BAD_CELL.note
    assert sheet["K2"].value is None
    assert sheet["F3"].value is None and sheet["A3"].fill.fill_type == "solid"


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
_value = st.none() | st.decimals(
    allow_nan=False, allow_infinity=False, places=6, max_value=10**12, min_value=-(10**12)
)


@given(name=_text, old=_value, new=_value)
def test_csv_round_trips_any_text_and_decimal(
    name: str, old: Decimal | None, new: Decimal | None
) -> None:
    row = _row(name=name, old=old, new=new)
    cells = _csv_rows(PeriodDiff(OLD, NEW, None, [row]))[1]
    assert cells[2] == (f"'{name}" if name.startswith(("=", "+", "-", "@")) else name)
    assert (Decimal(cells[4]) if cells[4] else None) == old
    assert (Decimal(cells[5]) if cells[5] else None) == new


def test_terminal_table_groups_by_department_and_keeps_brackets() -> None:
    from rich.console import Console

    from chengbei_report.render.diff_output import rich_table

    console = Console(record=True, width=120)
    console.print(rich_table(PeriodDiff(OLD, NEW, None, [_row(name="[red]帮扶[/red]"), RATE])))
    text = console.export_text()
    assert text.count("社会事务管理办公室") == 1
    assert "[red]帮扶[/red]" in text
    assert "452人" in text and "+0.81个百分点" in text and "98.43%" in text


def test_terminal_table_gives_the_reason_below_the_table() -> None:
    from rich.console import Console

    from chengbei_report.render.diff_output import rich_table

    console = Console(record=True, width=200)
    console.print(rich_table(PeriodDiff(OLD, NEW, None, [RATE, BAD_CELL])))
    lines = console.export_text().splitlines()
    bottom = max(i for i, line in enumerate(lines) if line.startswith("└"))
    row = next(line for line in lines if "帮扶成功就业" in line and "│" in line)
    assert "无法计算" in row and "约500" not in row
    caption = "".join(lines[bottom + 1 :]).replace(" ", "")  # wrapped to the table's width
    assert caption == f"[无法计算]帮扶成功就业（social_reemployed）——{BAD_CELL.note}".replace(
        " ", ""
    )


def _tsv(diff: PeriodDiff) -> bytes:
    return "".join("\t".join(row) + "\n" for row in display_rows(diff)).encode("utf-8")


def test_a_format_added_to_the_table_is_written_by_diff(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The recipe of docs/architecture.md: one DiffFormat entry, nothing else."""
    extended = {**diff_output.DIFF_FORMATS, "tsv": DiffFormat("tsv", periods=_tsv)}
    monkeypatch.setattr(diff_output, "DIFF_FORMATS", extended)
    workspace = make_workspace(tmp_path / "ws")
    target = tmp_path / "对比.tsv"
    outcome = run_diff("2022H1", "2023H1", output_format="tsv", out=target, workspace_dir=workspace)
    rows = [line.split("\t") for line in target.read_text(encoding="utf-8").splitlines()]
    assert outcome.written == target and rows[0][:2] == ["综合办公室", "tax"]
    with pytest.raises(UsageError, match="报表版本对比不支持“tsv”格式"):
        diff_output.workbook_diff_bytes(None, "tsv")  # type: ignore[arg-type]


def test_a_format_outside_the_table_is_a_usage_error_naming_the_formats() -> None:
    with pytest.raises(UsageError, match="没有“tsv”这种输出格式") as caught:
        run_diff("2022H1", "2023H1", output_format="tsv")
    assert caught.value.hint == "可用的格式：table、csv、json、xlsx、md。"


def test_the_cli_offers_exactly_the_formats_of_the_table() -> None:
    assert [choice.value for choice in cli.DiffFormat] == list(diff_output.DIFF_FORMATS)
