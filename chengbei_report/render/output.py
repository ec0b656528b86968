"""Safe, reproducible writing of every file the tool produces.

An output must never overwrite one of the workbooks it was built from, a failed write must leave
the previous output untouched, and building the same report twice must give identical bytes so
that a rebuilt report can be compared with the one already sent.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import re
import secrets
import stat
import time
import zipfile
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from chengbei_report.errors import OutputError
from chengbei_report.guard import guard_outputs

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

# Mode of a newly created output; an existing output keeps its own mode.
_NEW_FILE_MODE = 0o644
# ZIP stores local times with two-second resolution from 1980 on.
_ZIP_EPOCH = datetime(1980, 1, 1)
# Unix, regular file rw-r--r-- (zipfile would otherwise fill in 0o600 for a zero attribute).
_ZIP_CREATE_SYSTEM = 3
_ZIP_EXTERNAL_ATTR = (stat.S_IFREG | 0o644) << 16

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


_PREFIX = ".cbr-"  # every temporary, backup and journal file of ours starts with this
_JOURNAL = f"{_PREFIX}journal.json"
LOCK_WAIT_SECONDS = 10.0  # a second build into the same folder waits this long, then stops
_OPEN_HINT = "如果该文件正在 Word、WPS 或 Excel 中打开，请先关闭后重试"
_OTHER_FOLDER = "换一个输出目录后重试"
_REASONS = {  # errno → (why, what to do); the hints fit every command (init has no --out)
    errno.ENOSPC: ("磁盘空间不足", "请清理磁盘空间，或写到另一块磁盘后重试"),
    errno.EDQUOT: ("磁盘配额已用完", "请清理空间或联系管理员后重试"),
    errno.EFBIG: ("文件超过系统允许的大小（如 ulimit -f 的限制）", "请解除文件大小限制后重试"),
    errno.EROFS: ("磁盘是只读的", "请写到可写的目录"),
    errno.EACCES: ("没有写入权限", "请检查该目录的权限，或" + _OTHER_FOLDER),
    errno.EPERM: ("没有写入权限", "请检查该目录的权限，或" + _OTHER_FOLDER),
    errno.EBUSY: ("文件或目录正被占用", "请稍后重试，或" + _OTHER_FOLDER),
    errno.EISDIR: ("同名文件夹已存在", "请移走该文件夹，或" + _OTHER_FOLDER),
    errno.ENAMETOOLONG: ("文件名过长", "请缩短输出目录或 workspace.toml 中的文件名"),
    errno.ENOTDIR: ("路径中有一段是文件而不是文件夹", "请检查输出目录的路径"),
    errno.ENOENT: ("路径不存在或无法在该位置创建", "请检查输出目录的路径"),
    errno.EEXIST: ("同名文件或文件夹已存在", "请移走它，或" + _OTHER_FOLDER),
    errno.ENOTEMPTY: ("目录不为空", "请移走其中的文件，或" + _OTHER_FOLDER),
    errno.EXDEV: ("无法跨磁盘移动文件", "请" + _OTHER_FOLDER),
    errno.EMFILE: ("打开的文件过多", "请关闭一些程序后重试"),
    errno.EIO: ("磁盘读写出错", "请检查磁盘，或" + _OTHER_FOLDER),
    errno.ELOOP: ("路径中的符号链接层数过多", "请检查输出目录的路径"),
}


@dataclass
class WrittenSet:
    """The files a write installed, and what it had to repair of an interrupted earlier write."""

    paths: list[Path]
    repaired: list[str] = field(default_factory=list)


def write_atomic(
    path: Path, data: bytes, *, inputs: Collection[Path] = (), workspace: Path | None = None
) -> Path:
    """Write ``data`` to ``path`` all at once: readers see the old file or the new one, never half.

    Returns the resolved path written. Raises ``UsageError`` when the guard refuses ``path`` and
    ``OutputError`` when the file cannot be written; the old file is then left as it was.
    """
    return write_set([(path, data)], inputs=inputs, workspace=workspace).paths[0]


def write_set(
    files: Sequence[tuple[Path, bytes]],
    *,
    inputs: Collection[Path] = (),
    workspace: Path | None = None,
) -> WrittenSet:
    """Write outputs that belong together (a document and its working paper) as one set.

    Every path passes the output guard; the folders are locked against a second writer; every
    file is written and flushed to a temporary sibling; a journal naming the set is written
    atomically; only then are the files moved into place, the old ones set aside until all moves
    succeed. A failure leaves the old set as it was; a crash at any instant leaves a journal that
    the next write into the folder (or ``repair_folder``) rolls forward, so the folder then holds
    the whole new set. No temporary file survives the next write.
    """
    targets = guard_outputs([path for path, _data in files], inputs=inputs, workspace=workspace)
    folders = sorted({target.parent for target in targets})
    if len(folders) > 1:
        raise ValueError("a set of outputs is installed into one folder")
    current = targets[0] if targets else Path()
    try:
        for folder in folders:
            _make_folder(folder)
        with _locked(folders):
            repaired = [note for folder in folders for note in _recover(folder)]
            staged: list[Path] = []
            try:
                for current, (_path, data) in zip(targets, files, strict=True):
                    if current.is_dir():
                        raise IsADirectoryError(errno.EISDIR, "同名文件夹已存在", str(current))
                    staged.append(_stage(current, data))
                _install(staged, targets)
            finally:
                for tmp_path in staged:
                    _remove(tmp_path)
    except OSError as err:
        reason, hint = os_error_reason(err)
        raise OutputError(f"无法写入文件 {current}：{reason}", hint=hint) from err
    return WrittenSet(targets, repaired)


def _make_folder(folder: Path) -> None:
    """Create the output folder; a file in the way is named as such, not as "File exists"."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as err:
        raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(folder)) from err


