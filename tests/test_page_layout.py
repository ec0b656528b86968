"""The sample report as LibreOffice prints it: the 28 × 22 grid, whole figures, the signature.

One conversion for the whole module (the session fixture ``sample_pdf``); every test reads the
PDF's text with its positions (poppler's ``pdftotext -bbox-layout``) and measures in mm.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from chengbei_report.codes import PDF_FONT_SUBSTITUTED
from chengbei_report.commands.build import BuildResult
from chengbei_report.render.pdf import font_findings, installed_families

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils 未安装"),
]

MM = 72 / 25.4
LEFT, RIGHT, TOP, BOTTOM = 28.0, 184.0, 37.0, 262.0  # type area, mm from the page's top left
PITCH = 28.95 / MM  # one line, mm
CHAR = 16 / MM  # one 三号 character, mm
HALF_CHAR = CHAR / 2
CLOSING = "，。、；：？！）》”’"
OPENING = "（《“‘"
HANGING = "，。、；：？！"


@dataclass(frozen=True)
class Line:
    page: int
    x0: float
    x1: float
    y: float
    text: str

    @property
    def inside(self) -> str:
        """The characters inside the type area: a punctuation mark LibreOffice hangs is not."""
        if self.x1 > RIGHT + 1 and self.text[-1] in HANGING:
            return self.text[:-1]
        return self.text


def _lines(pdf: Path) -> list[Line]:
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True
    ).stdout
    root = etree.fromstring(xml, etree.XMLParser(recover=True, huge_tree=True))
    lines = []
    for number, page in enumerate(root.iter("{*}page"), start=1):
        for line in page.iter("{*}line"):
            text = "".join(word.text or "" for word in line.iter("{*}word"))
            x0, x1, y = (float(line.get(k)) / MM for k in ("xMin", "xMax", "yMin"))
            lines.append(Line(number, x0, x1, y, text))
    return lines


@pytest.fixture(scope="module")
def lines(sample_pdf: BuildResult) -> list[Line]:
    return _lines(sample_pdf.pdf)


@pytest.fixture(scope="module")
def body(lines: list[Line]) -> list[Line]:
    """Lines inside the type area (no page numbers), without the title."""
    inside = [line for line in lines if line.y < BOTTOM]
    return inside[1:]


def _chinese_only(text: str) -> bool:
    return all("\u4e00" <= c <= "\u9fff" or c in CLOSING + OPENING + "—…" for c in text)


def _continued(body: list[Line]) -> list[tuple[Line, Line]]:
    """Pairs of a line and the next one on its page when the next goes on with its paragraph."""
    return [
        (line, after)
        for line, after in itertools.pairwise(body)
        if line.page == after.page and abs(after.x0 - LEFT) < 1.5
    ]


def _free_break(after: Line) -> bool:
    """The break before ``after`` was the line's own: no whole figure and no character that
    closing punctuation took along (避头) moved down to it."""
    return "\u4e00" <= after.text[0] <= "\u9fff" and after.text[1] not in CLOSING


def test_full_chinese_lines_hold_28_characters_to_the_right_edge(body: list[Line]) -> None:
    full = [
        line
        for line, after in _continued(body)
        if _chinese_only(line.inside) and _free_break(after)
    ]
    counts = {}
    for line in full:
        indent = round((line.x0 - LEFT) / CHAR)  # a paragraph's first line: two characters in
        counts[line.text] = len(line.inside) + indent
        assert line.x1 == pytest.approx(RIGHT, abs=1) or line.text[-1] in HANGING, line
    assert len(full) >= 40  # most lines of the report are Chinese only (60 in the sample)
    assert set(counts.values()) == {28}, [t for t, n in counts.items() if n != 28]


def _widow_moved(next_page: list[Line]) -> bool:
    """Widow control took a line along: the page opens with the last two lines of a paragraph."""
    first, second, third = next_page[:3]
    return abs(first.x0 - LEFT) < 1.5 and abs(second.x0 - LEFT) < 1.5 and third.x0 > LEFT + 5


def test_full_pages_hold_22_lines_on_the_grid(body: list[Line]) -> None:
    pages = sorted({line.page for line in body})
    for page in pages[1:-1]:
        on_page = [line for line in body if line.page == page]
        next_page = [line for line in body if line.page == page + 1]
        assert len(on_page) == 22 or (len(on_page) == 21 and _widow_moved(next_page)), page
        gaps = [b.y - a.y for a, b in itertools.pairwise(on_page)]
        assert all(gap == pytest.approx(PITCH, abs=0.3) for gap in gaps), page
    first = [line for line in body if line.page == pages[0]]
    # the title and the empty line below it take two lines; widow control may move one more
    assert 21 <= 2 + len(first) <= 22


def test_no_figure_of_the_working_paper_is_broken_across_lines(
    sample_pdf: BuildResult, body: list[Line]
) -> None:
    figures = sorted({use.text for use in sample_pdf.uses}, key=len, reverse=True)
    assert len(figures) >= 50
    broken = []
    for line, after in itertools.pairwise(body):
        joined = line.text + after.text
        for figure in figures:
            start = joined.find(figure, max(0, len(line.text) - len(figure) + 1))
            if 0 <= start < len(line.text) < start + len(figure):
                broken.append(f"{line.text[-6:]} / {after.text[:6]}")
    assert broken == []


def test_lines_follow_chinese_line_breaking_rules(body: list[Line]) -> None:
    assert [line.text for line in body if line.text[0] in CLOSING] == []
    assert [line.text for line in body if line.inside[-1] in OPENING] == []


def test_the_last_page_holds_body_text(body: list[Line]) -> None:
    last = [line for line in body if line.page == body[-1].page]
    signature = [line for line in last if line.text in ("城北街道办事处", "2023年7月10日")]
    assert len(signature) == 2
    assert len(last) - len(signature) >= 2  # widow control moves at least two lines along


def test_signature_and_date_sit_where_gbt9704_places_them(body: list[Line]) -> None:
    office = next(line for line in body if line.text == "城北街道办事处")
    dated = next(line for line in body if line.text == "2023年7月10日")
    before = body[body.index(office) - 1]
    assert office.y - before.y == pytest.approx(2 * PITCH, abs=0.5)  # one empty line
    assert RIGHT - office.x1 == pytest.approx(2 * CHAR, abs=HALF_CHAR)  # two characters in
    assert dated.x0 - office.x0 == pytest.approx(2 * CHAR, abs=HALF_CHAR)
    assert dated.y - office.y == pytest.approx(PITCH, abs=0.5)
    assert dated.x1 <= RIGHT + HALF_CHAR


def _pdf_fonts(pdf: Path) -> list[str]:
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    return [row.split()[0].split("+")[-1] for row in listing.stdout.splitlines()[2:]]


@pytest.mark.skipif(
    "FandolFang" not in (installed_families() or set()), reason="免费同类字体未安装"
)
def test_with_the_free_faces_no_sans_serif_face_is_used(sample_pdf: BuildResult) -> None:
    fonts = _pdf_fonts(sample_pdf.pdf)
    assert any(f.startswith("FandolFang") for f in fonts)  # body: 仿宋
    assert any(f.startswith("FandolSong") for f in fonts)  # title (小标宋 → 宋) and page numbers
    assert all(f.startswith("Fandol") for f in fonts), fonts  # no Noto Sans, no DejaVu Sans
    warned = [f.message for f in sample_pdf.findings if f.code == PDF_FONT_SUBSTITUTED.code]
    assert warned == [f.message for f in font_findings(sample_pdf.pdf.name)]
    assert all("同类的免费字体" in message for message in warned)


def test_a_libreoffice_round_trip_keeps_the_text_and_the_figures(
    sample_pdf: BuildResult, tmp_path: Path
) -> None:
    """LibreOffice saves the hidden word joiners as text; readers do not count them."""
    from chengbei_report.commands.check import check_report
    from chengbei_report.compare.check import read_paragraphs
    from chengbei_report.render.pdf import find_soffice

    profile = f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}"
    convert = ["--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path / "rt")]
    subprocess.run(
        [find_soffice(), profile, "--headless", *convert, str(sample_pdf.document)],
        capture_output=True,
        check=True,
        timeout=120,
    )
    round_tripped = tmp_path / "rt" / sample_pdf.document.name
    assert read_paragraphs(round_tripped) == read_paragraphs(sample_pdf.document)
    assert "\u2060" not in "".join(read_paragraphs(round_tripped))
    result = check_report(round_tripped, sample_pdf.period)
    assert result.mismatches == []
