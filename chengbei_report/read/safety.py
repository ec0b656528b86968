"""Pre-flight checks on a submitted file before any spreadsheet library opens it.

Anyone can drop any file into a submissions folder. python-calamine aborts the whole process (a
Rust abort, not an exception) on a sheet whose used area is huge, and openpyxl/pandas eat all
memory, so this module looks at the raw bytes first: the file's magic, the zip directory (zip
bombs), the workbook part (sheet count, names, hidden state; parsed with defusedxml) and every
sheet's real extent. ``<dimension ref>`` is never trusted: each sheet part is streamed through
compiled byte patterns, chunk by chunk, without building a tree: about 0.6× of calamine's own
read, two thirds of it for the extent (a pattern match per cell).

The extent only protects the process calamine runs in. Large folders are read in worker
processes (``read/workers.py``) where an abort or a memory blow-up costs only that worker, so
there the scan runs with ``extents=False`` (about 0.25× of the read, most of it inflating the
zip entries; each other test is one substring search per piece), the extent is checked
on the sheet calamine loaded (``check_extent``) before any cell becomes a Python object, and
a file whose worker dies is scanned again in full to say why.

Everything the validator needs later (hidden rows, merged ranges, formulas without a cached
value, control characters) is collected on the way. A new check of the raw bytes belongs in
``_check_sizes`` (zip directory), ``_SheetScan.feed`` (sheet XML, behind a cheap ``in`` test
so clean pieces pay one C search) or ``preflight`` (workbook structure); only checks that
protect the reading process itself belong behind ``extents``.
"""

from __future__ import annotations

import codecs
import operator
import posixpath
import re
import time
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from chengbei_report.codes import (
    FILE_CELL_TOO_LONG,
    FILE_CORRUPT,
    FILE_DUPLICATE_PART,
    FILE_EMPTY,
    FILE_ENCRYPTED,
    FILE_IO_ERROR,
    FILE_NOT_XLSX,
    FILE_OLD_XLS,
    FILE_TIMEOUT,
    FILE_TOO_LARGE,
    FILE_TOO_MANY_CELLS,
    FILE_TOO_MANY_COLUMNS,
    FILE_TOO_MANY_PARTS,
    FILE_TOO_MANY_ROWS,
    FILE_TOO_MANY_SHEETS,
    FILE_WORD,
    FILE_XML_ENTITIES,
    FILE_ZIP_BOMB,
    HINT_LIMIT,
    HINT_RESAVE,
    HINT_RESEND,
    FindingCode,
)
from chengbei_report.errors import WorkspaceError
from chengbei_report.findings import Finding
from chengbei_report.sheets import column_letter

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MB = 1024 * 1024
_CHUNK = 1 << 20
_RATIO_FLOOR = 4 * MB  # the compression ratio only matters for entries this large
_SMALL_PART = 16 * MB  # workbook.xml and .rels files are read whole, up to this size
_CARRY_LIMIT = 4 * MB  # a tag or row longer than this is not scanned for patterns
_MIN_PARTS = 10_000
_BYTES_PER_CHAR = 12  # an XML character reference such as &#1114111; is at most 10 bytes


