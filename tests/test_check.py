"""check_report on the built 2023H1 report: unedited it passes; an edited figure is named."""

from __future__ import annotations

import copy
import json
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import REPORT_PERIOD
from docx.oxml.ns import qn
from typer.testing import CliRunner

from chengbei_report.cli import app
from chengbei_report.commands.build import BuildResult
from chengbei_report.commands.check import check_report
from chengbei_report.compare.check import Status, align_paragraphs, read_paragraphs
from chengbei_report.errors import UsageError

RATE = "98.43%"
EDITED = "98.34%"
RATE_PARAGRAPH = "四是精准帮扶就业"

runner = CliRunner()


@pytest.fixture
def report(tmp_path: Path, built_sample: BuildResult) -> Path:
    """A private copy of the unedited build that a test may edit."""
    assert built_sample.document is not None
    return Path(shutil.copy(built_sample.document, tmp_path / "工作总结.docx"))


def _paragraph(document: docx.document.Document, start: str) -> docx.text.paragraph.Paragraph:
    return next(p for p in document.paragraphs if p.text.startswith(start))


def _edit(path: Path, old: str, new: str) -> None:
    """Replace text inside one run, as Word does for a typed correction."""
    document = docx.Document(str(path))
    run = next(r for p in document.paragraphs for r in p.runs if old in r.text)
    run.text = run.text.replace(old, new, 1)
    document.save(str(path))


def _split_edit(path: Path) -> None:
    """Change 98.43% to 98.34% so that "98." and "34%" sit in two runs (as Word leaves it)."""
    document = docx.Document(str(path))
    paragraph = _paragraph(document, RATE_PARAGRAPH)
    run = next(r for r in paragraph.runs if RATE in r.text)
    before, after = run.text.split(RATE, 1)
    second = copy.deepcopy(run._r)
    run._r.addnext(second)
    run.text = before + "98."
    for text in second.iter(qn("w:t")):
        text.text = "34%" + after
    document.save(str(path))
    runs = [r.text for r in docx.Document(str(path)).paragraphs[paragraph_index(path)].runs]
    assert any(t.endswith("98.") for t in runs) and any(t.startswith("34%") for t in runs)


def paragraph_index(path: Path) -> int:
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    return next(i for i, t in enumerate(texts) if t.startswith(RATE_PARAGRAPH))


def test_the_unedited_build_passes(report: Path) -> None:
    result = check_report(report, REPORT_PERIOD)
    assert result.ok and result.mismatches == []
    matched = [item for item in result.items if item.status is Status.OK]
    figures = [item for item in matched if item.indicator]
    assert len(figures) == 80  # every figure the template put in the document
    years = [item.text for item in matched if item.indicator_name == "年份"]
    assert sorted(years) == ["2002年", "2002年", "2022年", "2022年"]  # bound to periods too
    assert any(item.indicator == "social_reemployment_rate" for item in matched)
    literal = {item.text for item in result.unsourced}
    assert {"8890", "12", "2023年"} <= literal  # 8890 热线, 1园1厅5区12室, dates: to confirm


def _assert_only_the_rate_is_flagged(path: Path) -> None:
    result = check_report(path, REPORT_PERIOD)
    assert not result.ok
    [item] = result.mismatches
    assert item.text == EDITED and item.expected_text == RATE
    assert item.indicator == "social_reemployment_rate" and item.indicator_name == "已帮扶就业率"
    assert item.paragraph == paragraph_index(path) + 1
    assert EDITED in item.context and "已帮扶就业率" in item.context
    assert "已帮扶就业率" in item.message and RATE in item.message
    # every digit the engine computed, in percent (value * 100 in 28 digits would cut it short)
    assert "精确值 98.42519685039370078740157480314961%" in item.message
    assert len([i for i in result.items if i.status is Status.OK and i.indicator]) == 79


def test_an_edited_figure_is_flagged_and_named(report: Path) -> None:
    _edit(report, RATE, EDITED)
    _assert_only_the_rate_is_flagged(report)


def test_an_edit_split_across_runs_is_flagged_and_named(report: Path) -> None:
    _split_edit(report)
    _assert_only_the_rate_is_flagged(report)


