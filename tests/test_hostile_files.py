"""Hostile and broken files: each is refused with its own code, quickly, without a crash.

The workbooks are built here byte by byte (zip + XML), because the dangerous ones cannot be
made with openpyxl. ``build_xlsx`` is shared with test_workbook_reader.py.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document

from chengbei_report.read import safety
from chengbei_report.read.safety import Limits, UnreadableWorkbook, preflight
from chengbei_report.read.workbook import read_workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
MEMORY_LIMIT = 1536 * 1024 * 1024


def sheet_xml(rows: str, head: str = "", tail: str = "") -> str:
    """A worksheet part: ``head`` goes before sheetData (dimension, cols), ``tail`` after."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
        f"{head}<sheetData>{rows}</sheetData>{tail}</worksheet>"
    )


def workbook_xml(names: list[str], hidden: frozenset[str] = frozenset()) -> str:
    sheets = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"'
        + (' state="hidden"' if name in hidden else "")
        + "/>"
        for i, name in enumerate(names, start=1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
        f"<sheets>{sheets}</sheets></workbook>"
    )


def workbook_rels(count: int, strings: bool) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    if strings:
        rels += f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">{rels}</Relationships>'
    )


def build_xlsx(
    path: Path,
    sheets: dict[str, str],
    *,
    strings: str | None = None,
    hidden: frozenset[str] = frozenset(),
    workbook: str | None = None,
) -> Path:
    """A minimal xlsx: one part per sheet in order, optional shared strings."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", workbook or workbook_xml(list(sheets), hidden))
        zf.writestr("xl/_rels/workbook.xml.rels", workbook_rels(len(sheets), strings is not None))
        for i, xml in enumerate(sheets.values(), start=1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        if strings is not None:
            zf.writestr("xl/sharedStrings.xml", strings)
    return path


def strings_xml(*texts: str, head: str = "") -> str:
    items = "".join(f"<si><t>{text}</t></si>" for text in texts)
    return f'<?xml version="1.0" encoding="UTF-8"?>{head}<sst xmlns="{MAIN}">{items}</sst>'


def one_cell(ref: str = "A1", value: str = "1") -> str:
    row = "".join(ch for ch in ref if ch.isdigit())
    return sheet_xml(f'<row r="{row}"><c r="{ref}"><v>{value}</v></c></row>')


def refused(path: Path, limits: Limits | None = None) -> UnreadableWorkbook:
    """The ``UnreadableWorkbook`` that reading ``path`` raises."""
    with pytest.raises(UnreadableWorkbook) as caught:
        read_workbook(path, limits)
    assert caught.value.message and caught.value.hint
    return caught.value


# --- the files of the issue -------------------------------------------------------------------


def make_xfd_cell(path: Path) -> Path:
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return build_xlsx(path, {"Sheet1": sheet_xml(rows, head='<dimension ref="A1"/>')})


def make_zip_bomb(path: Path, megabytes: int = 1024) -> Path:
    """About 1 MB on disk, ``megabytes`` of blank rows once inflated."""
    block = b"<row/>" * (1024 * 1024 // 6) + b"\n" * (1024 * 1024 % 6)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", workbook_xml(["Sheet1"]))
        zf.writestr("xl/_rels/workbook.xml.rels", workbook_rels(1, strings=False))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            for _ in range(megabytes):
                part.write(block)
            part.write(b"</sheetData></worksheet>")
    return path


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)).replace(
        "&lol0;", "&lol;"
    )
    + "]>"
)
EXTERNAL_ENTITY = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def make_billion_laughs(path: Path) -> Path:
    return build_xlsx(
        path, {"Sheet1": one_cell()}, strings=strings_xml("&lol9;", head=BILLION_LAUGHS)
    )


def make_external_entity_workbook(path: Path) -> Path:
    xml = workbook_xml(["Sheet1"]).replace("<workbook", EXTERNAL_ENTITY + "<workbook", 1)
    return build_xlsx(path, {"Sheet1": one_cell()}, workbook=xml)


def make_long_cell(path: Path, chars: int = 3_000_000) -> Path:
    """Varied characters, so that it does not pass for a zip bomb."""
    text = "".join(chr(0x4E00 + i * 7919 % 20_000) for i in range(chars))
    cell = f'<row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row>'
    return build_xlsx(path, {"Sheet1": sheet_xml(cell)})


def make_many_sheets(path: Path, count: int = 3000) -> Path:
    return build_xlsx(path, {f"S{i}": one_cell() for i in range(count)})


def test_xfd1048576_is_refused_by_its_extent(tmp_path: Path) -> None:
    path = make_xfd_cell(tmp_path / "hostile_xfd.xlsx")
    assert path.stat().st_size < 5 * 1024
    error = refused(path)
    assert error.code == "FILE_TOO_MANY_COLUMNS"
    assert "XFD1048576" in error.message and "200" in error.message


def test_cells_without_reference_are_counted_as_calamine_does(tmp_path: Path) -> None:
    """No ``r`` attributes: the position follows the previous cell, so 300 cells are 300 columns."""
    rows = '<row r="5">' + "<c><v>1</v></c>" * 300 + "</row>"
    path = build_xlsx(tmp_path / "hostile_no_refs.xlsx", {"Sheet1": sheet_xml(rows)})
    assert refused(path).code == "FILE_TOO_MANY_COLUMNS"


def test_prefixed_cell_inside_plain_sheet_is_seen(tmp_path: Path) -> None:
    rows = (
        f'<row r="1"><c r="A1"><v>1</v></c><x:c xmlns:x="{MAIN}" r="XFD9"><x:v>1</x:v></x:c></row>'
    )
    path = build_xlsx(tmp_path / "hostile_prefixed.xlsx", {"Sheet1": sheet_xml(rows)})
    assert refused(path).code == "FILE_TOO_MANY_COLUMNS"


def test_row_beyond_limit_is_refused(tmp_path: Path) -> None:
    path = build_xlsx(tmp_path / "hostile_tall.xlsx", {"Sheet1": one_cell("A2000000")})
    error = refused(path)
    assert error.code == "FILE_TOO_MANY_ROWS"
    assert "1,100,000" in error.message


def test_area_beyond_limit_is_refused(tmp_path: Path) -> None:
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="20"><c r="J20"><v>1</v></c></row>'
    path = build_xlsx(tmp_path / "hostile_area.xlsx", {"Sheet1": sheet_xml(rows)})
    assert refused(path, Limits(max_cells=199)).code == "FILE_TOO_MANY_CELLS"
    assert read_workbook(path, Limits(max_cells=200)).sheets["Sheet1"].height == 20


def test_zip_bomb_is_refused_from_the_directory(tmp_path: Path) -> None:
    path = make_zip_bomb(tmp_path / "hostile_zip_bomb.xlsx")
    assert path.stat().st_size < 3 * 1024 * 1024
    error = refused(path)
    assert error.code == "FILE_ZIP_BOMB"
    assert "500 MB" in error.message


def test_compression_ratio_alone_is_refused(tmp_path: Path) -> None:
    path = make_zip_bomb(tmp_path / "hostile_ratio.xlsx", megabytes=20)
    error = refused(path)
    assert error.code == "FILE_ZIP_BOMB"
    assert "max_compression_ratio" in error.message


def test_entry_lying_about_its_size_is_corrupt(tmp_path: Path) -> None:
    """A part that inflates beyond its declared size stops there and fails its CRC."""
    path = build_xlsx(tmp_path / "hostile_lying_size.xlsx", {"Sheet1": one_cell("A1", "1" * 5000)})
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name.decode())
    real = info.file_size.to_bytes(4, "little")
    fake = (100).to_bytes(4, "little")
    local = data.find(b"PK\x03\x04" + data[info.header_offset + 4 : info.header_offset + 22])
    data[local + 22 : local + 26] = fake
    central = data.find(b"PK\x01\x02", data.rfind(name) - 46)
    assert data[central + 24 : central + 28] == real
    data[central + 24 : central + 28] = fake
    path.write_bytes(bytes(data))
    assert refused(path).code == "FILE_CORRUPT"


def test_billion_laughs_in_shared_strings_is_refused(tmp_path: Path) -> None:
    error = refused(make_billion_laughs(tmp_path / "hostile_billion_laughs.xlsx"))
    assert error.code == "FILE_XML_ENTITIES"
    assert "sharedStrings" in error.message


def test_external_entity_in_workbook_is_refused(tmp_path: Path) -> None:
    error = refused(make_external_entity_workbook(tmp_path / "hostile_xxe.xlsx"))
    assert error.code == "FILE_XML_ENTITIES"
    assert "workbook.xml" in error.message


def test_external_entity_in_a_sheet_is_refused(tmp_path: Path) -> None:
    xml = one_cell().replace("<worksheet", EXTERNAL_ENTITY + "<worksheet", 1)
    path = build_xlsx(tmp_path / "hostile_xxe_sheet.xlsx", {"Sheet1": xml})
    assert refused(path).code == "FILE_XML_ENTITIES"


def test_cell_of_millions_of_characters_is_refused(tmp_path: Path) -> None:
    error = refused(make_long_cell(tmp_path / "hostile_long_cell.xlsx"))
    assert error.code == "FILE_CELL_TOO_LONG"
    assert "3,000,000" in error.message and "32,767" in error.message


def test_long_shared_string_is_refused(tmp_path: Path) -> None:
    path = build_xlsx(
        tmp_path / "hostile_long_string.xlsx",
        {"Sheet1": one_cell()},
        strings=strings_xml("x" * 40_000),
    )
    error = refused(path)
    assert error.code == "FILE_CELL_TOO_LONG"
    assert "共享字符串" in error.message


def test_thousands_of_sheets_are_refused(tmp_path: Path) -> None:
    error = refused(make_many_sheets(tmp_path / "hostile_many_sheets.xlsx"))
    assert error.code == "FILE_TOO_MANY_SHEETS"
    assert "3,000" in error.message and "200" in error.message


def test_too_many_zip_entries_are_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "hostile_parts.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(10_001):
            zf.writestr(f"p{i}", b"")
    assert refused(path).code == "FILE_TOO_MANY_PARTS"


# --- files that are no workbook ---------------------------------------------------------------

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.xlsx", b"", "FILE_EMPTY"),
        ("random.xlsx", bytes(range(256)) * 40, "FILE_NOT_XLSX"),
        ("report.pdf.xlsx", b"%PDF-1.7\n" + bytes(100), "FILE_NOT_XLSX"),
        (
            "export.xls.xlsx",
            b"<html><table><tr><td>1</td></tr></table></html>",
            "FILE_NOT_XLSX",
        ),
        ("old.xlsx", OLE2 + "Workbook".encode("utf-16-le") + bytes(64), "FILE_OLD_XLS"),
        ("locked.xlsx", OLE2 + "EncryptionInfo".encode("utf-16-le") + bytes(64), "FILE_ENCRYPTED"),
        ("old_word.xlsx", OLE2 + "WordDocument".encode("utf-16-le") + bytes(64), "FILE_WORD"),
    ],
)
def test_files_that_are_no_zip(tmp_path: Path, name: str, content: bytes, code: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert refused(path).code == code


def test_truncated_zip_is_corrupt(tmp_path: Path) -> None:
    whole = build_xlsx(tmp_path / "whole.xlsx", {"Sheet1": one_cell()})
    path = tmp_path / "hostile_truncated.xlsx"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert refused(path).code == "FILE_CORRUPT"


def test_damaged_sheet_data_is_corrupt(tmp_path: Path) -> None:
    path = build_xlsx(tmp_path / "whole.xlsx", {"Sheet1": one_cell("A1", "7" * 2000)})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + 10
    data[start : start + 20] = bytes(20)
    path.write_bytes(bytes(data))
    assert refused(path).code == "FILE_CORRUPT"


def test_word_document_renamed_to_xlsx(tmp_path: Path) -> None:
    source = tmp_path / "通知.docx"
    document = Document()
    document.add_paragraph("关于报送半年工作总结数据的通知")
    document.save(str(source))
    path = tmp_path / "通知.xlsx"
    source.rename(path)
    error = refused(path)
    assert error.code == "FILE_WORD"
    assert "Word" in error.message


def test_zip_without_workbook(tmp_path: Path) -> None:
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("photo.txt", "not a workbook")
    assert refused(path).code == "FILE_NOT_XLSX"


def test_file_over_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(2 * 1024 * 1024))
    error = refused(path, Limits(max_file_mb=1))
    assert error.code == "FILE_TOO_LARGE"
    assert "1 MB" in error.message and "2.0 MB" in error.message


def test_missing_file_is_an_io_error(tmp_path: Path) -> None:
    assert refused(tmp_path / "nowhere.xlsx").code == "FILE_IO_ERROR"


def test_time_limit_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = build_xlsx(tmp_path / "slow.xlsx", {"Sheet1": one_cell()})
    ticks = iter(range(0, 10_000, 100))
    monkeypatch.setattr(safety.time, "monotonic", lambda: next(ticks))
    error = refused(path, Limits(max_seconds=50))
    assert error.code == "FILE_TIMEOUT"
    assert "50 秒" in error.message


def test_preflight_accepts_what_it_scanned(tmp_path: Path) -> None:
    path = build_xlsx(tmp_path / "ok.xlsx", {"指标": one_cell("C3"), "台账": one_cell("B7")})
    layout = preflight(path, Limits())
    assert [(s.name, s.rows, s.columns) for s in layout.sheets] == [("指标", 3, 3), ("台账", 7, 2)]


# --- the command line, in a subprocess under a memory limit -----------------------------------


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


HOSTILE = {
    "hostile_xfd.xlsx": (make_xfd_cell, "FILE_TOO_MANY_COLUMNS"),
    "hostile_zip_bomb.xlsx": (make_zip_bomb, "FILE_ZIP_BOMB"),
    "hostile_billion_laughs.xlsx": (make_billion_laughs, "FILE_XML_ENTITIES"),
    "hostile_xxe.xlsx": (make_external_entity_workbook, "FILE_XML_ENTITIES"),
    "hostile_long_cell.xlsx": (make_long_cell, "FILE_CELL_TOO_LONG"),
    "hostile_many_sheets.xlsx": (make_many_sheets, "FILE_TOO_MANY_SHEETS"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_validate_command_survives_hostile_file(tmp_path: Path, name: str) -> None:
    make, code = HOSTILE[name]
    path = make(tmp_path / name)
    result = subprocess.run(
        [sys.executable, "-m", "chengbei_report", "validate", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limit_memory,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert name in output and code in output
