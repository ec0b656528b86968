"""Fuzzing the sample workbooks: whatever a department sends, the tool answers 0 or 1.

Hypothesis mutates one 2023H1 workbook of a private copy of the sample workspace — its bytes,
its sheet XML, or a cell's value — then runs ``validate`` and ``build`` through the CLI and
asserts: exit 0 or 1 and no internal error; build refuses exactly when validate reports errors;
and every figure the document takes from one cell equals an independent openpyxl read of that
cell (as Excel shows it, at 15 significant digits), unless validate reported that very cell.

The suite runs a bounded, derandomised number of examples; ``python scripts/fuzz.py
--minutes 10`` runs the same property for longer with fresh randomness.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError
from typer.testing import CliRunner

from chengbei_report.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
PERIOD = "2023H1"
FILES = sorted(p.name for p in (SAMPLE / "submissions" / PERIOD).glob("*.xlsx"))
SUITE_EXAMPLES = 14
_SHOWN = Context(prec=15, rounding=ROUND_HALF_UP)
_SOURCE = re.compile(
    r"^(?:(?P<period>[^/]+)/)?(?P<file>.+?) (?P<sheet>[^ !]+)!(?P<cell>[A-Z]+\d+)$"
)
runner = CliRunner()

# --- mutations --------------------------------------------------------------------------------

NUMBERS = st.sampled_from(
    [
        "12345678901234567",
        "1e300",
        "-1",
        "0.30000000000000004",
        "1E+16",
        "abc",
        "",
        "162</v><v>999",
        "NaN",
        "1.5",
        "99999999999999999999999",
        "0",
    ]
)
CELL_VALUES = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=False),
    st.sampled_from(["约500", "１２３", "1,954,945", " 508 ", "98.43%", "待统计", "=1+1", "\x01"]),
    st.text(max_size=12),
    st.none(),
)


@dataclass(frozen=True)
class Mutation:
    """One change to one workbook: ``kind`` is bytes, xml or cell."""

    file: str
    kind: str
    detail: tuple[object, ...]


@st.composite
def mutations(draw: st.DrawFn) -> Mutation:
    file = draw(st.sampled_from(FILES))
    kind = draw(st.sampled_from(["bytes", "xml", "xml", "cell", "cell"]))
    if kind == "bytes":
        how = draw(st.sampled_from(["flip", "truncate", "insert"]))
        where = draw(st.floats(min_value=0, max_value=1))
        data = draw(st.binary(min_size=1, max_size=8))
        return Mutation(file, kind, (how, where, data))
    if kind == "xml":
        how = draw(st.sampled_from(["value", "duplicate_row", "duplicate_cell", "drop_tag"]))
        return Mutation(file, kind, (how, draw(st.integers(0, 10**6)), draw(NUMBERS)))
    sheet = draw(st.integers(0, 5))
    row, column = draw(st.integers(1, 60)), draw(st.integers(1, 8))
    return Mutation(file, kind, (sheet, row, column, draw(CELL_VALUES)))


def apply(path: Path, mutation: Mutation) -> None:
    if mutation.kind == "bytes":
        _mutate_bytes(path, *mutation.detail)
    elif mutation.kind == "xml":
        _mutate_xml(path, *mutation.detail)
    else:
        _mutate_cell(path, *mutation.detail)


def _mutate_bytes(path: Path, how: object, where: object, data: object) -> None:
    content = bytearray(path.read_bytes())
    at = int(float(where) * (len(content) - 1))  # type: ignore[arg-type]
    assert isinstance(data, bytes)
    if how == "flip":
        content[at : at + len(data)] = bytes(
            b ^ d for b, d in zip(content[at:], data, strict=False)
        )
    elif how == "truncate":
        del content[at:]
    else:
        content[at:at] = data
    path.write_bytes(bytes(content))


def _mutate_xml(path: Path, how: object, seed: object, number: object) -> None:
    with zipfile.ZipFile(path) as old:
        members = [(info, old.read(info)) for info in old.infolist()]
    sheets = [
        i for i, (info, _) in enumerate(members) if info.filename.startswith("xl/worksheets/")
    ]
    assert isinstance(seed, int) and isinstance(number, str)
    index = sheets[seed % len(sheets)]
    info, data = members[index]
    members[index] = (info, _xml_change(data.decode("utf-8"), how, seed, number).encode("utf-8"))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in members:
            new.writestr(info, data)


def _xml_change(xml: str, how: object, seed: int, number: str) -> str:
    cells = list(re.finditer(r'<c r="[A-Z]+\d+"[^>]*?(?:/>|>.*?</c>)', xml))
    rows = list(re.finditer(r"<row [^>]*>.*?</row>", xml))
    if how == "value" and cells:
        cell = cells[seed % len(cells)]
        ref = re.match(r'<c r="([A-Z]+\d+)"', cell[0])
        assert ref is not None
        return xml.replace(cell[0], f'<c r="{ref[1]}" t="n"><v>{number}</v></c>', 1)
    if how == "duplicate_row" and rows:
        row = rows[seed % len(rows)]
        return xml[: row.end()] + row[0] + xml[row.end() :]
    if how == "duplicate_cell" and cells:
        cell = cells[seed % len(cells)]
        return xml[: cell.end()] + cell[0] + xml[cell.end() :]
    tags = list(re.finditer(r"<[^>]+>", xml))
    tag = tags[seed % len(tags)]
    return xml[: tag.start()] + xml[tag.end() :]


def _mutate_cell(path: Path, sheet: object, row: object, column: object, value: object) -> None:
    try:
        book = openpyxl.load_workbook(path)
    except Exception:  # a workbook openpyxl cannot open is left as it is
        return
    assert isinstance(sheet, int) and isinstance(row, int) and isinstance(column, int)
    target = book.worksheets[sheet % len(book.worksheets)]
    try:
        target.cell(row, column).value = value
    except (IllegalCharacterError, AttributeError):  # text openpyxl cannot write; a merged cell
        return
    book.save(path)


# --- the property -----------------------------------------------------------------------------


@dataclass
class Stats:
    """What the fuzzing saw: runs, and how each ended."""

    examples: int = 0
    clean: int = 0
    refused: int = 0
    figures_checked: int = 0
    codes: dict[str, int] = field(default_factory=dict)


def check_workspace(ws: Path, out: Path, stats: Stats) -> None:
    """Validate and build the mutated workspace; every assertion of the module docstring."""
    validated = runner.invoke(
        app, ["validate", "--period", PERIOD, "--workspace", str(ws), "-f", "json"]
    )
    assert validated.exit_code in (0, 1), validated.output
    assert validated.exception is None or isinstance(validated.exception, SystemExit)
    report = json.loads(validated.stdout)
    built = runner.invoke(
        app,
        ["build", "--period", PERIOD, "--workspace", str(ws), "--out", str(out), "-f", "json"],
    )
    assert built.exit_code in (0, 1), built.output
    assert "Traceback" not in built.output and "内部错误" not in built.output
    result = json.loads(built.stdout) if built.stdout.startswith("{") else None
    assert result is not None, built.output  # a refusal is a result, not an error message
    assert result["ok"] == report["ok"], (report["findings"], result["findings"])
    stats.examples += 1
    for finding in report["findings"]:
        stats.codes[finding["code"]] = stats.codes.get(finding["code"], 0) + 1
    if not result["ok"]:
        stats.refused += 1
        assert result["document"] is None and not any(out.iterdir() if out.exists() else [])
        return
    stats.clean += 1
    reported = {(f["file"], f["sheet"], f["cell"]) for f in report["findings"]}
    stats.figures_checked += _check_figures(ws, Path(result["workpaper"]), reported)


def _open(path: Path, reported: set[tuple[str, str, str]]) -> openpyxl.Workbook | None:
    """openpyxl's read of a source; a file it cannot read must have been reported."""
    try:
        return openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types on malformed XML
        assert any(file == path.name for file, _, _ in reported), f"{path.name}: {exc}"
        return None


