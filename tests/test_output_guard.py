"""The one output guard: no command writes over an input, into the workspace or into the package."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chengbei_report import cli
from chengbei_report.errors import UsageError
from chengbei_report.guard import guard_outputs, lock_files
from chengbei_report.workspace import PACKAGE_DIR, bundled_path

ECONOMY = "城北街道_2023H1_经济发展办公室.xlsx"
ECONOMY_2022 = "城北街道_2022H1_经济发展办公室.xlsx"
DOCUMENT = "城北街道2023年上半年工作总结.docx"
WORKPAPER = "城北街道2023年上半年工作总结_底稿.xlsx"


def _digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the hash of its bytes: any write shows."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def ws(workspace_copy: Path) -> Path:
    """The sample workspace with its own templates/ folder."""
    (workspace_copy / "templates").mkdir()
    shutil.copy(bundled_path("templates") / "work_summary.md.j2", workspace_copy / "templates")
    return workspace_copy


def _refused(ws: Path, args: list[str], *named: str) -> str:
    """Run a command that must be refused with exit 2, leave the workspace as it was, and name ``named``."""
    before = _digest(ws)
    code, output = _run(*args)
    assert code == 2, output
    assert output.startswith("错误：")
    for text in named:
        assert text in output, output
    assert _digest(ws) == before
    return output


# --- diff --out ----------------------------------------------------------------------------------


def test_diff_xlsx_over_a_submission_is_refused(ws: Path) -> None:
    victim = ws / "submissions" / "2023H1" / ECONOMY
    args = ["diff", "2022H1", "2023H1", "-w", str(ws), "-f", "xlsx", "--out", str(victim)]
    _refused(ws, args, str(victim), str(ws / "submissions"))


@pytest.mark.parametrize(
    ("fmt", "target"),
    [("csv", "catalog.toml"), ("md", "templates/work_summary.md.j2"), ("csv", "workspace.toml")],
)
def test_diff_over_a_workspace_file_is_refused(ws: Path, fmt: str, target: str) -> None:
    args = ["diff", "2022H1", "2023H1", "-w", str(ws), "-f", fmt, "--out", str(ws / target)]
    _refused(ws, args, str(ws / target), str(ws / target.split("/")[0]))


def test_diff_of_two_workbooks_cannot_overwrite_the_new_one(ws: Path, tmp_path: Path) -> None:
    old = shutil.copy(ws / "submissions" / "2022H1" / ECONOMY_2022, tmp_path / "A.xlsx")
    new = shutil.copy(ws / "submissions" / "2023H1" / ECONOMY, tmp_path / "B.xlsx")
    before = Path(new).read_bytes()
    code, output = _run("diff", str(old), str(new), "-w", str(ws), "-f", "json", "--out", str(new))
    assert code == 2, output
    assert f"输出文件 {new} 就是输入文件 {new}" in output
    assert Path(new).read_bytes() == before


def test_diff_into_a_workspace_out_folder_is_allowed(ws: Path) -> None:
    target = ws / "out" / "对比.csv"
    code, output = _run("diff", "2022H1", "2023H1", "-w", str(ws), "-f", "csv", "-o", str(target))
    assert code == 0, output
    assert target.read_bytes().startswith("\ufeff部门".encode())


# --- build --out, validate --annotate, init ------------------------------------------------------


@pytest.mark.parametrize(
    "folder", ["submissions/2023H1", "submissions", "templates", "Submissions/x"]
)
def test_build_into_the_workspace_inputs_is_refused(ws: Path, folder: str) -> None:
    args = ["build", "-p", "2023H1", "-w", str(ws), "--out", str(ws / folder)]
    _refused(ws, args, str(ws / folder), "工作区")


def test_build_into_the_bundled_sample_is_refused() -> None:
    """Without --workspace the workspace is the sample inside the installed package."""
    sample = bundled_path("sample_data")
    before = _digest(sample)
    target = sample / "submissions" / "2023H1"
    code, output = _run("build", "-p", "2023H1", "--out", str(target))
    assert code == 2, output
    assert str(sample) in output
    assert _digest(sample) == before


@pytest.mark.skipif(os.name != "posix", reason="symlinks need privileges on Windows")
def test_build_through_a_symlink_into_submissions_is_refused(ws: Path, tmp_path: Path) -> None:
    link = tmp_path / "输出"
    link.symlink_to(ws / "submissions" / "2023H1", target_is_directory=True)
    _refused(ws, ["build", "-p", "2023H1", "-w", str(ws), "--out", str(link)], str(link))


@pytest.mark.parametrize("folder", ["submissions/2022H1", "submissions", "templates"])
def test_annotated_copies_never_go_into_the_workspace(ws: Path, folder: str) -> None:
    bad = ws / "submissions" / "2023H1" / "城北街道_2023H1_社会事务管理办公室.xlsx"
    args = ["validate", str(bad), "-w", str(ws), "--annotate", str(ws / folder)]
    _refused(ws, args, str(ws / folder))


@pytest.mark.parametrize("where", ["workspace", "package"])
def test_init_never_creates_a_workspace_inside_one(ws: Path, where: str) -> None:
    parent = ws / "submissions" if where == "workspace" else PACKAGE_DIR
    target = parent / "新工作区"
    code, output = _run("init", str(target))
    assert code == 2, output
    assert str(target) in output
    assert not target.exists()


# --- the guard itself ----------------------------------------------------------------------------


def test_two_outputs_of_one_run_may_not_be_one_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="同一个文件"):
        guard_outputs([tmp_path / "报告.docx", tmp_path / "sub" / ".." / "报告.DOCX"])


def test_working_paper_named_like_a_document_is_a_workspace_error(ws: Path) -> None:
    config = ws / "workspace.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            'workpaper = "{unit}{period}工作总结_底稿.xlsx"',
            'workpaper = "{unit}{period}工作总结.docx"',
        ),
        encoding="utf-8",
    )
    code, output = _run("build", "-p", "2023H1", "-w", str(ws), "-o", str(ws / "out"))
    assert code == 1, output
    assert "workpaper 的文件名“{unit}{period}工作总结.docx”须以 .xlsx 结尾" in output
    assert not (ws / "out").exists()


@pytest.mark.parametrize(
    "name", ["catalog.toml", "CATALOG.TOML", "Templates/a.md.j2", "submissions/2030H1/x.csv"]
)
def test_workspace_entries_are_refused_in_any_letter_case(ws: Path, name: str) -> None:
    with pytest.raises(UsageError) as caught:
        guard_outputs([ws / name], workspace=ws)
    assert str(ws / name) in caught.value.message


def test_a_workspace_enclosing_the_output_is_found_without_being_named(ws: Path) -> None:
    with pytest.raises(UsageError, match="submissions"):
        guard_outputs([ws / "submissions" / "2023H1" / "对比.csv"])


def test_files_beside_the_workspace_entries_are_allowed(ws: Path, tmp_path: Path) -> None:
    assert guard_outputs([ws / "对比.csv", ws / "out" / "2023H1" / DOCUMENT], workspace=ws) == [
        (ws / "对比.csv").resolve(),
        (ws / "out" / "2023H1" / DOCUMENT).resolve(),
    ]


@pytest.mark.parametrize("name", ["报告\n.docx", "报告\x00.docx"])
def test_control_characters_in_an_output_path_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError, match="控制字符"):
        guard_outputs([tmp_path / name])


# --- outputs open in Word, WPS, Excel or LibreOffice ---------------------------------------------


def test_lock_file_names_of_every_office_suite() -> None:
    names = {p.name for p in lock_files(Path("/out") / DOCUMENT)}
    assert (
        names
        == {
            f"~${DOCUMENT}",  # WPS, Excel
            f"~${DOCUMENT[1:]}",
            f"~${DOCUMENT[2:]}",  # Word, for long names
            f".~lock.{DOCUMENT}#",  # LibreOffice
        }
    )


@pytest.mark.parametrize(
    ("output", "lock"),
    [
        (DOCUMENT, f"~${DOCUMENT[2:]}"),
        (DOCUMENT, f"~${DOCUMENT}"),
        (WORKPAPER, f"~${WORKPAPER}"),
        (WORKPAPER, f".~lock.{WORKPAPER}#"),
    ],
)
def test_build_stops_when_an_output_is_open(
    ws: Path, tmp_path: Path, output: str, lock: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in (DOCUMENT, WORKPAPER):
        (out / name).write_bytes(b"old " + name.encode())
    (out / lock).write_bytes(b"owner")
    before = _digest(out)
    code, text = _run("build", "-p", "2023H1", "-w", str(ws), "-o", str(out))
    assert code == 2, text
    assert f"请先关闭 {output}" in text
    assert lock in text
    assert _digest(out) == before


# --- every write goes through the guard ----------------------------------------------------------

_WRITES = re.compile(
    r"write_bytes|write_text|os\.(replace|rename|open|write)\b|shutil\.(copy|move)|\.mkdir\("
    r"|mkdtemp|NamedTemporaryFile|\bopen\([^)]*['\"][wax]"
)
# output.py writes every file behind guard_outputs; init copies the sample into a folder the guard
# passed; pdf.py writes a fontconfig file into LibreOffice's private temporary folder and installs
# the PDF through output.py.
_ALLOWED = {"render/output.py", "commands/init.py", "render/pdf.py"}


def test_only_the_guarded_writer_writes_files() -> None:
    package = PACKAGE_DIR
    writers = {
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if _WRITES.search(path.read_text(encoding="utf-8"))
    }
    assert writers <= _ALLOWED, writers - _ALLOWED
    init = (package / "commands" / "init.py").read_text(encoding="utf-8")
    assert init.index("guard_outputs(") < init.index("mkdtemp")


def test_init_inside_the_package_gets_a_hint_without_out() -> None:
    """init takes its folder as an argument; its hint must not name an --out it does not have."""
    import chengbei_report

    folder = Path(chengbei_report.__file__).resolve().parent
    result = CliRunner().invoke(cli.app, ["init", str(folder / "新工作区")])
    assert result.exit_code == 2
    assert result.output == (
        f"错误：输出位置 {folder / '新工作区'} 在本工具的安装目录 {folder} 内，不能写入。\n"
        "提示：请换一个本工具安装目录之外的目录。\n"
    )
    assert not (folder / "新工作区").exists()
