"""One exception family for problems that stop a run.

Data problems in submitted workbooks are *findings* (see ``findings``), never exceptions.
Everything here carries a Chinese message for the user and the exit code the CLI returns.
"""

from __future__ import annotations

import errno

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2


class ReportError(Exception):
    """A problem that stops the run; ``str(err)`` is the Chinese message shown to the user."""

    exit_code = EXIT_DATA

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(ReportError):
    """Bad arguments: an unknown period, a missing workspace, an output path that is an input."""

    exit_code = EXIT_USAGE


class WorkspaceError(ReportError):
    """The workspace (config, folders, workbooks expected by the catalog) is incomplete."""


class CatalogError(ReportError):
    """The indicator catalog is wrong: unknown reference, cycle, bad syntax, unit mismatch."""


class ComputeError(ReportError):
    """A figure cannot be computed: division by zero, a missing input."""


class TemplateError(ReportError):
    """The template is wrong: undefined variable, unknown filter, syntax error."""


class OutputError(ReportError):
    """An output cannot be written."""


class MissingDataError(ComputeError):
    """A figure's input is not in the workspace: no workbook, no row, no ledger sheet."""


_OS_PROBLEMS = {
    errno.EROFS: ("该位置是只读的，不能写入", "请用 --out 指定一个可以写入的文件夹。"),
    errno.EACCES: (
        "没有写入权限",
        "请换一个有写入权限的文件夹；如果该文件正在 Word、WPS 或 Excel 中打开，请先关闭后重试。",
    ),
    errno.EPERM: ("系统不允许写入", "请换一个有写入权限的文件夹。"),
    errno.ENOSPC: ("磁盘空间已满", "请清理磁盘空间，或用 --out 指定另一块磁盘上的文件夹。"),
    errno.EDQUOT: ("已超出磁盘配额", "请清理磁盘空间，或用 --out 指定另一个文件夹。"),
    errno.EISDIR: ("同名的文件夹已存在", "请删除或改名该文件夹，或指定另一个文件名。"),
    errno.ENOTDIR: ("路径中有一段是文件而不是文件夹", "请检查输出路径。"),
    errno.ENOENT: ("路径不存在", "请检查输出路径。"),
    errno.ENAMETOOLONG: ("文件名太长", "请缩短输出路径。"),
    errno.EBUSY: ("文件正被其他程序占用", "请关闭正在使用该文件的程序后重试。"),
    errno.ETXTBSY: ("文件正被其他程序占用", "请关闭正在使用该文件的程序后重试。"),
}


def describe_os_error(err: OSError) -> tuple[str, str]:
    """A failed file operation in the user's words: what went wrong, and what to do about it.

    The system's own text (``Read-only file system``) is English and names no remedy.
    """
    if err.errno in _OS_PROBLEMS:
        return _OS_PROBLEMS[err.errno]
    number = f"（错误号 {err.errno}）" if err.errno is not None else ""
    return (f"系统报告写入失败{number}", "请检查输出路径和磁盘后重试。")