def _check_figures(ws: Path, workpaper: Path, reported: set[tuple[str, str, str]]) -> int:
    """Figures typed into one cell equal openpyxl's read of it, or validate named the cell."""
    checked = 0
    books: dict[Path, openpyxl.Workbook | None] = {}
    sheet = openpyxl.load_workbook(workpaper, read_only=True)["底稿"]
    for row in sheet.iter_rows(min_row=2, values_only=True):
        exact, unit, formula, sources = row[5], row[6], row[10], row[11]
        found = _SOURCE.match(str(sources or ""))
        if formula or found is None or "；" in str(sources):
            continue
        folder = found["period"] or PERIOD
        path = ws / "submissions" / folder / found["file"]
        if path not in books:
            books[path] = _open(path, reported)
        opened = books[path]
        if opened is None:
            continue
        value = opened[found["sheet"]][found["cell"]].value
        expected = _as_excel_shows(value, percent=unit == "%")
        if expected != Decimal(str(exact)):
            assert (found["file"], found["sheet"], found["cell"]) in reported, (
                f"{sources}: document {exact}, cell {value!r}, not reported"
            )
        checked += 1
    return checked


def _as_excel_shows(value: object, *, percent: bool) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = _SHOWN.plus(Decimal(repr(value))) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None
    return number.scaleb(2) if percent else number


def fuzz_once(mutation: Mutation, stats: Stats) -> None:
    """One example in a private copy of the sample workspace."""
    with tempfile.TemporaryDirectory(prefix="chengbei-fuzz-") as temp:
        ws = Path(shutil.copytree(SAMPLE, Path(temp) / "ws"))
        apply(ws / "submissions" / PERIOD / mutation.file, mutation)
        check_workspace(ws, Path(temp) / "out", stats)


SUITE_STATS = Stats()


@settings(
    max_examples=SUITE_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutations())
def test_mutated_sample_workbooks_give_exit_0_or_1_and_consistent_results(
    mutation: Mutation,
) -> None:
    fuzz_once(mutation, SUITE_STATS)


def test_the_fuzzing_reaches_both_outcomes() -> None:
    """The mutations are not all harmless, nor all fatal: both paths of the property ran."""
    stats = Stats()
    for mutation in (
        Mutation(FILES[0], "cell", (1, 1, 1, "备注")),  # a ledger header → refused
        Mutation(FILES[-1], "cell", (0, 8, 5, "说明")),  # a 备注 cell → still clean
    ):
        fuzz_once(mutation, stats)
    assert stats.refused == 1 and stats.clean == 1 and stats.figures_checked > 0