def repair_folder(folder: Path) -> list[str]:
    """Finish or clean up an interrupted write in ``folder``; what was done, in Chinese."""
    target = folder.expanduser().resolve()
    if not target.is_dir():
        return []
    try:
        with _locked([target]):
            return _recover(target)
    except OSError as err:
        reason, hint = os_error_reason(err)
        raise OutputError(f"无法修复目录 {target} 中上次中断的写入：{reason}", hint=hint) from err


def os_error_reason(err: OSError) -> tuple[str, str]:
    """Why a write failed, and what to do, in Chinese."""
    number = err.errno or 0
    reason, hint = _REASONS.get(number, (f"系统错误（系统错误码 {number}）", "请" + _OTHER_FOLDER))
    if number in (errno.EACCES, errno.EBUSY) and err.filename and Path(err.filename).is_file():
        hint = _OPEN_HINT  # an existing output that Word, WPS or Excel holds open
    return reason, hint


@contextlib.contextmanager
def _locked(folders: Sequence[Path]) -> Iterator[None]:
    """Hold an exclusive lock on each folder (flock on the folder itself, so no file is left)."""
    if fcntl is None:  # Windows: no flock; a second writer is not excluded there
        yield
        return
    handles: list[int] = []
    try:
        for folder in folders:
            handle = os.open(folder, os.O_RDONLY)
            handles.append(handle)
            _wait_for_lock(handle, folder)
        yield
    finally:
        for handle in handles:
            os.close(handle)  # closing releases the lock


def _wait_for_lock(handle: int, folder: Path) -> None:
    assert fcntl is not None
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise OutputError(
                    f"另一个 chengbei-report 正在向 {folder} 写入文件，等待 {LOCK_WAIT_SECONDS:g} 秒后仍未结束。",
                    hint="请等另一个生成任务完成后再试，或用 --out 指定另一个目录。",
                ) from None
            time.sleep(0.05)


