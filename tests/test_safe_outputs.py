"""Outputs never corrupt what a user has: atomic replacement, inputs refused, text stays text."""

from __future__ import annotations

import errno
import os
import re
import shutil
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from chengbei_report import cli
from chengbei_report.codes import TEXT_XML_ILLEGAL
from chengbei_report.commands.build import BuildResult, build_report
from chengbei_report.errors import OutputError, TemplateError
from chengbei_report.periods import Period
from chengbei_report.workspace import bundled_path

PERIOD = Period.parse("2023H1")
TEMPLATE = bundled_path("templates") / "work_summary.md.j2"
INTRO = "现将工作总结汇报如下："


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A private copy of the sample workspace, free to change."""
    copy = tmp_path / "workspace"
    shutil.copytree(bundled_path("sample_data"), copy)
    return copy


def _template(folder: Path, old: str, new: str, name: str = "work_summary.md.j2") -> Path:
    """The bundled template with one literal change, saved under ``folder``."""
    text = TEMPLATE.read_text(encoding="utf-8")
    assert old in text
    path = folder / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _build(workspace: Path, out: Path, template: Path | None = None) -> BuildResult:
    result = build_report(PERIOD, workspace_dir=workspace, out_dir=out, template=template)
    assert result.ok, result.findings.to_dict()
    return result


def _line_of(path: Path, needle: str) -> int:
    """1-based number of the first line of ``path`` holding ``needle``."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return 1 + next(n for n, line in enumerate(lines) if needle in line)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _document_text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


# --- interrupted writes ---------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fault", "raised"),
    [
        (KeyboardInterrupt(), KeyboardInterrupt),
        (OSError(errno.ENOSPC, "No space left on device"), OutputError),
    ],
)
def test_interrupted_write_keeps_old_outputs(
    workspace: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fault: BaseException,
    raised: type[BaseException],
) -> None:
    out = tmp_path / "out"
    _build(workspace, out)
    before = _snapshot(out)
    changed = _template(tmp_path, INTRO, INTRO + "本期新增一段。")

    def crash(fd: int) -> None:
        raise fault

    monkeypatch.setattr(os, "fsync", crash)  # fails after the temp file got its bytes
    with pytest.raises(raised):
        build_report(PERIOD, workspace_dir=workspace, out_dir=out, template=changed)
    monkeypatch.undo()
    assert _snapshot(out) == before
    rebuilt = _build(workspace, tmp_path / "control", changed)
    assert rebuilt.document is not None
    assert rebuilt.document.read_bytes() != before[rebuilt.document.name]


@pytest.mark.slow
def test_template_error_keeps_old_outputs(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _build(workspace, out)
    before = _snapshot(out)
    broken = _template(tmp_path, INTRO, INTRO + "{{ cur.no_such_indicator | num }}")
    with pytest.raises(TemplateError, match="no_such_indicator"):
        build_report(PERIOD, workspace_dir=workspace, out_dir=out, template=broken)
    assert _snapshot(out) == before


# --- an output that is an input -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("setting", "code", "reason"),
    [
        (
            'document = "{unit}{period}工作总结.docx"',
            1,
            "document 的文件名“{unit}_{code}_经济发展办公室.xlsx”须以 .docx 结尾",
        ),
        ('workpaper = "{unit}{period}工作总结_底稿.xlsx"', 2, "输入文件"),
    ],
)
def test_output_that_is_an_input_is_refused(
    workspace: Path, setting: str, code: int, reason: str
) -> None:
    """Whichever output would overwrite an input, nothing at all is written."""
    folder = workspace / "submissions" / PERIOD.code
    victim = folder / "城北街道_2023H1_经济发展办公室.xlsx"
    config = workspace / "workspace.toml"
    key = setting.split(" =")[0]
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            setting, f'{key} = "{{unit}}_{{code}}_经济发展办公室.xlsx"'
        ),
        encoding="utf-8",
    )
    before = _snapshot(folder)
    result = CliRunner().invoke(
        cli.app,
        ["build", "--period", PERIOD.code, "--workspace", str(workspace), "--out", str(folder)],
    )
    assert result.exit_code == code, result.output
    assert reason in result.output
    assert code == 1 or victim.name in result.output
    assert _snapshot(folder) == before


