"""A Word-authored .docx template with Jinja tags renders through docxtpl with the same filters."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import REPORT_PERIOD

from chengbei_report.commands.build import build_report
from chengbei_report.errors import TemplateError


def _word_template(path: Path, *paragraphs: str) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def test_docx_template_renders_figures_and_traces_them(tmp_path: Path) -> None:
    template = _word_template(
        tmp_path / "模板.docx",
        "{{ unit.name }}{{ period.full_label }}工作总结",
        "二、上半年重点工作完成情况",
        "帮扶成功就业{{ cur.social_reemployed | num }}，已帮扶就业率{{ cur.social_reemployment_rate | pct }}。",
    )
    result = build_report(REPORT_PERIOD, out_dir=tmp_path / "out", template=template)
    texts = [p.text for p in docx.Document(str(result.document)).paragraphs]
    assert texts == [
        "城北街道2023年上半年工作总结",
        "二、上半年重点工作完成情况",
        "帮扶成功就业500人，已帮扶就业率98.43%。",
    ]
    sheet = openpyxl.load_workbook(result.workpaper)["底稿"]
    shown = [row[3].value for row in sheet.iter_rows(min_row=2)]
    assert shown == ["500人", "98.43%"]
    assert sheet.cell(row=3, column=2).value == "二、"


def _table_and_footer_template(tmp_path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("二、上半年重点工作完成情况")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "帮扶成功就业"
    table.cell(0, 1).text = "{{ cur.social_reemployed | num }}"
    document.sections[0].footer.paragraphs[
        0
    ].text = "就业率{{ cur.social_reemployment_rate | pct }}"
    template = tmp_path / "表格模板.docx"
    document.save(str(template))
    return template


def test_figures_in_tables_and_footers_lose_their_marks(
    tmp_path: Path, workspace_copy: Path
) -> None:
    config = workspace_copy / "workspace.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "[report]\n", "[report]\nofficial_layout = false\n"
        ),
        encoding="utf-8",
    )
    template = _table_and_footer_template(tmp_path)
    result = build_report(
        REPORT_PERIOD, workspace_dir=workspace_copy, out_dir=tmp_path / "out", template=template
    )
    built = docx.Document(str(result.document))
    assert built.tables[0].cell(0, 1).text == "500人"
    assert built.sections[0].footer.paragraphs[0].text == "就业率98.43%"
    assert built.sections[0].page_width != docx.shared.Mm(210)  # the template's own page
    table_use, footer_use = result.uses
    assert (table_use.text, table_use.section) == ("500人", "二、")
    assert footer_use.text == "98.43%"


def test_a_word_template_gets_the_official_layout(tmp_path: Path) -> None:
    template = _table_and_footer_template(tmp_path)
    source_table_style = docx.Document(str(template)).tables[0].style.name
    result = build_report(REPORT_PERIOD, out_dir=tmp_path / "out", template=template)
    built = docx.Document(str(result.document))
    section = built.sections[0]
    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)
    assert round(section.left_margin.mm) == 28 and round(section.top_margin.mm) == 37
    assert [p.text for p in section.footer.paragraphs] == ["— 1 —"]  # the official footer
    assert built.paragraphs[0].style.name == "Heading 1"  # 二、 is a heading by its numbering
    assert built.tables[0].style.name == source_table_style  # the template's own table style
    assert built.tables[0].cell(0, 1).text == "500人"
    assert built.core_properties.title == "城北街道2023年上半年工作总结"


def test_docx_template_with_unknown_variable_names_the_template(tmp_path: Path) -> None:
    template = _word_template(tmp_path / "坏模板.docx", "{{ cur.no_such_code | num }}")
    with pytest.raises(TemplateError, match=r"坏模板\.docx.*no_such_code"):
        build_report(REPORT_PERIOD, out_dir=tmp_path / "out", template=template)
    assert not (tmp_path / "out").exists()


def test_word_template_gets_the_signing_date_under_its_signature(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from chengbei_report import cli

    template = _word_template(
        tmp_path / "署名模板.docx",
        "{{ unit.name }}{{ period.full_label }}工作总结",
        "帮扶成功就业{{ cur.social_reemployed | num }}。",
        "城北街道办事处",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli.app,
        [
            "build",
            "--period",
            "2023H1",
            "-t",
            str(template),
            "--date",
            "2023-07-10",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    built = docx.Document(str(next(out.glob("*工作总结.docx"))))
    tail = [(p.text, p.style.name) for p in built.paragraphs if p.text.strip()][-2:]
    assert tail == [("城北街道办事处", "Signature"), ("2023年7月10日", "Signature")]
    date_paragraph = next(p for p in built.paragraphs if p.text == "2023年7月10日")
    assert date_paragraph.paragraph_format.left_indent is not None  # placed as the text route does