def test_inserted_deleted_and_reworded_paragraphs_still_align(report: Path) -> None:
    document = docx.Document(str(report))
    anchor = _paragraph(document, "二是市场主体量质提升")
    anchor.insert_paragraph_before("另据统计，今年新招募志愿者45人。")
    doomed = _paragraph(document, "三是激活“红色细胞”")
    doomed._p.getparent().remove(doomed._p)
    reworded = _paragraph(document, RATE_PARAGRAPH)
    retyped = reworded.text.replace("依托辖区内", "依托").replace(RATE, EDITED)
    for run in reworded.runs[1:]:  # Word keeps one run for text typed over
        run._r.getparent().remove(run._r)
    reworded.runs[0].text = retyped
    document.save(str(report))
    result = check_report(report, REPORT_PERIOD)
    [item] = result.mismatches
    assert item.indicator == "social_reemployment_rate"
    inserted = [i for i in result.unsourced if i.text == "45人"]
    assert len(inserted) == 1 and "没有数据来源" in inserted[0].message


def test_tracked_insertions_count_and_deletions_do_not(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("已帮扶就业率")
    body = paragraph._p
    deleted = body.makeelement(qn("w:del"), {})
    deleted.append(_run(body, "98.43%", qn("w:delText")))
    inserted = body.makeelement(qn("w:ins"), {})
    inserted.append(_run(body, "98.34%", qn("w:t")))
    body.append(deleted)
    body.append(inserted)
    document.add_paragraph("   ")
    path = tmp_path / "修订.docx"
    document.save(str(path))
    assert read_paragraphs(path) == ["已帮扶就业率98.34%"]


def _run(parent: object, text: str, tag: str) -> object:
    run = parent.makeelement(qn("w:r"), {})  # type: ignore[attr-defined]
    node = run.makeelement(tag, {})
    node.text = text
    run.append(node)
    return run


def test_align_paragraphs_pairs_edits_and_skips_insertions() -> None:
    expected = ["甲乙丙丁戊己庚辛", "第二段原文很长很长", "第三段"]
    actual = ["新插入的段落", "甲乙丙丁戊己庚辛", "第二段原文很长很长改", "第三段"]
    assert align_paragraphs(expected, actual) == {1: 0, 2: 1, 3: 2}


def test_a_missing_or_broken_document_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="找不到文档"):
        check_report(tmp_path / "没有.docx", REPORT_PERIOD)
    broken = tmp_path / "坏.docx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(UsageError, match="不是有效的"):
        check_report(broken, REPORT_PERIOD)


def test_a_document_with_broken_xml_is_a_usage_error(tmp_path: Path, report: Path) -> None:
    broken = tmp_path / "坏XML.docx"
    with zipfile.ZipFile(report) as source, zipfile.ZipFile(broken, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            target.writestr(entry, data[:100] if entry.filename == "word/document.xml" else data)
    with pytest.raises(UsageError, match="不是有效的"):
        check_report(broken, REPORT_PERIOD)


def test_cli_check_passes_the_unedited_build(report: Path) -> None:
    result = runner.invoke(app, ["check", str(report), "--period", "2023H1"])
    assert result.exit_code == 0, result.output
    assert "不符 0 个" in result.output
    assert "[待确认]" in result.output and "8890" in result.output


def test_cli_check_exits_1_and_names_the_figure(report: Path) -> None:
    _split_edit(report)
    result = runner.invoke(app, ["check", str(report), "-p", "2023H1"])
    assert result.exit_code == 1
    assert "[不符]" in result.output and EDITED in result.output
    assert "已帮扶就业率" in result.output and "social_reemployment_rate" in result.output


def test_cli_check_json_equals_the_api_result(report: Path) -> None:
    _edit(report, RATE, EDITED)
    result = runner.invoke(app, ["check", str(report), "-p", "2023H1", "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == check_report(report, REPORT_PERIOD).to_dict()


def test_cli_check_usage_errors(tmp_path: Path, report: Path) -> None:
    missing = runner.invoke(app, ["check", str(tmp_path / "没有.docx"), "-p", "2023H1"])
    assert missing.exit_code == 2 and "找不到文档" in missing.output
    bad_period = runner.invoke(app, ["check", str(report), "-p", "2023H9"])
    assert bad_period.exit_code == 2 and "无法识别的报告期" in bad_period.output