class UnreadableWorkbook(Exception):
    """The file cannot be read as a workbook; ``entry`` is the finding code to report.

    ``hint`` defaults to the code's hint in the registry.
    """

    def __init__(self, entry: FindingCode, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.entry = entry
        self.code = entry.code
        self.message = message
        self.hint = hint

    def finding(self, file: str) -> Finding:
        return self.entry.make(self.message, file=file, hint=self.hint)

    def __reduce__(self) -> tuple[type[UnreadableWorkbook], tuple[FindingCode, str, str | None]]:
        """Pickled whole: the scan may run in another process."""
        return type(self), (self.entry, self.message, self.hint)


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submitted file; ``[limits]`` in workspace.toml overrides them."""

    max_file_mb: int = 50
    max_uncompressed_mb: int = 500
    max_compression_ratio: int = 100
    max_sheets: int = 200
    max_rows: int = 1_100_000
    max_columns: int = 200
    max_cells: int = 30_000_000
    max_cell_chars: int = 32_767
    max_seconds: int = 120
    max_memory_mb: int = 4096
    max_render_seconds: int = 30  # filling the template (render/sandbox.py has the other bounds)
    max_value: int = 10**15  # largest magnitude of a figure, in its unit (validate/values.py)

    @classmethod
    def from_config(cls, values: Mapping[str, object]) -> Limits:
        """Defaults overridden by a workspace's ``[limits]`` table; unknown keys are errors."""
        known = {f.name for f in fields(cls)}
        for key, value in values.items():
            if key not in known:
                raise WorkspaceError(
                    f"workspace.toml 的 [limits] 中有未知设置“{key}”。",
                    hint=f"可用的设置：{'、'.join(sorted(known))}。",
                )
            if type(value) is not int or value <= 0:  # bool, float, text, a list: refused
                raise WorkspaceError(
                    f"workspace.toml 的 [limits] 中 {key} 须为正整数，现为 {value!r}。",
                    hint=f"请写成不带引号和小数点的正整数，如 {key} = {getattr(cls, key)}。",
                )
        return cls(**dict(values))


@dataclass(frozen=True)
class ValueLayout:
    """Cells that Excel or openpyxl would read differently from calamine (see ``_ValueScan``).

    ``long_numbers`` maps a cell to its ``<v>`` text when that has more than 15 significant
    digits and is no double's shortest form (digits a float cannot keep); ``two_values`` are cells with a second ``<v>``; ``repeated`` are
    cells (or rows, as ``A12``) whose reference occurs twice.
    """

    long_numbers: Mapping[str, str] = field(default_factory=dict)
    two_values: tuple[str, ...] = ()
    repeated: tuple[str, ...] = ()
    not_numbers: Mapping[str, str] = field(default_factory=dict)  # a number cell's odd ``<v>``


@dataclass(frozen=True)
class SheetLayout:
    """What the scan learned about one worksheet part."""

    name: str
    part: str
    visible: bool
    rows: int | None  # last row holding a cell, 1-based; 0 for an empty sheet; None: not scanned
    columns: int | None  # last column holding a cell, 1-based
    hidden_rows: frozenset[int] = frozenset()
    merged: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()
    formulas_without_value: tuple[str, ...] = ()
    has_control_chars: bool = False
    values: ValueLayout = field(default_factory=lambda: ValueLayout())


@dataclass(frozen=True)
class Layout:
    """The worksheets of a file that passed every pre-flight check, in workbook order."""

    sheets: tuple[SheetLayout, ...]
    strings_have_control_chars: bool = False


def _decimal_mb(size: int) -> str:
    return str((Decimal(size) / MB).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def column_number(letters: bytes | str) -> int:
    """Excel column letters → 1-based number (A → 1, XFD → 16384)."""
    text = letters.decode("ascii") if isinstance(letters, bytes) else letters
    number = 0
    for char in text.upper():
        number = number * 26 + ord(char) - 64
    return number


# --- file type --------------------------------------------------------------------------------

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _ole2_contains(path: Path, needles: tuple[bytes, ...]) -> set[bytes]:
    """Which stream names occur in an OLE2 file (names are UTF-16 in its directory)."""
    found: set[bytes] = set()
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            window = tail + chunk
            found.update(n for n in needles if n in window)
            tail = window[-64:]
    return found


def _check_ole2(path: Path) -> None:
    encrypted, word = _utf16("EncryptionInfo"), _utf16("WordDocument")
    found = _ole2_contains(path, (encrypted, word))
    if encrypted in found:
        raise UnreadableWorkbook(
            FILE_ENCRYPTED,
            "文件设置了打开密码（已加密），无法读取。",
            "请报送部门取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后重新报送。",
        )
    if word in found:
        raise UnreadableWorkbook(
            FILE_WORD,
            "这是 Word 文档（.doc），不是 Excel 报表。",
            "请报送 Excel 格式（.xlsx）的报表。",
        )
    raise UnreadableWorkbook(
        FILE_OLD_XLS,
        "这是旧版 Excel 97-2003 格式（.xls）的文件，本工具只读取 .xlsx。",
        HINT_RESAVE,
    )


def _describe_other(head: bytes) -> str:
    """A Chinese guess at what a non-workbook file is, for the message."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF"):
        return "这是 PDF 文件，不是 Excel 报表。"
    if stripped[:1] == b"<":
        return "这是网页（HTML）或 XML 文件改了扩展名，不是 Excel 工作簿。"
    return "不是 Excel 工作簿（.xlsx），文件内容无法识别。"


def _check_file(path: Path, limits: Limits) -> None:
    """Size and magic: everything decided before the zip is opened."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        raise UnreadableWorkbook(
            FILE_IO_ERROR,
            f"无法打开文件：{exc.strerror or exc}",
            "请检查文件是否存在、是否有读取权限。",
        ) from exc
    if size == 0:
        raise UnreadableWorkbook(FILE_EMPTY, "文件是空的（0 字节）。", HINT_RESEND)
    if size > limits.max_file_mb * MB:
        raise UnreadableWorkbook(
            FILE_TOO_LARGE,
            f"文件大小 {_decimal_mb(size)} MB，超过上限 {limits.max_file_mb} MB（max_file_mb）。",
            HINT_LIMIT.format(key="max_file_mb"),
        )
    if head.startswith(_OLE2_MAGIC):
        _check_ole2(path)
    if not head.startswith(_ZIP_MAGICS):
        raise UnreadableWorkbook(FILE_NOT_XLSX, _describe_other(head), HINT_RESAVE)


# --- zip directory ----------------------------------------------------------------------------


def _declared_entries(path: Path) -> int:
    """Entry count from the end-of-central-directory record, read before zipfile parses it."""
    with path.open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 65_557))
        tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        raise UnreadableWorkbook(
            FILE_CORRUPT, "文件不完整或已损坏（压缩包目录缺失）。", HINT_RESEND
        )
    return int.from_bytes(tail[at + 10 : at + 12], "little")