# --- formula injection ----------------------------------------------------------------------

FORMULA_NAMES = {
    "城北街道_2023H1_平安建设办公室.xlsx": "=1+1.xlsx",
    "城北街道_2023H1_社会事务管理办公室.xlsx": "+SUM(1,1).xlsx",
    "城北街道_2023H1_党建工作办公室.xlsx": "-2+3.xlsx",
    "城北街道_2023H1_城市建设与环境办公室.xlsx": "@SUM(1).xlsx",
}


@pytest.mark.slow
def test_formula_like_text_stays_text_in_the_working_paper(workspace: Path, tmp_path: Path) -> None:
    folder = workspace / "submissions" / PERIOD.code
    for old, new in FORMULA_NAMES.items():
        (folder / old).rename(folder / new)
    result = _build(workspace, tmp_path / "out")
    assert result.workpaper is not None
    sheet = openpyxl.load_workbook(result.workpaper)["底稿"]
    sources = [row[11] for row in sheet.iter_rows(min_row=2)]
    # a source reads "2023H1/=1+1.xlsx 指标!D10": the file name starts right after the folder
    leading = {cell.value.split("/", 1)[1][0] for cell in sources if isinstance(cell.value, str)}
    assert {"=", "+", "-", "@"} <= leading
    for cell in sources:
        assert cell.data_type == "s", cell.coordinate
    with zipfile.ZipFile(result.workpaper) as package:
        sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/")]
        assert not any(re.search(rb"<f[ >]", package.read(n)) for n in sheets)


# --- characters XML cannot hold -------------------------------------------------------------


@pytest.mark.slow
def test_control_character_in_template_is_dropped_with_warning(
    workspace: Path, tmp_path: Path
) -> None:
    template = _template(tmp_path, INTRO, "现将工作总结\x1b汇报\x07如下：")
    result = _build(workspace, tmp_path / "out", template)
    warnings = [f for f in result.findings.warnings if f.code == TEXT_XML_ILLEGAL.code]
    assert len(warnings) == 1
    assert warnings[0].file == template.name
    assert warnings[0].cell == f"第{_line_of(template, chr(0x1B))}行"
    assert "U+0007、U+001B" in warnings[0].message
    assert result.document is not None
    text = _document_text(result.document)
    assert INTRO in text
    assert "\x1b" not in text and "\x07" not in text


@pytest.mark.slow
def test_control_character_in_workspace_unit_names_its_entry(
    workspace: Path, tmp_path: Path
) -> None:
    config = workspace / "workspace.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'office = "城北街道办事处"', 'office = "城北街道\\u0008办事处"'
        ),
        encoding="utf-8",
    )
    result = _build(workspace, tmp_path / "out")
    warnings = [f for f in result.findings.warnings if f.code == TEXT_XML_ILLEGAL.code]
    assert [(w.file, w.cell) for w in warnings] == [("workspace.toml", "[unit] office")]
    assert result.document is not None
    assert "城北街道办事处" in _document_text(result.document).split("\n")[-1]


def test_clean_text_gives_no_warning(workspace: Path, tmp_path: Path) -> None:
    result = _build(workspace, tmp_path / "out")
    assert not [f for f in result.findings if f.code == TEXT_XML_ILLEGAL.code]


# --- sandboxed templates --------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "cur.__class__",
        "''.__class__.__mro__",
        "cur._lookup",
        "cycler.__init__.__globals__.os.system('touch {marker}')",
    ],
)
def test_template_cannot_reach_python_internals(
    workspace: Path, tmp_path: Path, expression: str
) -> None:
    marker = tmp_path / "executed"
    injected = "{{ " + expression.format(marker=marker) + " }}"
    template = _template(tmp_path, INTRO, INTRO + injected)
    line = _line_of(template, injected)
    with pytest.raises(TemplateError) as caught:
        build_report(PERIOD, workspace_dir=workspace, out_dir=tmp_path / "out", template=template)
    assert template.name in caught.value.message
    assert f"第{line}行" in caught.value.message
    assert not marker.exists()
    assert not (tmp_path / "out").exists()