def _stage(target: Path, data: bytes) -> Path:
    """Write ``data`` to a flushed temporary sibling of ``target`` and return its path."""
    mode = target.stat().st_mode & 0o777 if target.exists() else _NEW_FILE_MODE
    tmp_path = target.with_name(f"{_PREFIX}{secrets.token_hex(4)}.{target.name}.tmp")
    handle = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
        if hasattr(os, "fchmod"):
            os.fchmod(handle, mode)
        os.fsync(handle)
    except BaseException:
        os.close(handle)
        _remove(tmp_path)
        raise
    os.close(handle)
    return tmp_path


def _install(staged: list[Path], targets: list[Path]) -> None:
    """Move each staged file over its target, journalled when they are more than one."""
    if len(targets) == 1:
        os.replace(staged[0], targets[0])
        _fsync_dir(targets[0].parent)
        return
    folder = targets[0].parent
    entries = [
        {
            "target": os.path.relpath(target, folder),
            "staged": os.path.relpath(tmp_path, folder),
            "backup": os.path.relpath(_backup_of(tmp_path), folder),
        }
        for tmp_path, target in zip(staged, targets, strict=True)
    ]
    _write_journal(folder, entries)
    done: list[dict[str, str]] = []
    try:
        for entry in entries:
            target, backup = folder / entry["target"], folder / entry["backup"]
            if target.exists() or target.is_symlink():
                os.replace(target, backup)
            done.append(entry)
            os.replace(folder / entry["staged"], target)
    except BaseException:
        _roll_back(folder, done)
        raise
    _finish(folder, entries)


def _backup_of(tmp_path: Path) -> Path:
    return tmp_path.with_name(tmp_path.name.removesuffix(".tmp") + ".old")


def _write_journal(folder: Path, entries: list[dict[str, str]]) -> None:
    """The set about to be installed, named in one file that appears whole or not at all."""
    text = json.dumps({"files": entries}, ensure_ascii=False).encode("utf-8")
    staged = _stage(folder / _JOURNAL, text)
    os.replace(staged, folder / _JOURNAL)
    _fsync_dir(folder)


def _roll_back(folder: Path, done: list[dict[str, str]]) -> None:
    """A move failed (a file held open): put every old file back, as if nothing happened."""
    for entry in reversed(done):
        target, backup = folder / entry["target"], folder / entry["backup"]
        with contextlib.suppress(OSError):
            if backup.exists():
                os.replace(backup, target)
            else:
                target.unlink()  # there was no old file; the new one goes
    _remove(folder / _JOURNAL)


def _finish(folder: Path, entries: list[dict[str, str]]) -> None:
    for entry in entries:
        _remove(folder / entry["backup"])
    _remove(folder / _JOURNAL)
    _fsync_dir(folder)


def _recover(folder: Path) -> list[str]:
    """Roll an interrupted set forward from its journal; remove every leftover file of ours."""
    notes: list[str] = []
    journal = folder / _JOURNAL
    entries = _read_journal(journal)
    if entries:
        for entry in entries:
            staged, target = folder / entry["staged"], folder / entry["target"]
            if staged.exists():
                os.replace(staged, target)
        _finish(folder, entries)
        names = "、".join(entry["target"] for entry in entries)
        notes.append(f"上次写入 {folder} 时被中断，已补完该组文件：{names}。")
    leftovers = [p for p in folder.iterdir() if p.name.startswith(_PREFIX)]
    for path in leftovers:
        _remove(path)
    if leftovers and not entries:
        notes.append(
            f"已删除 {folder} 中上次中断写入留下的 {len(leftovers)} 个临时文件，原有文件未受影响。"
        )
    if leftovers:
        _fsync_dir(folder)
    return notes


def _read_journal(journal: Path) -> list[dict[str, str]]:
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
        entries = data["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return []  # no journal: nothing was moved yet, the old set is whole
    valid = all(
        isinstance(e, dict)
        and all(
            isinstance(e.get(k), str) and "/" not in e[k] and "\\" not in e[k]
            for k in ("target", "staged", "backup")
        )
        for e in entries
    )
    return entries if valid else []


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable where the platform allows opening a folder."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