def _open_zip(path: Path, limits: Limits) -> zipfile.ZipFile:
    max_parts = max(_MIN_PARTS, 5 * limits.max_sheets)
    entries = _declared_entries(path)
    if entries > max_parts:
        raise UnreadableWorkbook(
            FILE_TOO_MANY_PARTS,
            f"文件内含 {entries} 个部件，超过上限 {max_parts} 个，不像正常的 Excel 工作簿。",
            HINT_RESEND,
        )
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise UnreadableWorkbook(
            FILE_CORRUPT, f"文件不完整或已损坏，无法解压：{exc}", HINT_RESEND
        ) from exc


def _check_sizes(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Zip bomb: the declared sizes (the reader stops at them, see ``_stream``)."""
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_mb * MB:
        raise UnreadableWorkbook(
            FILE_ZIP_BOMB,
            f"文件解压后共 {_decimal_mb(total)} MB，超过上限 {limits.max_uncompressed_mb} MB"
            "（max_uncompressed_mb），可能是“压缩炸弹”。",
            HINT_LIMIT.format(key="max_uncompressed_mb"),
        )
    for info in infos:
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > limits.max_compression_ratio:
            raise UnreadableWorkbook(
                FILE_ZIP_BOMB,
                f"文件中的“{info.filename}”压缩比达 {ratio}:1，超过上限 "
                f"{limits.max_compression_ratio}:1（max_compression_ratio），可能是“压缩炸弹”。",
                HINT_LIMIT.format(key="max_compression_ratio"),
            )


def _check_unique_parts(names: list[str]) -> None:
    """Two zip members with one name: Excel, openpyxl and calamine need not pick the same one."""
    seen: set[str] = set()
    for name in names:
        folded = name.lower()
        if folded in seen:
            raise UnreadableWorkbook(
                FILE_DUPLICATE_PART,
                f"文件中有两个同名部件“{name}”，Excel 与本工具可能读到不同的内容，已拒绝读取。",
            )
        seen.add(folded)


def _not_a_workbook(names: set[str]) -> UnreadableWorkbook:
    """What a zip without a workbook is: Word, PowerPoint, a binary workbook, anything else."""
    if "word/document.xml" in names:
        return UnreadableWorkbook(
            FILE_WORD,
            "这是 Word 文档（.docx）改了扩展名，不是 Excel 报表。",
            "请报送 Excel 格式（.xlsx）的报表。",
        )
    if "xl/workbook.bin" in names:
        return UnreadableWorkbook(
            FILE_NOT_XLSX, "这是 Excel 二进制工作簿（.xlsb），本工具只读取 .xlsx。", HINT_RESAVE
        )
    if "content.xml" in names or "mimetype" in names:
        return UnreadableWorkbook(
            FILE_NOT_XLSX,
            "这是 OpenDocument 表格（.ods，LibreOffice/WPS 的另一种格式），本工具只读取 .xlsx。",
            HINT_RESAVE,
        )
    if "ppt/presentation.xml" in names:
        return UnreadableWorkbook(
            FILE_NOT_XLSX, "这是 PowerPoint 演示文稿，不是 Excel 报表。", HINT_RESAVE
        )
    return UnreadableWorkbook(
        FILE_NOT_XLSX, "这是一个压缩包，但里面没有 Excel 工作簿。", HINT_RESAVE
    )


def timed_out(limits: Limits) -> UnreadableWorkbook:
    """The refusal of a file that took longer than ``max_seconds`` (to scan or to read)."""
    return UnreadableWorkbook(
        FILE_TIMEOUT,
        f"读取超过时间上限 {limits.max_seconds} 秒（max_seconds），已放弃。",
        HINT_LIMIT.format(key="max_seconds"),
    )


class _Clock:
    """The per-file time budget (``max_seconds``)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise timed_out(self.limits)


def _stream(zf: zipfile.ZipFile, name: str, clock: _Clock) -> Iterator[bytes]:
    """Decompressed chunks of one part; damage and DTDs become ``UnreadableWorkbook``.

    zipfile stops at the declared size and then checks the CRC, so a part that lies about its
    size is reported as damaged instead of inflating without bound.
    """
    tail = b""
    try:
        with zf.open(name) as handle:
            while chunk := handle.read(_CHUNK):
                if b"<!DOCTYPE" in tail + chunk[:16] or b"<!DOCTYPE" in chunk:
                    raise UnreadableWorkbook(
                        FILE_XML_ENTITIES,
                        f"文件中的“{name}”含有 XML 文档类型定义（DTD/实体），"
                        "可能用于实体膨胀或读取外部文件，已拒绝读取。",
                        HINT_RESAVE,
                    )
                clock.check()
                yield chunk
                tail = chunk[-16:]
    except RuntimeError as exc:  # zipfile: "File is encrypted, password required"
        raise UnreadableWorkbook(
            FILE_ENCRYPTED, "文件中的部件设置了密码，无法读取。", HINT_RESAVE
        ) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise UnreadableWorkbook(
            FILE_CORRUPT, f"文件已损坏，“{name}”无法解压：{exc}", HINT_RESEND
        ) from exc


def _read_small(zf: zipfile.ZipFile, name: str, clock: _Clock) -> bytes:
    if zf.getinfo(name).file_size > _SMALL_PART:
        raise UnreadableWorkbook(
            FILE_CORRUPT, f"文件中的“{name}”大得不正常，不像 Excel 工作簿。", HINT_RESEND
        )
    return b"".join(_stream(zf, name, clock))


# --- workbook part ----------------------------------------------------------------------------

_REL_OFFICE = "/officeDocument"
_REL_SHEET = "/worksheet"
_REL_STRINGS = "/sharedStrings"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_xml(data: bytes, name: str) -> Element:
    """defusedxml: DTDs, entities and external references are refused, never expanded."""
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree
    from defusedxml import DefusedXmlException

    try:
        return defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise UnreadableWorkbook(
            FILE_XML_ENTITIES,
            f"文件中的“{name}”含有 XML 文档类型定义或实体，可能用于实体膨胀或读取外部文件，已拒绝读取。",
            HINT_RESAVE,
        ) from exc
    except ParseError as exc:
        raise UnreadableWorkbook(
            FILE_CORRUPT, f"文件已损坏，“{name}”不是有效的 XML：{exc}", HINT_RESEND
        ) from exc


def _relationships(
    zf: zipfile.ZipFile, part: str, names: set[str], clock: _Clock
) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, part name) for ``part``; a missing .rels file gives none."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in names:
        return {}
    root = _parse_xml(_read_small(zf, rels, clock), rels)
    found: dict[str, tuple[str, str]] = {}
    for node in root.iter():
        target = node.get("Target", "")
        if _local(node.tag) != "Relationship" or node.get("TargetMode") == "External":
            continue
        if target.startswith("/"):
            resolved = target.lstrip("/")
        else:
            resolved = posixpath.normpath(posixpath.join(folder, target))
        found[node.get("Id", "")] = (node.get("Type", ""), resolved)
    return found


