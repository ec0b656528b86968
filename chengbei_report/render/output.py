"""Safe, reproducible writing of every file the tool produces.

An output must never overwrite one of the workbooks it was built from, a failed write must leave
the previous output untouched, and building the same report twice must give identical bytes so
that a rebuilt report can be compared with the one already sent.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import stat
import tempfile
import zipfile
from collections.abc import Collection, Sequence
from datetime import datetime
from pathlib import Path

from chengbei_report.errors import OutputError, UsageError, describe_os_error

# Mode of a newly created output; an existing output keeps its own mode.
_NEW_FILE_MODE = 0o644
# ZIP stores local times with two-second resolution from 1980 on.
_ZIP_EPOCH = datetime(1980, 1, 1)
# Unix, regular file rw-r--r-- (zipfile would otherwise fill in 0o600 for a zero attribute).
_ZIP_CREATE_SYSTEM = 3
_ZIP_EXTERNAL_ATTR = (stat.S_IFREG | 0o644) << 16

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _is_same_file(path: Path, other: Path) -> bool:
    """Whether two paths name one file, through symlinks, hard links and case folding."""
    if path.resolve() == other.resolve():
        return True
    try:
        return os.path.samefile(path, other)
    except OSError:
        return False


def refuse_inputs(path: Path, inputs: Collection[Path]) -> None:
    """Stop before an output could replace one of the files the report was read from."""
    for source in inputs:
        if _is_same_file(path, source):
            raise UsageError(
                f"输出文件 {path} 就是输入文件 {source}，为避免覆盖原始数据，已停止写入",
                hint="请为输出指定其他文件名或文件夹",
            )


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable where the platform allows opening a folder."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _stage(target: Path, data: bytes) -> Path:
    """Write ``data`` to a flushed temporary sibling of ``target`` and return its path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = target.stat().st_mode & 0o777 if target.exists() else _NEW_FILE_MODE
    tmp = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed before the rename
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False
    )
    tmp_path = Path(tmp.name)
    try:
        with tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_path, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise
    return tmp_path


def write_atomic(path: Path, data: bytes, *, inputs: Collection[Path] = ()) -> Path:
    """Write ``data`` to ``path`` all at once: readers see the old file or the new one, never half.

    Returns the resolved path written. Raises ``UsageError`` when ``path`` is one of ``inputs``
    and ``OutputError`` when the file cannot be written; the old file is then left as it was.
    """
    return write_all_atomic([(path, data)], inputs=inputs)[0]


def write_all_atomic(
    files: Sequence[tuple[Path, bytes]], *, inputs: Collection[Path] = ()
) -> list[Path]:
    """Write outputs that belong together (a document and its working paper) as one set.

    Every path is checked against the inputs, every file is written and flushed to a temporary
    sibling, and only then are they moved into place, the old files set aside until all moves
    succeed. Any failure (a refused path, a full disk, a file held open, a folder in the way)
    leaves every old output as it was and no temporary file behind.
    """
    for path, _data in files:
        refuse_inputs(path, inputs)
    targets = [path.resolve() for path, _data in files]
    staged: list[Path] = []
    current = targets[0] if targets else Path()
    try:
        for current, (_path, data) in zip(targets, files, strict=True):
            if current.is_dir():
                raise IsADirectoryError(errno.EISDIR, "同名文件夹已存在", str(current))
            staged.append(_stage(current, data))
        _swap_in(staged, targets)
    except OSError as err:
        problem, hint = describe_os_error(err)
        raise OutputError(f"无法写入文件 {current}：{problem}。", hint=hint) from err
    finally:
        for tmp_path in staged:
            with contextlib.suppress(OSError):
                tmp_path.unlink()
    for folder in {target.parent for target in targets}:
        _fsync_dir(folder)
    return targets


def _swap_in(staged: list[Path], targets: list[Path]) -> None:
    """Move each staged file over its target; on any failure put every old file back."""
    done: list[tuple[Path, Path | None]] = []  # (target, where its old file was set aside)
    try:
        for tmp_path, target in zip(staged, targets, strict=True):
            backup = None
            if target.exists() or target.is_symlink():
                backup = target.with_name(f".{target.name}.old-{os.getpid()}")
                os.replace(target, backup)
            done.append((target, backup))
            os.replace(tmp_path, target)
    except OSError:
        for target, backup in reversed(done):
            if backup is not None:
                with contextlib.suppress(OSError):
                    os.replace(backup, target)
        raise
    for _target, backup in done:
        if backup is not None:
            with contextlib.suppress(OSError):
                backup.unlink()


def _zip_time(when: datetime) -> tuple[int, int, int, int, int, int]:
    """The ZIP timestamp of ``when``, clamped to the earliest date ZIP can store."""
    naive = when.replace(tzinfo=None)
    return max(naive, _ZIP_EPOCH).timetuple()[:6]


def deterministic_zip(data: bytes, when: datetime) -> bytes:
    """Rewrite an OOXML package so its bytes depend only on its content and ``when``.

    Entries keep their order (``[Content_Types].xml`` first); timestamps, creator system and
    file attributes are fixed and every entry is deflated.
    """
    stamp = _zip_time(when)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = _ZIP_CREATE_SYSTEM
            info.external_attr = _ZIP_EXTERNAL_ATTR
            target.writestr(info, source.read(entry))
    return out.getvalue()


def strip_xml_illegal(text: str) -> tuple[str, bool]:
    """Drop characters XML 1.0 cannot hold (lxml refuses them); say whether any were dropped."""
    cleaned = _XML_ILLEGAL.sub("", text)
    return cleaned, len(cleaned) != len(text)
