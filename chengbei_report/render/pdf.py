"""PDF export through LibreOffice, run headless with a throwaway profile.

A private profile lets several conversions run at once and keeps a user's own LibreOffice (open
documents, settings, a stale lock) out of the way. The PDF is produced in a temporary folder and
then written atomically, so a failed conversion never leaves a half-written or stale PDF behind.

Fonts. The document names the official fonts (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312,
宋体), licensed fonts of office Windows machines. Where one is missing, a private fontconfig file
given to LibreOffice maps it to a free face of the same style (the Fandol faces: 仿宋, 宋, 黑,
楷), never to whatever sans-serif face fontconfig would pick; :func:`font_findings` lists every
substitution that remains, so nothing is substituted silently.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from chengbei_report.codes import PDF_FONT_SUBSTITUTED
from chengbei_report.errors import OutputError
from chengbei_report.findings import Finding
from chengbei_report.render.layout import (
    BODY_FONT,
    HEADING1_FONT,
    HEADING2_FONT,
    PAGE_NUMBER_FONT,
    TITLE_FONT,
)
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
_SYSTEM_FONTCONFIG = Path("/etc/fonts/fonts.conf")


@dataclass(frozen=True)
class StandIn:
    """A free face of an official font's style: its fontconfig family and the style's name."""

    family: str
    style: str


# Each official font the document names, with the free face of its style (Debian's Fandol faces,
# from texlive-lang-chinese; see README "PDF fonts").
STAND_INS: dict[str, StandIn] = {
    BODY_FONT: StandIn("FandolFang", "仿宋"),
    TITLE_FONT: StandIn("FandolSong", "小标宋，以宋体代替"),
    HEADING1_FONT: StandIn("FandolHei", "黑体"),
    HEADING2_FONT: StandIn("FandolKai", "楷体"),
    PAGE_NUMBER_FONT: StandIn("FandolSong", "宋体"),
}


@dataclass(frozen=True)
class Substitution:
    """An official font the PDF cannot use, and the face it gets instead."""

    official: str
    used: str
    same_style: bool

    def message(self) -> str:
        kind = STAND_INS[self.official].style
        if self.same_style:
            return (
                f"PDF 中字体“{self.official}”未安装，以同类的免费字体“{self.used}”（{kind}）代替。"
            )
        return f"PDF 中字体“{self.official}”未安装，以“{self.used}”代替，字形与{kind}不同。"


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


def _run(
    command: list[str], timeout: float, fontconfig_file: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run soffice in its own process group so a timeout also ends the soffice.bin it starts."""
    posix = os.name == "posix"
    with subprocess.Popen(
        command,
        env=_fontconfig_env(fontconfig_file),
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


def _fontconfig_env(fontconfig_file: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if fontconfig_file is not None:
        env["FONTCONFIG_FILE"] = str(fontconfig_file)
    return env


def _fc(arguments: list[str], fontconfig_file: Path | None) -> str | None:
    """Output of a fontconfig tool, or None where fontconfig is not there (Windows, macOS)."""
    tool = shutil.which(arguments[0])
    if tool is None:
        return None
    result = subprocess.run(
        [tool, *arguments[1:]],
        capture_output=True,
        text=True,
        env=_fontconfig_env(fontconfig_file),
        timeout=60,
        check=False,
    )
    return result.stdout if result.returncode == 0 else None


def installed_families(fontconfig_file: Path | None = None) -> set[str] | None:
    """Every font family name fontconfig knows (all languages), or None without fontconfig."""
    listing = _fc(["fc-list", "--format", "%{family}\n"], fontconfig_file)
    if listing is None:
        return None
    return {name.strip() for line in listing.splitlines() for name in line.split(",")}


def _matched_family(name: str, fontconfig_file: Path | None) -> str:
    found = _fc(["fc-match", "--format", "%{family[0]}", f"{name}:lang=zh-cn"], fontconfig_file)
    return (found or "").strip() or "（未知字体）"


def font_substitutions(fontconfig_file: Path | None = None) -> list[Substitution] | None:
    """The official fonts a PDF made here cannot use, and what it uses instead.

    None where there is no fontconfig to ask (LibreOffice then uses the system's own rules).
    """
    families = installed_families(fontconfig_file)
    if families is None:
        return None
    substitutions = []
    for official, stand_in in STAND_INS.items():
        if official in families:
            continue
        if stand_in.family in families:
            substitutions.append(Substitution(official, stand_in.family, same_style=True))
        else:
            used = _matched_family(official, fontconfig_file)
            substitutions.append(Substitution(official, used, same_style=False))
    return substitutions


def font_findings(pdf_name: str = "", fontconfig_file: Path | None = None) -> list[Finding]:
    """One warning for each font the PDF substitutes; none when every official font is there."""
    substitutions = font_substitutions(fontconfig_file)
    if substitutions is None:
        message = "无法确认 PDF 所用字体（本机没有 fontconfig），请打开 PDF 查看字体。"
        return [PDF_FONT_SUBSTITUTED.make(message, file=pdf_name, hint="")]
    return [PDF_FONT_SUBSTITUTED.make(s.message(), file=pdf_name) for s in substitutions]


def _fontconfig_file(work_dir: Path) -> Path | None:
    """A fontconfig file mapping each missing official font to its free stand-in, if installed.

    The rules are written only for fonts that are missing, so an installed official font is
    always used as it is.
    """
    families = installed_families()
    if families is None:
        return None
    base = os.environ.get("FONTCONFIG_FILE") or str(_SYSTEM_FONTCONFIG)
    rules = []
    for official, stand_in in STAND_INS.items():
        if official in families or stand_in.family not in families:
            continue
        rules.append(
            f'<match target="pattern"><test name="family"><string>{official}</string></test>'
            f'<edit name="family" mode="prepend" binding="strong"><string>{stand_in.family}'
            "</string></edit></match>"
        )
    path = work_dir / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f'<fontconfig><include ignore_missing="yes">{base}</include>{"".join(rules)}'
        "</fontconfig>\n",
        encoding="utf-8",
    )
    return path


def convert_to_pdf(docx_path: Path, out_dir: Path, *, timeout: float = 120) -> Path:
    """Convert ``docx_path`` to ``out_dir/<same name>.pdf`` and return that path."""
    source = docx_path.resolve()
    with tempfile.TemporaryDirectory(prefix="chengbei-soffice-") as work:
        data = _convert(source, Path(work), timeout)
    return write_atomic(out_dir / f"{source.stem}.pdf", data, inputs=(source,))


def pdf_bytes(docx_data: bytes, name: str, *, timeout: float = 120) -> bytes:
    """The PDF of a document not yet written (``name`` is its file name), for an output set:
    nothing is installed until the conversion has succeeded."""
    with tempfile.TemporaryDirectory(prefix="chengbei-soffice-") as work:
        work_dir = Path(work)
        source = work_dir / "in" / name
        source.parent.mkdir()
        source.write_bytes(docx_data)
        return _convert(source, work_dir, timeout)


def _convert(source: Path, work_dir: Path, timeout: float) -> bytes:
    """Run soffice on ``source`` in ``work_dir``; the PDF's bytes, or an OutputError."""
    soffice = find_soffice()
    if soffice is None:
        raise OutputError(MISSING_MESSAGE)
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
    fonts = _fontconfig_file(work_dir)
    try:
        result = _run(command, timeout, fonts)
    except subprocess.TimeoutExpired as err:
        raise OutputError(f"LibreOffice 转换 PDF 超时（超过 {timeout:g} 秒）：{source}") from err
    except OSError as err:
        raise OutputError(f"无法启动 LibreOffice（{soffice}）：{err}") from err
    produced = work_dir / f"{source.stem}.pdf"
    if result.returncode != 0 or not produced.is_file() or produced.stat().st_size == 0:
        detail = (result.stderr or result.stdout).strip()[-_STDERR_TAIL:]
        raise OutputError(
            f"LibreOffice 未能将 {source.name} 转换为 PDF（退出码 {result.returncode}）",
            hint=detail or None,
        )
    return produced.read_bytes()