def _workbook_part(zf: zipfile.ZipFile, names: set[str], clock: _Clock) -> str:
    if names & {"word/document.xml", "ppt/presentation.xml", "xl/workbook.bin"}:
        raise _not_a_workbook(names)
    for kind, target in _relationships(zf, "", names, clock).values():
        if kind.endswith(_REL_OFFICE) and target in names:
            return target
    if "xl/workbook.xml" in names:
        return "xl/workbook.xml"
    raise _not_a_workbook(names)


@dataclass(frozen=True)
class _SheetEntry:
    name: str
    visible: bool
    part: str | None  # None: a chart or dialog sheet, not read


def _sheet_entries(
    zf: zipfile.ZipFile, part: str, names: set[str], clock: _Clock
) -> tuple[list[_SheetEntry], str | None]:
    """The workbook's sheets in order, and its shared-strings part."""
    rels = _relationships(zf, part, names, clock)
    root = _parse_xml(_read_small(zf, part, clock), part)
    entries = []
    for node in root.iter():
        if _local(node.tag) != "sheet":
            continue
        rel_id = next((v for k, v in node.attrib.items() if _local(k) == "id" and "}" in k), "")
        kind, target = rels.get(rel_id, ("", ""))
        entries.append(
            _SheetEntry(
                name=node.get("name", ""),
                visible=node.get("state", "visible") == "visible",
                part=target if kind.endswith(_REL_SHEET) else None,
            )
        )
    strings = next((t for k, t in rels.values() if k.endswith(_REL_STRINGS)), None)
    return entries, strings


# --- streaming scan ---------------------------------------------------------------------------

_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32)])
_ESCAPED_CONTROL = re.compile(rb"_x00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F])_")
_ENTITY = re.compile(rb"&#?\w{1,16};")
_CELL_ROW = re.compile(rb'<c(?: r="[A-Za-z]*(\d*)"|(?=[\s>/]))')
_COLUMNS = re.compile(rb'<c\s+r="([A-Za-z]+)')
_PREFIXED = re.compile(rb":(?:c|row|f)[\s>/]")
_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s>/])([^>]*)>")
_ROW_ATTR = re.compile(rb'(?:^|\s)r="(\d+)"')
_REF_ATTR = re.compile(rb'(?:^|\s)r="([A-Za-z]+)(\d+)"')
_HIDDEN_ROW = re.compile(rb'<(?:[\w.-]+:)?row\s[^>]*?\bhidden="(?:1|true)"[^>]*>')
_MERGE = re.compile(
    rb'<(?:[\w.-]+:)?mergeCell\s[^>]*?\bref="([A-Za-z]+)(\d+)(?::([A-Za-z]+)(\d+))?"'
)
_P = rb"(?:[\w.-]+:)?"
_FORMULA_NO_VALUE = re.compile(
    rb"<" + _P + rb'c\s[^>]*?\br="([A-Za-z]+\d+)"[^>]*>\s*'
    rb"<" + _P + rb"f\b[^>]*?(?:/>|>[^<]*</" + _P + rb"f>)\s*"
    rb"(?:<" + _P + rb"v\s*/>|<" + _P + rb"v>\s*</" + _P + rb"v>)?\s*"
    rb"</" + _P + rb"c>"
)


