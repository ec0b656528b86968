"""The one output guard: where a command may write, decided before anything is written.

A government office keeps the only copies of its departments' workbooks in the workspace, and
the tool ships its own sample and templates. Every command that writes (build, diff --out,
validate --annotate, forms, init, draft, bind) passes its outputs through ``guard_outputs``, which
refuses an output that is an input of the run, a file or folder the workspace reads
(workspace.toml, catalog.toml, templates/, submissions/ at any depth, of the given workspace or of
any workspace enclosing the output), anything inside the installed package, another output of the
same run, or a document that Word, WPS, Excel or LibreOffice holds open.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

from chengbei_report.errors import UsageError
from chengbei_report.workspace import (
    CATALOG_FILE,
    CONFIG_FILE,
    PACKAGE_DIR,
    SUBMISSIONS_DIR,
    TEMPLATES_DIR,
    bundled_path,
)

# What a workspace reads: never an output, whatever the letter case.
WORKSPACE_ENTRIES = (CONFIG_FILE, CATALOG_FILE, TEMPLATES_DIR, SUBMISSIONS_DIR)
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def guard_outputs(
    outputs: Sequence[Path],
    *,
    inputs: Collection[Path] = (),
    workspace: Path | None = None,
    option: str | None = "--out",
) -> list[Path]:
    """Refuse (``UsageError``, exit 2) any output that could destroy something; else resolve them.

    ``option`` is the command's option that names where outputs go, for the hints (``init``
    takes its folder as an argument: None).

    ``inputs`` are the files the run read; ``workspace`` is the workspace of the run (the
    bundled sample when the user gave none). Workspaces that enclose an output are found by
    their workspace.toml, so ``init`` and ``diff A.xlsx B.xlsx`` are guarded too. Returns the
    outputs resolved, in order.
    """
    resolved: list[Path] = []
    for output in outputs:
        target = _resolve(output)
        for earlier, before in zip(outputs, resolved, strict=False):
            if _same_path(target, before):
                raise UsageError(
                    f"输出文件 {output} 与本次的另一个输出文件 {earlier} 是同一个文件，后者会被覆盖。",
                    hint="请在 workspace.toml 的 [report] 中为工作总结和底稿取不同的文件名。",
                )
        resolved.append(target)
    pairs = list(zip(outputs, resolved, strict=True))
    for output, target in pairs:
        _refuse_input(output, target, inputs)
    for output, target in pairs:
        _refuse_protected(output, target, workspace, option)
    for output, target in pairs:
        _refuse_open(output, target)
    return resolved


def _resolve(output: Path) -> Path:
    text = str(output)
    if _CONTROL.search(text):
        shown = _CONTROL.sub("?", text)
        raise UsageError(
            f"输出路径“{shown}”中含有换行符或控制字符，不能作为文件名。",
            hint="请改用只含普通文字的文件名。",
        )
    return output.expanduser().resolve()


def _refuse_input(output: Path, target: Path, inputs: Collection[Path]) -> None:
    for source in inputs:
        if _same_file(target, source):
            raise UsageError(
                f"输出文件 {output} 就是输入文件 {source}，为避免覆盖原始数据，已停止写入。",
                hint="请为输出指定其他文件名或文件夹。",
            )


def _refuse_protected(
    output: Path, target: Path, workspace: Path | None, option: str | None
) -> None:
    for folder in _package_dirs():
        if _within(target, folder):
            raise UsageError(
                f"输出位置 {output} 在本工具的安装目录 {folder} 内，不能写入。",
                hint=f"请用 {option} 指定工作区之外或工作区 out/ 下的目录。"
                if option
                else "请换一个本工具安装目录之外的目录。",
            )
    roots = [workspace.expanduser().resolve()] if workspace is not None else []
    roots += [root for root in _enclosing_workspaces(target) if root not in roots]
    for root in roots:
        if _same_file(target, root) or _within(root, target):
            raise UsageError(f"输出位置 {output} 就是工作区 {root} 本身或包含它，不能写入。")
        entry = _workspace_entry(target, root)
        if entry is not None:
            where = "就是" if target.name.casefold() == entry.casefold() else "在"
            inside = "" if where == "就是" else " 中"
            raise UsageError(
                f"输出位置 {output} {where}工作区的 {root / entry}{inside}，"
                "为避免覆盖工作区的输入文件，已停止写入。",
                hint="请把输出写到工作区之外，或工作区的 out/ 目录下。",
            )


def _refuse_open(output: Path, target: Path) -> None:
    """An Office lock file beside the output: the document is open and must be closed first."""
    for lock in lock_files(target):
        if _exists(lock):
            raise UsageError(
                f"文件 {output} 正在 Word、WPS 或 Excel 中打开（发现锁定文件 {lock.name}），"
                "写入会失败或被编辑中的版本覆盖。",
                hint=f"请先关闭 {target.name} 后重试；如该文件并未打开，可删除 {lock}。",
            )


def lock_files(path: Path) -> list[Path]:
    """Where Word (``~$`` + the name less its first one or two characters), WPS and Excel
    (``~$`` + the name) and LibreOffice (``.~lock.NAME#``) mark a document as open."""
    name = path.name
    names = {f"~${name}", f"~${name[1:]}", f"~${name[2:]}", f".~lock.{name}#"}
    return [path.with_name(lock) for lock in sorted(names) if len(lock) > 2]


def _package_dirs() -> list[Path]:
    folders = [PACKAGE_DIR, bundled_path("sample_data"), bundled_path(TEMPLATES_DIR)]
    return [folder.resolve() for folder in folders]


def _enclosing_workspaces(target: Path) -> Iterator[Path]:
    for folder in target.parents:
        if _exists(folder / CONFIG_FILE):
            yield folder


def _exists(path: Path) -> bool:
    """Whether ``path`` exists; a name too long for the disk does not."""
    try:
        return path.exists()
    except OSError:
        return False


def _workspace_entry(target: Path, root: Path) -> str | None:
    """The entry of ``root`` that ``target`` is or lies in (letter case ignored), if any."""
    for folder in (target, *target.parents):
        if _same_file(folder.parent, root) or folder.parent == root:
            first = folder.name.casefold()
            for entry in WORKSPACE_ENTRIES:
                if first == entry.casefold():
                    return entry
            return None
    return None


def _within(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it, through links and letter case."""
    return any(_same_file(candidate, folder) for candidate in (path, *path.parents))


def _same_path(a: Path, b: Path) -> bool:
    """Two outputs of one run collide when their resolved paths differ only in letter case."""
    return str(a).casefold() == str(b).casefold() or _same_file(a, b)


def _same_file(a: Path, b: Path) -> bool:
    """One file or folder under two names: symlinks, hard links, a case-insensitive disk."""
    try:
        if a.resolve() == b.resolve():
            return True
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False
