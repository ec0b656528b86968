"""The sample workspace validates clean; one planted mistake per department is found at its
cell; annotated copies; the ``validate`` command; random cell contents never crash the run."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.workbook.workbook import Workbook
from typer.testing import CliRunner

from chengbei_report.cli import app
from chengbei_report.commands.validate import validate_submissions
from chengbei_report.errors import UsageError
from chengbei_report.periods import Period

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
PERIOD = Period.parse("2023H1")
DOCUMENTED = set(re.findall(r"`([A-Z]+_[A-Z0-9_]+)`", (ROOT / "README.md").read_text("utf-8")))


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SAMPLE, tmp_path / "ws"))


def workbook_of(ws: Path, department: str) -> Path:
    return ws / "submissions" / "2023H1" / f"城北街道_2023H1_{department}.xlsx"


def row_of(book: Workbook, code: str) -> int:
    sheet = book["指标"]
    return next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == code)


def plant(path: Path, change: Callable[[Workbook], str]) -> str:
    """Apply ``change`` (which returns the cell it changed) and save."""
    book = openpyxl.load_workbook(path)
    cell = change(book)
    book.save(path)
    return cell


def indicator(code: str, value: object) -> Callable[[Workbook], str]:
    def change(book: Workbook) -> str:
        cell = f"D{row_of(book, code)}"
        book["指标"][cell] = value
        return cell

    return change


def ledger(sheet: str, cell: str, value: object) -> Callable[[Workbook], str]:
    def change(book: Workbook) -> str:
        book[sheet][cell] = value
        return cell

    return change


@pytest.mark.parametrize("period", ["2023H1", "2022H1", "2022", "2021", "2002"])
def test_sample_workspace_validates_clean(period: str) -> None:
    result = validate_submissions(period=Period.parse(period), workspace_dir=SAMPLE)
    assert result.findings.findings == []
    assert result.files and all(name.endswith(".xlsx") for name in result.files)


PLANTED = [
    ("经济发展办公室", "指标", indicator("econ_park_revenue", "约6000"), "CELL_NOT_NUMBER"),
    ("党建工作办公室", "指标", indicator("party_first_form", 13), "RULE_VIOLATED"),
    (
        "社会事务管理办公室",
        "劳动纠纷调解台账",
        ledger("劳动纠纷调解台账", "F3", "已调解"),
        "CELL_BAD_CHOICE",
    ),
    ("综合行政执法队", "指标", indicator("enf_general_cases", -162), "CELL_NEGATIVE"),
    ("城市建设与环境办公室", "指标", indicator("urban_grids", 12.5), "CELL_NOT_INTEGER"),
    ("平安建设办公室", "指标", indicator("safety_inspected", 2801), "RULE_CROSSCHECK"),
    (
        "区级对比数据",
        "党群服务中心提档验收",
        ledger("党群服务中心提档验收", "B3", None),
        "CELL_REQUIRED_EMPTY",
    ),
]


@pytest.mark.parametrize(
    ("department", "sheet", "change", "code"), PLANTED, ids=[p[0] for p in PLANTED]
)
def test_one_planted_mistake_per_department(
    ws: Path, department: str, sheet: str, change: Callable[[Workbook], str], code: str
) -> None:
    path = workbook_of(ws, department)
    cell = plant(path, change)
    result = validate_submissions(period=PERIOD, workspace_dir=ws)
    assert [(f.code, f.file, f.sheet, f.cell) for f in result.findings] == [
        (code, path.name, sheet, cell)
    ]
    assert not result.ok


def test_annotated_copy_marks_the_cell_and_leaves_the_original(ws: Path, tmp_path: Path) -> None:
    path = workbook_of(ws, "经济发展办公室")
    cell = plant(path, indicator("econ_park_revenue", "约6000"))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    out = tmp_path / "批注"
    result = validate_submissions(period=PERIOD, workspace_dir=ws, annotate_dir=out)
    assert result.annotated == [(out / path.name).resolve()]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    marked = openpyxl.load_workbook(out / path.name)["指标"][cell]
    assert marked.fill.fgColor.rgb.endswith("FFC7CE")
    assert marked.comment is not None and "CELL_NOT_NUMBER" in marked.comment.text
    assert "约6000" in marked.comment.text
    assert openpyxl.load_workbook(path)["指标"][cell].comment is None


def test_annotated_copy_of_a_ledger_and_a_file_level_finding(ws: Path, tmp_path: Path) -> None:
    path = workbook_of(ws, "社会事务管理办公室")
    plant(path, ledger("劳动纠纷调解台账", "F3", "已调解"))
    plant(path, lambda book: book["指标"].__setitem__("B4", "2022H1") or "B4")
    out = tmp_path / "批注"
    validate_submissions(period=PERIOD, workspace_dir=ws, annotate_dir=out)
    book = openpyxl.load_workbook(out / path.name)
    assert "CELL_BAD_CHOICE" in book["劳动纠纷调解台账"]["F3"].comment.text
    assert "FILE_WRONG_PERIOD" in book["指标"]["B4"].comment.text
    assert book["指标"]["B4"].fill.fgColor.rgb.endswith("FFC7CE")


def test_annotate_refuses_the_submissions_folder(ws: Path) -> None:
    plant(workbook_of(ws, "经济发展办公室"), indicator("econ_park_revenue", "约6000"))
    with pytest.raises(UsageError):
        validate_submissions(
            period=PERIOD, workspace_dir=ws, annotate_dir=ws / "submissions" / "2023H1"
        )


def test_validate_needs_a_period_or_files() -> None:
    with pytest.raises(UsageError):
        validate_submissions(period=None, workspace_dir=SAMPLE)


# ---------------------------------------------------------------- CLI

runner = CliRunner()


def _as_json(data: object) -> object:
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def test_cli_json_equals_the_api_result(ws: Path) -> None:
    plant(workbook_of(ws, "经济发展办公室"), indicator("econ_night_visitors", 9000))
    args = ["validate", "--period", "2023H1", "--workspace", str(ws), "--format", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    api = validate_submissions(period=PERIOD, workspace_dir=ws)
    assert json.loads(result.stdout) == _as_json(api.to_dict())
    assert json.loads(result.stdout)["warnings"] == 1


def test_cli_text_groups_by_file_and_exits_1_on_errors(ws: Path) -> None:
    path = workbook_of(ws, "平安建设办公室")
    plant(path, indicator("safety_inspected", 2801))
    result = runner.invoke(app, ["validate", "-p", "2023H1", "-w", str(ws)])
    assert result.exit_code == 1
    assert f"\n{path.name}\n" in result.stdout
    assert "[错误] RULE_CROSSCHECK 指标!D10" in result.stdout


def test_cli_files_and_annotate(ws: Path, tmp_path: Path) -> None:
    path = workbook_of(ws, "经济发展办公室")
    plant(path, indicator("econ_park_revenue", "约6000"))
    out = tmp_path / "批注"
    result = runner.invoke(app, ["validate", "-w", str(ws), "--annotate", str(out), str(path)])
    assert result.exit_code == 1
    assert (out / path.name).is_file()
    assert "已写出批注副本" in result.stdout


@pytest.mark.parametrize(
    "args",
    [["validate"], ["validate", "--period", "2023H9"], ["validate", "不存在的文件.xlsx"]],
    ids=["nothing", "bad_period", "missing_file"],
)
def test_cli_usage_errors_exit_2(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--workspace", str(SAMPLE)])
    assert result.exit_code == 2
    assert "错误：" in result.output


def test_cli_clean_sample_exits_0() -> None:
    result = runner.invoke(app, ["validate", "-p", "2023H1", "-w", str(SAMPLE)])
    assert result.exit_code == 0 and "校验通过：共检查 7 个文件，未发现问题。" in result.stdout


# ---------------------------------------------------------------- random cell contents

_CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
    st.text(max_size=40).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)),
    st.from_regex(r"[ 　约+\-]?[0-9０-９,.]{1,12}(万元|亿元|元|%|％|人|余|万)? ?", fullmatch=True),
    st.sampled_from(["=1+1", "=SUM(A1:A3)", "_x0001_", "待统计", "3000+", "1,954,945"]),
)


@pytest.fixture(scope="module")
def random_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(shutil.copytree(SAMPLE, tmp_path_factory.mktemp("random") / "ws"))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=_CELLS, unit=st.sampled_from(["家", "万元", "", "亩", "米"]), ledger_value=_CELLS)
def test_random_cell_contents_never_crash(
    random_ws: Path,
    tmp_path_factory: pytest.TempPathFactory,
    value: object,
    unit: str,
    ledger_value: object,
) -> None:
    target = tmp_path_factory.mktemp("cell") / "随机.xlsx"
    book = openpyxl.load_workbook(workbook_of(random_ws, "党建工作办公室"))
    row = row_of(book, "party_reserve_cadres")
    book["指标"][f"D{row}"] = value
    book["指标"][f"C{row}"] = unit
    book["社区文化活动"]["B2"] = ledger_value
    book.save(target)
    result = validate_submissions(period=PERIOD, paths=[target], workspace_dir=random_ws)
    assert {f.code for f in result.findings} <= DOCUMENTED
    assert all(f.file == target.name for f in result.findings)