@lru_cache(maxsize=64)
def _wider_than(columns: int) -> re.Pattern[bytes]:
    """A cell reference whose column is right of ``columns``: one cheap search per piece."""
    if columns == 0:
        return re.compile(rb'<c\s+r="[A-Za-z]')
    current = column_letter(columns - 1)
    wider = [f"[A-Z]{{{len(current) + 1},}}"]
    for i, char in enumerate(current):
        if char != "Z":
            rest = f"[A-Z]{{{len(current) - i - 1}}}"
            wider.append(f"{current[:i]}[{chr(ord(char) + 1)}-Z]{rest}")
    alternatives = "|".join(wider).encode("ascii")
    return re.compile(rb'<c\s+r="(?:' + alternatives + rb")\d", re.IGNORECASE)


def has_control_bytes(piece: bytes) -> bool:
    """Control characters XML cannot hold, raw or as Excel's ``_x0001_`` escapes.

    Numeric references such as ``&#1;`` are not looked for: they are not well-formed XML, Excel
    refuses such files, and searching every ``&#`` of openpyxl's output would double the scan.
    """
    if len(piece.translate(None, _CONTROL_BYTES)) != len(piece):
        return True
    return b"_x00" in piece and _ESCAPED_CONTROL.search(piece) is not None


def _text_of(run: bytes) -> bytes:
    """The text of a run that starts inside a tag (``t>text`` → ``text``)."""
    return run[run.find(b">") + 1 :]


def _excess(text: bytes) -> int:
    """Bytes beyond one character taken by ``&...;`` references."""
    return sum(len(entity) - 1 for entity in _ENTITY.findall(text))


def _chars(text: bytes) -> int:
    """Characters of XML text: UTF-8 decoded, each ``&...;`` reference counted once."""
    return len(text.decode("utf-8", "replace")) - _excess(text)


