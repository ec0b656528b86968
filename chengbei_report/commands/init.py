"""``init``: copy the bundled sample workspace and the built-in templates into a new folder.

The templates gain a Word starter: the half-year text template as a .docx in the official
layout, with its Jinja tags as text, for people who would rather edit the template in Word.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from chengbei_report.errors import OutputError, UsageError
from chengbei_report.guard import guard_outputs
from chengbei_report.render.output import os_error_reason
from chengbei_report.workspace import TEMPLATES_DIR, bundled_path


def init_workspace(directory: Path) -> Path:
    """Create ``directory`` as a copy of the sample; refuse a folder that already has files.

    The copy is assembled in a temporary sibling folder and moved into place at the end, so an
    interrupted run never leaves half a workspace behind.
    """
    target = guard_outputs([directory], option=None)[0]
    if target.exists() and not target.is_dir():
        raise UsageError(
            f"{target} 是一个文件，不能作为工作区目录，未做任何改动。",
            hint="请指定一个不存在的或空的文件夹，如 chengbei-report init ./我的工作区",
        )
    if target.exists() and any(target.iterdir()):
        raise UsageError(f"目录 {target} 已存在且不为空，为避免覆盖已有文件，未做任何改动。")
    try:
        _assemble(target)
    except OSError as err:
        reason, hint = os_error_reason(_first_failure(err))
        raise OutputError(f"无法创建工作区 {target}：{reason}", hint=hint) from err
    return target


def _first_failure(err: OSError) -> OSError:
    """copytree gathers its failures into one shutil.Error as text; the first one, with its errno."""
    failures = err.args[0] if isinstance(err, shutil.Error) and err.args else None
    if isinstance(failures, list) and failures:
        found = re.search(r"\[Errno (\d+)\] ([^:']*)", str(failures[0][-1]))
        if found:
            return OSError(int(found.group(1)), found.group(2))
    return err


def _assemble(target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".init-", dir=target.parent))
    try:
        shutil.copytree(bundled_path("sample_data"), staging, dirs_exist_ok=True)
        shutil.copytree(bundled_path(TEMPLATES_DIR), staging / TEMPLATES_DIR, dirs_exist_ok=True)
        _write_word_starter(staging / TEMPLATES_DIR)
        if target.exists():
            target.rmdir()
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


# The starter's timestamp: fixed, so that two workspaces get byte-identical starters.
STARTER_TIME = datetime(2023, 1, 1, 12, 0, 0)


def _write_word_starter(templates: Path) -> None:
    from chengbei_report.render.docx_template import WORD_STARTER, word_starter

    source = templates / "work_summary.md.j2"
    (templates / WORD_STARTER).write_bytes(word_starter(source, when=STARTER_TIME))
