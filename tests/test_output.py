"""Safe output writing: atomic replacement, refusal to overwrite inputs, reproducible zips."""

from __future__ import annotations

import errno
import io
import os
import stat
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from chengbei_report.errors import OutputError, UsageError
from chengbei_report.render.output import (
    deterministic_zip,
    os_error_reason,
    strip_xml_illegal,
    write_atomic,
)

ILLEGAL = {chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]}
WHEN = datetime(2023, 7, 10, 9, 30, 0)


def _only(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- write_atomic -----------------------------------------------------------------------------


def test_write_atomic_creates_parent_folders(tmp_path: Path) -> None:
    target = tmp_path / "输出" / "子目录" / "报告.docx"
    written = write_atomic(target, b"new")
    assert written == target.resolve()
    assert target.read_bytes() == b"new"
    assert _only(target.parent) == ["报告.docx"]


def test_write_atomic_replaces_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "报告.docx"
    target.write_bytes(b"old content that is longer")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert _only(tmp_path) == ["报告.docx"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_write_atomic_keeps_mode_of_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "报告.docx"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomic(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    fresh = write_atomic(tmp_path / "新.docx", b"x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644


@pytest.mark.parametrize("spelling", ["same", "dotted", "relative"])
def test_write_atomic_refuses_an_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    source = tmp_path / "经济发展办公室.xlsx"
    source.write_bytes(b"workbook")
    monkeypatch.chdir(tmp_path)
    target = {
        "same": source,
        "dotted": tmp_path / "sub" / ".." / source.name,
        "relative": Path(source.name),
    }[spelling]
    with pytest.raises(UsageError) as caught:
        write_atomic(target, b"report", inputs=[tmp_path / "other.xlsx", source])
    assert str(target) in caught.value.message
    assert "输入文件" in caught.value.message
    assert source.read_bytes() == b"workbook"


@pytest.mark.skipif(os.name != "posix", reason="symlinks need privileges on Windows")
def test_write_atomic_refuses_an_input_behind_a_symlink(tmp_path: Path) -> None:
    source = tmp_path / "data.xlsx"
    source.write_bytes(b"workbook")
    link = tmp_path / "link.xlsx"
    link.symlink_to(source)
    with pytest.raises(UsageError):
        write_atomic(link, b"report", inputs=[source])
    assert source.read_bytes() == b"workbook"


def test_failed_replace_leaves_old_file_and_no_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "报告.docx"
    target.write_bytes(b"old")

    def refuse(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError) as caught:
        write_atomic(target, b"new")
    assert caught.value.message == f"无法写入文件 {target}：磁盘空间不足"
    assert isinstance(caught.value.__cause__, OSError)
    assert target.read_bytes() == b"old"
    assert _only(tmp_path) == ["报告.docx"]


def test_failure_while_writing_leaves_old_file_and_no_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "报告.docx"
    target.write_bytes(b"old")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert _only(tmp_path) == ["报告.docx"]


def test_unwritable_target_is_an_output_error(tmp_path: Path) -> None:
    folder = tmp_path / "报告.docx"
    folder.mkdir()  # a folder where the file should go: the rename fails
    (folder / "keep").write_bytes(b"x")
    with pytest.raises(OutputError, match="无法写入文件"):
        write_atomic(folder, b"new")
    assert _only(tmp_path) == ["报告.docx"]
    assert _only(folder) == ["keep"]


# --- deterministic_zip ------------------------------------------------------------------------


def _docx_bytes(paragraph: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(paragraph)
    document.core_properties.created = WHEN
    document.core_properties.modified = WHEN
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_two_saves_at_different_times_become_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    first = _docx_bytes("城北街道")
    later = time.time() + 3 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    second = _docx_bytes("城北街道")
    assert first != second  # python-docx stamps entries with the save time
    assert deterministic_zip(first, WHEN) == deterministic_zip(second, WHEN)


def test_deterministic_zip_is_idempotent_and_keeps_content() -> None:
    original = _docx_bytes("正文")
    once = deterministic_zip(original, WHEN)
    assert deterministic_zip(once, WHEN) == once
    with zipfile.ZipFile(io.BytesIO(original)) as src, zipfile.ZipFile(io.BytesIO(once)) as out:
        assert out.namelist() == src.namelist()
        assert out.namelist()[0] == "[Content_Types].xml"
        for info in out.infolist():
            assert info.date_time == (2023, 7, 10, 9, 30, 0)
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.create_system == 3
            assert info.external_attr == (stat.S_IFREG | 0o644) << 16
            assert out.read(info) == src.read(info.filename)
        assert out.testzip() is None
    assert docx.Document(io.BytesIO(once)).paragraphs[0].text == "正文"


def test_deterministic_zip_depends_on_when() -> None:
    original = _docx_bytes("正文")
    assert deterministic_zip(original, WHEN) != deterministic_zip(original, datetime(2024, 1, 2))


def test_deterministic_zip_uses_wall_time_and_clamps_to_1980() -> None:
    aware = deterministic_zip(_docx_bytes("x"), datetime(2023, 7, 10, 9, 30, tzinfo=UTC))
    old = deterministic_zip(_docx_bytes("x"), datetime(1970, 1, 1))
    with zipfile.ZipFile(io.BytesIO(aware)) as zf:
        assert zf.infolist()[0].date_time == (2023, 7, 10, 9, 30, 0)
    with zipfile.ZipFile(io.BytesIO(old)) as zf:
        assert zf.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)


# --- strip_xml_illegal ------------------------------------------------------------------------


def test_strip_xml_illegal_examples() -> None:
    assert strip_xml_illegal("城北\x00街\x0b道\x1f") == ("城北街道", True)
    assert strip_xml_illegal("换行\n制表\t回车\r") == ("换行\n制表\t回车\r", False)
    assert strip_xml_illegal("a\ud800b\uffffc") == ("abc", True)
    assert strip_xml_illegal("") == ("", False)


@given(st.text(alphabet=st.characters(codec=None)))
def test_strip_xml_illegal_leaves_text_lxml_accepts(text: str) -> None:
    cleaned, removed = strip_xml_illegal(text)
    expected = "".join(c for c in text if c not in ILLEGAL and not 0xD800 <= ord(c) <= 0xDFFF)
    assert cleaned == expected
    assert removed == (cleaned != text)
    element = etree.Element("t")
    element.text = cleaned  # raises ValueError on characters XML cannot hold
    assert etree.fromstring(etree.tostring(element)).text in (cleaned, None)


@given(st.text(min_size=1), st.sampled_from(sorted(ILLEGAL)))
def test_lxml_refuses_what_strip_removes(text: str, bad: str) -> None:
    element = etree.Element("t")
    with pytest.raises(ValueError):
        element.text = text + bad
    element.text = strip_xml_illegal(text + bad)[0]


def test_a_set_of_outputs_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    """The working paper cannot be written (a folder is in the way): the document stays old."""
    from chengbei_report.errors import OutputError
    from chengbei_report.render.output import write_set

    document = tmp_path / "报告.docx"
    document.write_bytes(b"old document")
    blocked = tmp_path / "底稿.xlsx"
    blocked.mkdir()
    (blocked / "keep").write_bytes(b"x")
    with pytest.raises(OutputError, match=r"底稿\.xlsx"):
        write_set([(document, b"new document"), (blocked, b"new workpaper")])
    assert document.read_bytes() == b"old document"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["报告.docx", "底稿.xlsx"])


def test_a_failed_rename_puts_every_old_output_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Excel holds the working paper open: its rename fails after the document's succeeded."""
    from chengbei_report.errors import OutputError
    from chengbei_report.render.output import write_set

    document, workpaper = tmp_path / "报告.docx", tmp_path / "底稿.xlsx"
    document.write_bytes(b"old document")
    workpaper.write_bytes(b"old workpaper")
    real_replace = os.replace

    def locked(source: object, target: object) -> None:
        if Path(str(target)) == workpaper.resolve() and ".tmp" in str(source):
            raise PermissionError(13, "Permission denied", str(target))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(OutputError, match=r"底稿\.xlsx"):
        write_set([(document, b"new document"), (workpaper, b"new workpaper")])
    assert document.read_bytes() == b"old document"
    assert workpaper.read_bytes() == b"old workpaper"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["报告.docx", "底稿.xlsx"])


def test_init_into_proc_is_explained_in_chinese() -> None:
    from typer.testing import CliRunner

    from chengbei_report import cli

    result = CliRunner().invoke(cli.app, ["init", "/proc/chengbei-x"])
    assert result.exit_code == 1
    assert result.output == (
        "错误：无法创建工作区 /proc/chengbei-x：路径不存在或无法在该位置创建\n提示：请检查输出目录的路径\n"
    )


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        (errno.ENOENT, "路径不存在或无法在该位置创建"),
        (errno.ENOTEMPTY, "目录不为空"),
        (errno.EISDIR, "同名文件夹已存在"),
        (errno.EEXIST, "同名文件或文件夹已存在"),
        (errno.EPERM, "没有写入权限"),
        (errno.ECONNRESET, f"系统错误（系统错误码 {errno.ECONNRESET}）"),
    ],
)
def test_os_errors_are_named_in_chinese(number: int, reason: str) -> None:
    found, hint = os_error_reason(OSError(number, os.strerror(number), "/某处/文件.docx"))
    assert found == reason
    assert "Word" not in hint and os.strerror(number) not in found


def test_word_hint_only_for_an_existing_file_held_open(tmp_path: Path) -> None:
    existing = tmp_path / "总结.docx"
    existing.write_bytes(b"x")
    held = os_error_reason(OSError(errno.EACCES, "Permission denied", str(existing)))
    assert held == ("没有写入权限", "如果该文件正在 Word、WPS 或 Excel 中打开，请先关闭后重试")
    folder = os_error_reason(OSError(errno.EACCES, "Permission denied", str(tmp_path / "新.docx")))
    assert folder == ("没有写入权限", "请检查该目录的权限，或换一个输出目录后重试")