class _TextGuard:
    """Finds a run of text longer than ``max_cell_chars`` without keeping the text.

    A long cell is a long stretch without ``<``. Probing one ``find`` per half-limit stride is
    enough to see every such stretch, so ordinary data costs a few calls per megabyte. A run
    spanning chunks is kept while short and counted chunk by chunk once it is long.
    """

    def __init__(self, limit: int, where: str) -> None:
        self.limit = limit
        self.where = where
        self.step = max(1, limit // 2)
        self.tail = b""  # the open run since the last "<", while it is short
        self.counted: int | None = None  # characters of a long open run, counted and dropped
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def feed(self, chunk: bytes) -> None:
        first = chunk.find(b"<")
        if first < 0:
            self._extend(chunk)
            return
        self._extend(chunk[:first])
        self._close()
        last = chunk.rfind(b"<")
        pos = first
        while pos + self.step <= last:
            if chunk.find(b"<", pos, pos + self.step) >= 0:
                pos += self.step
                continue
            start = chunk.rfind(b"<", 0, pos) + 1
            end = chunk.find(b"<", pos + self.step)
            self._check(_chars(_text_of(chunk[start:end])))
            pos = end
        self.tail = chunk[last + 1 :]

    def _extend(self, part: bytes) -> None:
        self.tail += part
        if len(self.tail) > _BYTES_PER_CHAR * self.limit:
            text = _text_of(self.tail) if self.counted is None else self.tail
            self.counted = (self.counted or 0) + self._count(text, final=False)
            self.tail = b""

    def _close(self) -> None:
        if self.counted is not None:
            self._check(self.counted + self._count(self.tail, final=True))
        elif len(self.tail) > self.limit:
            self._check(_chars(_text_of(self.tail)))
        self.counted = None

    def _count(self, text: bytes, final: bool) -> int:
        return len(self.decoder.decode(text, final)) - _excess(text)

    def _check(self, chars: int) -> None:
        if chars > self.limit:
            self._reject(chars)

    def _reject(self, chars: int) -> None:
        raise UnreadableWorkbook(
            FILE_CELL_TOO_LONG,
            f"{self.where}有一段文字长达 {chars:,} 个字符，超过单元格上限 "
            f"{self.limit:,} 个字符（max_cell_chars）。",
            "请检查该单元格是否误粘贴了大段内容；" + HINT_LIMIT.format(key="max_cell_chars"),
        )


def _pieces(chunks: Iterator[bytes], boundary: bytes) -> Iterator[bytes]:
    """Re-cut chunks after the last ``boundary`` (or ``<``) so that no tag is split."""
    carry = b""
    for chunk in chunks:
        buffer = carry + chunk
        cut = buffer.rfind(boundary)
        cut = cut + len(boundary) if cut >= 0 else buffer.rfind(b"<")
        if cut <= 0:
            carry = buffer if len(buffer) <= _CARRY_LIMIT else b""
            continue
        yield buffer[:cut]
        carry = buffer[cut:] if len(buffer) - cut <= _CARRY_LIMIT else b""
    if carry:
        yield carry


@dataclass
class _SheetScan:
    """Running state of one sheet part's scan."""

    rows: int = 0
    columns: int = 0
    row: int = 0  # calamine's running row counter, for cells written without ``r``
    column: int = 0
    hidden_rows: set[int] = field(default_factory=set)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    formulas: list[str] = field(default_factory=list)
    control: bool = False
    shared: bool = False  # a shared formula was seen
    extents: bool = True  # find the last row and column (see the module docstring)

    def feed(self, piece: bytes) -> None:
        """Plain substring searches first (about 1 ns a byte each); patterns only where found."""
        prefixed = _PREFIXED.search(piece) is not None
        if self.extents:
            self._extent(piece, prefixed)
        if b'hidden="' in piece:
            self._hidden(piece)
        if self._may_hold_formulas(piece, prefixed):
            self.formulas.extend(m.decode("ascii") for m in _FORMULA_NO_VALUE.findall(piece))
        if b"mergeCell " in piece:
            self._merged(piece)
        self.control = self.control or has_control_bytes(piece)

    def _may_hold_formulas(self, piece: bytes, prefixed: bool) -> bool:
        """Cheap test first; shared-formula children (``<f si="0"/>``) follow their master."""
        if b"</f>" in piece:
            self.shared = self.shared or b'"shared"' in piece
            return True
        return prefixed or (self.shared and b" si=" in piece)

    def _extent(self, piece: bytes, prefixed: bool) -> None:
        """Last row and column used. Fast path: every cell carries ``r`` as first attribute."""
        if prefixed:
            self._extent_by_tags(piece)
            return
        found = set(_CELL_ROW.findall(piece))
        if b"" in found:
            self._extent_by_tags(piece)
            return
        if not found:
            return
        self.rows = max(self.rows, max(map(int, found)))
        self.row = self.rows
        if _wider_than(self.columns).search(piece):
            letters = set(_COLUMNS.findall(piece))
            self.columns = max(self.columns, max(map(column_number, letters)))

    def _extent_by_tags(self, piece: bytes) -> None:
        """Slow path, as calamine counts: a row or cell without ``r`` follows the previous one."""
        for closing, name, attrs in _TAG.findall(piece):
            if closing:
                continue
            if name == b"row":
                found = _ROW_ATTR.search(attrs)
                self.row = int(found.group(1)) if found else self.row + 1
                self.column = 0
                continue
            ref = _REF_ATTR.search(attrs)
            if ref:
                row, self.column = int(ref.group(2)), column_number(ref.group(1))
            else:
                row, self.column = self.row, self.column + 1
            self.rows = max(self.rows, row)
            self.columns = max(self.columns, self.column)

    def _hidden(self, piece: bytes) -> None:
        for tag in _HIDDEN_ROW.findall(piece):
            found = _ROW_ATTR.search(tag)
            if found:
                self.hidden_rows.add(int(found.group(1)))

    def _merged(self, piece: bytes) -> None:
        for col1, row1, col2, row2 in _MERGE.findall(piece):
            start = (int(row1) - 1, column_number(col1) - 1)
            end = (int(row2) - 1, column_number(col2) - 1) if row2 else start
            self.merged.append((start, end))


def _scan_sheet(
    zf: zipfile.ZipFile, entry: _SheetEntry, limits: Limits, clock: _Clock, extents: bool
) -> SheetLayout:
    assert entry.part is not None
    scan = _SheetScan(extents=extents)
    values = _ValueScan()
    guard = _TextGuard(limits.max_cell_chars, f"工作表“{entry.name}”中")
    for piece in _pieces(_guarded(_stream(zf, entry.part, clock), guard), b"</row>"):
        scan.feed(piece)
        values.feed(piece)
    values.check_root(entry.name)
    if extents:
        check_extent(entry.name, scan.rows, scan.columns, limits)
    return SheetLayout(
        name=entry.name,
        part=entry.part,
        visible=entry.visible,
        rows=scan.rows if extents else None,
        columns=scan.columns if extents else None,
        hidden_rows=frozenset(scan.hidden_rows),
        merged=tuple(scan.merged),
        formulas_without_value=tuple(scan.formulas),
        has_control_chars=scan.control,
        values=values.layout(),
    )


# --- values as Excel would read them ----------------------------------------------------------

_SIGNIFICANT = 15  # digits a float (and Excel) keeps
_LONG_VALUE = re.compile(rb"<" + _P + rb"v>\s*([-+]?(?:[\d.]{16,}|[\d.]+[eE])[^<]*)")
_LONG_PLAIN = re.compile(rb"<v>[-+]?(?:[\d.]{16}|[\d.]+[eE])")  # the same, fast, unprefixed
_ODD_PLAIN = re.compile(rb"<v>[-+]?[^-+.\d<]")  # a value that starts as no number does
_ODD_VALUE = re.compile(rb"<" + _P + rb"v>\s*([^<]*)<")
_NUMBER_TEXT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_NOT_NUMBER_TYPES = frozenset({b"s", b"str", b"inlineStr", b"e", b"b", b"d"})
_TYPE_ATTR = re.compile(rb'(?:^|\s)t="(\w+)"')
_SHEET_START = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>)?\s*<(?:[\w.-]+:)?worksheet[\s>]"
)
_SHEET_END = re.compile(rb"</(?:[\w.-]+:)?worksheet>\s*$")
_TWO_VALUES = re.compile(rb"</" + _P + rb"v>\s*<" + _P + rb"v[\s>]")
_CELL_REF = re.compile(rb"<" + _P + rb'c\s[^>]*?(?<=\s)r="([A-Za-z]+\d+)"')
_CELL_REF_PLAIN = re.compile(rb'<c r="([A-Za-z]+\d+)"')
_ROW_NUMBER = re.compile(rb"<" + _P + rb'row\s[^>]*?(?<=\s)r="(\d+)"')
_ROW_NUMBER_PLAIN = re.compile(rb'<row r="(\d+)"')


