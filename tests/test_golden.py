"""The golden test: the sample workspace reproduces the published 2023H1 report."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import docx
import openpyxl
from conftest import REFERENCE

from chengbei_report.commands.build import BuildResult


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _reference_paragraphs() -> list[str]:
    lines = [_norm(line) for line in REFERENCE.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and line != "朗读"]


def _document_paragraphs(path: Path) -> list[str]:
    return [_norm(p.text) for p in docx.Document(str(path)).paragraphs if p.text.strip()]


def test_all_32_reference_paragraphs_appear_in_order(built_sample: BuildResult) -> None:
    want = _reference_paragraphs()
    have = _document_paragraphs(built_sample.document)
    assert len(want) == 32
    cursor = 0
    for paragraph in want:
        assert paragraph in have[cursor:], f"not found in order: {paragraph[:40]}"
        cursor = have.index(paragraph, cursor) + 1


def test_document_is_named_as_the_office_expects(built_sample: BuildResult) -> None:
    assert built_sample.document.name == "城北街道2023年上半年工作总结.docx"
    assert built_sample.workpaper.name == "城北街道2023年上半年工作总结_底稿.xlsx"


def test_document_has_title_and_full_width_punctuation(built_sample: BuildResult) -> None:
    paragraphs = [p.text for p in docx.Document(str(built_sample.document)).paragraphs if p.text]
    assert paragraphs[0] == "城北街道2023年上半年工作总结"
    body = "".join(paragraphs)
    assert "，" in body and "（" in body and "," not in body and "(" not in body


def test_working_paper_has_one_row_per_figure_in_document_order(built_sample: BuildResult) -> None:
    sheet = openpyxl.load_workbook(built_sample.workpaper)["底稿"]
    header = [c.value for c in sheet[1]]
    rows = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)
    ]
    assert len(rows) == built_sample.figures
    shown = [r["文中写法"] for r in rows]
    assert shown[:3] == ["12477.4万元", "第二", "77倍"]
    rate = next(r for r in rows if r["文中写法"] == "98.43%")
    assert rate["指标编码"] == "social_reemployment_rate"
    assert (rate["精确值"], rate["单位"]) == ("98.42519685039370078740157480314961", "%")
    assert "500" in rate["计算公式"] and "508" in rate["计算公式"]
    assert "2023H1/城北街道_2023H1_社会事务管理办公室.xlsx 指标!" in rate["数据来源"]
    rank = next(r for r in rows if r["指标编码"] == "econ_tax_growth_rank")
    assert "2022/" in rank["数据来源"] and "2021/" in rank["数据来源"]
    mediation = next(r for r in rows if r["文中写法"] == "38.67万元")
    assert "劳动纠纷调解台账!" in mediation["数据来源"]
    assert all(r["数据来源"] for r in rows), "every figure must trace to a source"


# Arabic figures in sections 一/二 that are not statistics: period words the template takes from
# the period (2023年, 截至6月), dates in the narrative (自4月份起, 今年8月底) and names (the 8890
# hotline, the "1园1厅5区12室" standard).
NOT_STATISTICS = {"2023年", "2022年", "2002年", "6月", "4月份", "8月", "8890", "1", "5", "12"}


def test_every_statistical_figure_of_sections_one_and_two_comes_from_data(
    built_sample: BuildResult,
) -> None:
    from chengbei_report.read.numbers_text import find_figures

    texts = [p.text for p in docx.Document(str(built_sample.document)).paragraphs if p.text.strip()]
    plans = next(i for i, t in enumerate(texts) if t.startswith("三、"))
    used = {(u.block, u.text) for u in built_sample.uses}
    typed_in = [
        (index, match.text)
        for index, text in enumerate(texts[:plans])
        for match in find_figures(text)
        if (index, match.text) not in used and match.text not in NOT_STATISTICS
    ]
    assert typed_in == []
    assert built_sample.figures == len(built_sample.uses) >= 80
