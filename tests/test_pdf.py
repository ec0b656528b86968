"""PDF export through LibreOffice; the conversions are slow and skipped where soffice is absent."""

from __future__ import annotations

import os
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from chengbei_report.errors import OutputError
from chengbei_report.render import pdf
from chengbei_report.render.blocks import Block, BlockKind
from chengbei_report.render.docx_writer import write_document
from chengbei_report.render.pdf import MISSING_MESSAGE, convert_to_pdf, find_soffice, font_findings

needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice 未安装")
MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")
A4_POINTS = (595.28, 841.89)


def _build(folder: Path, paragraphs: int = 40) -> Path:
    blocks = [Block(BlockKind.TITLE, "城北街道2023年上半年工作总结")]
    blocks += [Block(BlockKind.PARAGRAPH, "城北街道坚持稳中求进的工作总基调。" * 6)] * paragraphs
    path = folder / "城北街道工作总结.docx"
    path.write_bytes(
        write_document(blocks, title="标题", author="城北街道", when=datetime(2023, 7, 10))
    )
    return path


def _page_sizes(data: bytes) -> list[tuple[float, float]]:
    boxes = [tuple(float(v) for v in m.groups()) for m in MEDIA_BOX.finditer(data)]
    return [(x1 - x0, y1 - y0) for x0, y0, x1, y1 in boxes]


@pytest.mark.slow
@needs_soffice
def test_converted_pages_are_a4(tmp_path: Path) -> None:
    source = _build(tmp_path)
    result = convert_to_pdf(source, tmp_path / "pdf 输出")
    assert result == (tmp_path / "pdf 输出" / "城北街道工作总结.pdf").resolve()
    data = result.read_bytes()
    assert data.startswith(b"%PDF-")
    sizes = _page_sizes(data)
    assert len(sizes) >= 2  # forty paragraphs do not fit on one page
    for width, height in sizes:
        assert width == pytest.approx(A4_POINTS[0], abs=1)
        assert height == pytest.approx(A4_POINTS[1], abs=1)
    assert sorted(p.name for p in result.parent.iterdir()) == ["城北街道工作总结.pdf"]


@pytest.mark.slow
@needs_soffice
def test_unreadable_source_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="未能将"):
        convert_to_pdf(tmp_path / "不存在.docx", tmp_path / "out")
    assert not (tmp_path / "out" / "不存在.pdf").exists()


@pytest.mark.slow
@needs_soffice
def test_timeout_is_an_output_error(tmp_path: Path) -> None:
    source = _build(tmp_path, paragraphs=1)
    with pytest.raises(OutputError, match="超时"):
        convert_to_pdf(source, tmp_path / "out", timeout=0.001)
    assert not (tmp_path / "out" / f"{source.stem}.pdf").exists()


def test_missing_soffice_is_an_output_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(pdf, "_KNOWN_LOCATIONS", ())
    assert find_soffice() is None
    with pytest.raises(OutputError) as caught:
        convert_to_pdf(_build(tmp_path, paragraphs=1), tmp_path)
    assert caught.value.message == MISSING_MESSAGE


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for soffice")
def test_soffice_on_path_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_soffice() == str(fake)


NOTO = Path("/usr/share/fonts/opentype/noto")


@pytest.mark.skipif(
    shutil.which("fc-list") is None or not NOTO.is_dir(), reason="fontconfig 或 Noto 字体未安装"
)
def test_without_the_free_faces_the_warning_names_the_substitution(tmp_path: Path) -> None:
    config = tmp_path / "fonts.conf"
    config.write_text(
        f'<?xml version="1.0"?><fontconfig><dir>{NOTO}</dir>'
        f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    findings = font_findings("报告.pdf", fontconfig_file=config)
    messages = {f.message.split("”")[0].split("“")[1]: f.message for f in findings}
    assert set(messages) == {"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"}
    assert "Noto Sans CJK" in messages["仿宋_GB2312"]
    assert "字形与仿宋不同" in messages["仿宋_GB2312"]
    assert {f.code for f in findings} == {"PDF_FONT_SUBSTITUTED"}
    assert {f.file for f in findings} == {"报告.pdf"}