def significant_digits(text: str) -> int:
    """Significant digits of a number as written (``0.0120`` → 3 and ``1200`` → 2: zeros
    at either end carry no digit a float could lose)."""
    mantissa = text.strip().lstrip("+-").split("e")[0].split("E")[0]
    return len(mantissa.replace(".", "").strip("0"))


def _a_double(text: str) -> bool:
    """Whether ``text`` is a double written out with 16 or 17 digits (Excel and openpyxl write
    a computed 0.1 + 0.2 so): nothing a person typed is lost, and the reader shows the value
    as Excel does, at 15 digits. ``12345678901234567`` is no such text: a float cannot hold it."""
    try:
        number = float(text)
        written = Decimal(text)
    except (ValueError, ArithmeticError):
        return False
    forms = (repr(number), format(number, ".16g"), format(number, ".17g"))
    return any(written == Decimal(form) for form in forms)


@dataclass
class _ValueScan:
    """Finds cells calamine reads otherwise than Excel or openpyxl: a number with more digits
    than a float keeps, a cell with two ``<v>`` (calamine takes the last, openpyxl the first),
    a reference used twice. Cheap tests first: each is one search per piece on clean sheets."""

    long_numbers: dict[str, str] = field(default_factory=dict)
    two_values: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)
    not_numbers: dict[str, str] = field(default_factory=dict)
    last_row: int = 0
    head: bytes = b""  # the part's first bytes and last bytes: one root element, a worksheet
    tail: bytes = b""

    def feed(self, piece: bytes) -> None:
        if len(self.head) < 512:
            self.head += piece[: 512 - len(self.head)]
        self.tail = (self.tail + piece[-64:])[-64:]
        prefixed = b":v>" in piece or b":c " in piece or b":row " in piece
        if prefixed or _LONG_PLAIN.search(piece):
            self._long_numbers(piece)
        if prefixed or _ODD_PLAIN.search(piece):
            self._not_numbers(piece)
        if prefixed or piece.count(b"</v>") != piece.count(b"</v></c>"):
            self.two_values.extend(
                _cell_before(piece, m.start()) for m in _TWO_VALUES.finditer(piece)
            )
        self._repeated_cells(piece, prefixed)
        self._repeated_rows(piece, prefixed)

    def _long_numbers(self, piece: bytes) -> None:
        for found in _LONG_VALUE.finditer(piece):
            written = found[1].strip().decode("ascii", "replace")
            if significant_digits(written) > _SIGNIFICANT and not _a_double(written):
                self.long_numbers[_cell_before(piece, found.start())] = written

    def _not_numbers(self, piece: bytes) -> None:
        """A number cell whose ``<v>`` is no number (``NaN``, text): openpyxl refuses the file,
        Excel repairs it, calamine reads something."""
        for found in _ODD_VALUE.finditer(piece):
            text = found[1].strip()
            if not text or _NUMBER_TEXT.fullmatch(text.decode("ascii", "replace")):
                continue
            tag = _cell_tag(piece, found.start())
            kind = _TYPE_ATTR.search(tag[3]) if tag is not None else None
            if tag is not None and (kind is None or kind[1] not in _NOT_NUMBER_TYPES):
                self.not_numbers[_ref_of(tag)] = text.decode("utf-8", "replace")[:40]

    def _repeated_cells(self, piece: bytes, prefixed: bool) -> None:
        """A row's references are unique (a piece holds whole rows)."""
        refs = _CELL_REF_PLAIN.findall(piece)
        if prefixed or len(refs) != piece.count(b"<c "):
            refs = _CELL_REF.findall(piece)
        if len(set(refs)) == len(refs):
            return
        seen: set[bytes] = set()
        for ref in refs:
            if ref in seen:
                self.repeated.append(ref.decode("ascii").upper())
            seen.add(ref)

    def _repeated_rows(self, piece: bytes, prefixed: bool) -> None:
        """Rows ascend, so that no row can come twice."""
        rows = _ROW_NUMBER_PLAIN.findall(piece)
        if prefixed or len(rows) != piece.count(b"<row "):
            rows = _ROW_NUMBER.findall(piece)
        if not rows:
            return
        numbers = list(map(int, rows))
        previous = [self.last_row, *numbers[:-1]]
        if not all(map(operator.lt, previous, numbers)):
            self.repeated.extend(f"A{n}" for p, n in zip(previous, numbers, strict=True) if n <= p)
        self.last_row = max(self.last_row, *numbers)

    def check_root(self, name: str) -> None:
        """A sheet part whose root is no ``<worksheet>`` element: openpyxl and Excel refuse it,
        calamine would read the cells it finds."""
        if not (_SHEET_START.match(self.head) and _SHEET_END.search(self.tail)):
            raise UnreadableWorkbook(
                FILE_CORRUPT,
                f"文件已损坏：工作表“{name}”的 XML 不完整（根元素不是 worksheet），Excel 无法打开。",
            )

    def layout(self) -> ValueLayout:
        return ValueLayout(
            dict(self.long_numbers),
            tuple(self.two_values),
            tuple(self.repeated),
            dict(self.not_numbers),
        )


