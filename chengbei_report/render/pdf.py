"""PDF export through LibreOffice, run headless with a throwaway profile.

A private profile lets several conversions run at once and keeps a user's own LibreOffice (open
documents, settings, a stale lock) out of the way. The PDF is produced in a temporary folder and
then written atomically, so a failed conversion never leaves a half-written or stale PDF behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from chengbei_report.errors import OutputError
from chengbei_report.render.output import write_atomic

MISSING_MESSAGE = (
    "未找到 LibreOffice（soffice），无法生成 PDF；请安装 libreoffice-writer-nogui 后重试"
)

# Where installers put soffice when it is not on PATH (Windows, macOS, the upstream .deb/.rpm).
_KNOWN_LOCATIONS = (
    Path("C:/Program Files/LibreOffice/program/soffice.exe"),
    Path("C:/Program Files (x86)/LibreOffice/program/soffice.exe"),
    Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"),
    Path("/opt/libreoffice/program/soffice"),
)
_STDERR_TAIL = 500


def find_soffice() -> str | None:
    """The LibreOffice executable: on PATH first, then the usual install folders."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for location in _KNOWN_LOCATIONS:
        if location.is_file():
            return str(location)
    return None


def _run(command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run soffice in its own process group so a timeout also ends the soffice.bin it starts."""
    posix = os.name == "posix"
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=posix,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            if posix:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
            process.communicate()
            raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def convert_to_pdf(docx_path: Path, out_dir: Path, *, timeout: float = 120) -> Path:
    """Convert ``docx_path`` to ``out_dir/<same name>.pdf`` and return that path."""
    soffice = find_soffice()
    if soffice is None:
        raise OutputError(MISSING_MESSAGE)
    source = docx_path.resolve()
    target = out_dir / f"{source.stem}.pdf"
    with tempfile.TemporaryDirectory(prefix="chengbei-soffice-") as work:
        work_dir = Path(work)
        command = [
            soffice,
            f"-env:UserInstallation={(work_dir / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work_dir),
            str(source),
        ]
        try:
            result = _run(command, timeout)
        except subprocess.TimeoutExpired as err:
            raise OutputError(
                f"LibreOffice 转换 PDF 超时（超过 {timeout:g} 秒）：{source}"
            ) from err
        except OSError as err:
            raise OutputError(f"无法启动 LibreOffice（{soffice}）：{err}") from err
        produced = work_dir / target.name
        if result.returncode != 0 or not produced.is_file() or produced.stat().st_size == 0:
            detail = (result.stderr or result.stdout).strip()[-_STDERR_TAIL:]
            raise OutputError(
                f"LibreOffice 未能将 {source} 转换为 PDF（退出码 {result.returncode}）",
                hint=detail or None,
            )
        return write_atomic(target, produced.read_bytes(), inputs=(source,))