def _cell_tag(piece: bytes, position: int) -> re.Match[bytes] | None:
    """The opening tag of the cell whose content is at ``position``."""
    opening = [m for m in _TAG.finditer(piece, max(0, position - 4096), position) if not m[1]]
    cells = [m for m in opening if m[2] == b"c"]
    return cells[-1] if cells else None


def _ref_of(tag: re.Match[bytes]) -> str:
    ref = _REF_ATTR.search(tag[3])
    return f"{ref[1].decode('ascii').upper()}{ref[2].decode('ascii')}" if ref else ""


def _cell_before(piece: bytes, position: int) -> str:
    """The reference of the cell whose content is at ``position`` ("" when it has none)."""
    tag = _cell_tag(piece, position)
    return _ref_of(tag) if tag is not None else ""


def _guarded(chunks: Iterator[bytes], guard: _TextGuard) -> Iterator[bytes]:
    for chunk in chunks:
        guard.feed(chunk)
        yield chunk


def check_extent(name: str, rows: int, columns: int, limits: Limits) -> None:
    """The used area from A1 against the limits; the message names the far corner."""
    corner = (rows, columns)
    if columns > limits.max_columns:
        _reject_extent(
            name,
            corner,
            FILE_TOO_MANY_COLUMNS,
            f"第 {columns:,} 列",
            limits.max_columns,
            "列",
            "max_columns",
        )
    if rows > limits.max_rows:
        _reject_extent(
            name, corner, FILE_TOO_MANY_ROWS, f"第 {rows:,} 行", limits.max_rows, "行", "max_rows"
        )
    if rows * columns > limits.max_cells:
        extent = f"{rows:,} 行 × {columns:,} 列"
        _reject_extent(
            name, corner, FILE_TOO_MANY_CELLS, extent, limits.max_cells, "个单元格", "max_cells"
        )


def _reject_extent(
    name: str, corner: tuple[int, int], code: str, extent: str, limit: int, unit: str, key: str
) -> None:
    corner_cell = f"{column_letter(corner[1] - 1)}{corner[0]}"
    raise UnreadableWorkbook(
        code,
        f"工作表“{name}”的数据一直用到 {corner_cell} 单元格（{extent}），超过上限 {limit:,} {unit}（{key}）。",
        "请删除表格下方或右侧多余的内容（包括空白格式）后另存；" + HINT_LIMIT.format(key=key),
    )


def _scan_strings(zf: zipfile.ZipFile, part: str, limits: Limits, clock: _Clock) -> bool:
    """Shared strings: long texts are refused; say whether any holds a control character."""
    guard = _TextGuard(limits.max_cell_chars, "共享字符串表中")
    control = False
    for piece in _pieces(_guarded(_stream(zf, part, clock), guard), b"</si>"):
        control = control or has_control_bytes(piece)
    return control


def _drain(zf: zipfile.ZipFile, name: str, clock: _Clock) -> None:
    """Read a part we do not scan, so its CRC and DTD are checked before calamine reads it."""
    for _ in _stream(zf, name, clock):
        pass


# --- entry point ------------------------------------------------------------------------------


def preflight(path: Path, limits: Limits, *, extents: bool = True) -> Layout:
    """Check ``path`` without a spreadsheet library; raise ``UnreadableWorkbook`` on any danger.

    ``extents=False`` leaves the sheets' extent to the reader (only in a worker process).
    """
    clock = _Clock(limits)
    _check_file(path, limits)
    with _open_zip(path, limits) as zf:
        _check_sizes(zf.infolist(), limits)
        _check_unique_parts(zf.namelist())
        names = set(zf.namelist())
        part = _workbook_part(zf, names, clock)
        entries, strings = _sheet_entries(zf, part, names, clock)
        _check_sheet_count(len(entries), limits)
        _check_parts_exist(names, entries)
        control = strings in names and _scan_strings(zf, str(strings), limits, clock)
        sheets = tuple(_scan_sheet(zf, e, limits, clock, extents) for e in entries if e.part)
        scanned = {part, strings, *(s.part for s in sheets)}
        for name in sorted(names - scanned):
            if name.endswith((".xml", ".rels")):
                _drain(zf, name, clock)
    return Layout(sheets=sheets, strings_have_control_chars=control)


def _check_sheet_count(count: int, limits: Limits) -> None:
    if count == 0:
        raise UnreadableWorkbook(FILE_CORRUPT, "工作簿中没有任何工作表。", HINT_RESEND)
    if count > limits.max_sheets:
        raise UnreadableWorkbook(
            FILE_TOO_MANY_SHEETS,
            f"工作簿有 {count:,} 个工作表，超过上限 {limits.max_sheets} 个（max_sheets）。",
            "请删除多余的工作表；" + HINT_LIMIT.format(key="max_sheets"),
        )


def _check_parts_exist(names: set[str], entries: list[_SheetEntry]) -> None:
    for entry in entries:
        if entry.part is not None and entry.part not in names:
            raise UnreadableWorkbook(
                FILE_CORRUPT, f"文件已损坏：找不到工作表“{entry.name}”的内容。", HINT_RESEND
            )
