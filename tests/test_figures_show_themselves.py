"""A figure without a filter shows its kind's default form; no internal representation reaches
any output, by either template route; a value too small for ``approx`` is a warning."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from conftest import REPORT_PERIOD
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from chengbei_report.cli import app
from chengbei_report.commands.build import BuildResult, build_report
from chengbei_report.compute.figures import CellSource, Figure, LedgerSource
from chengbei_report.errors import OutputError, TemplateError
from chengbei_report.periods import Period
from chengbei_report.render.leaks import internal_text, refuse_internal_text
from chengbei_report.render.template import Recorder

runner = CliRunner()
# What a program's view of an object looks like; none of it may appear in any output.
INTERNAL = re.compile(r"Figure\(|Source\(|object at 0x|PeriodKind|Decimal\(|Period\(")

UNFILTERED = (
    "{{ cur.econ_park_units }}、{{ year.econ_tax }}、{{ cur.social_partner_area }}、"
    "{{ cur.urban_flying_wires }}、{{ cur.social_reemployment_rate }}、"
    "{{ year.econ_tax_multiple }}、{{ cur.party_centers_rank }}、{{ period }}、{{ baseline }}"
)
SHOWN = "54家、12477.4万元、5930平方米、10350米、98.43%、77倍、第一、2023年上半年、2002年"


def _text_template(path: Path, *paragraphs: str) -> Path:
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def _word_template(path: Path, *paragraphs: str) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "{{ cur.social_reemployment_rate }}"
    document.sections[0].footer.paragraphs[0].text = "{{ cur.party_centers_rank }}"
    document.save(str(path))
    return path


MAKERS = {"md.j2": _text_template, "docx": _word_template}


def _all_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "".join(
            archive.read(name).decode("utf-8", errors="replace")
            for name in archive.namelist()
            if name.endswith((".xml", ".rels"))
        )


@pytest.fixture(scope="module", params=list(MAKERS))
def unfiltered_build(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> BuildResult:
    folder = tmp_path_factory.mktemp(f"unfiltered-{request.param}")
    template = MAKERS[request.param](folder / f"默认.{request.param}", "# 标题", UNFILTERED)
    result = build_report(REPORT_PERIOD, out_dir=folder / "out", template=template)
    assert result.ok
    return result


def test_a_figure_without_a_filter_shows_its_default_form(unfiltered_build: BuildResult) -> None:
    paragraphs = [p.text for p in docx.Document(str(unfiltered_build.document)).paragraphs]
    assert SHOWN in paragraphs
    shown = [use.text for use in unfiltered_build.uses]
    assert shown[:7] == SHOWN.split("、")[:7]


def test_no_internal_representation_in_any_output(unfiltered_build: BuildResult) -> None:
    for output in (unfiltered_build.document, unfiltered_build.workpaper):
        assert INTERNAL.search(_all_text(output)) is None, output.name
        assert "\ue000" not in _all_text(output) and "\ue002" not in _all_text(output)


def test_the_cli_prints_no_internal_representation(tmp_path: Path) -> None:
    template = _text_template(tmp_path / "t.md.j2", "# 标题", UNFILTERED)
    result = runner.invoke(
        app, ["build", "-p", "2023H1", "-o", str(tmp_path / "o"), "-t", str(template)]
    )
    assert result.exit_code == 0, result.output
    assert INTERNAL.search(result.output) is None


# ---------------------------------------------------------------- objects that are not text

NOT_TEXT = [
    ("{{ cur }}", "全部指标"),
    ("{{ unit }}", "一组设置"),
    ("{{ cur.econ_park_units.value }}", "不带来源的数字“54”"),
    ("{{ period.is_year }}", "逻辑值“False”"),
    ("{{ cur.econ_park_units.sources }}", "一个列表"),
    ("{{ cur.econ_park_units + 1 }}", "不能在模板里直接运算"),
]


@pytest.mark.parametrize(("tag", "said"), NOT_TEXT)
def test_anything_else_is_an_error_naming_the_text_template_line(
    tmp_path: Path, tag: str, said: str
) -> None:
    template = _text_template(tmp_path / "坏.md.j2", "# 标题", "第一段", f"数字{tag}")
    with pytest.raises(TemplateError, match=rf"模板 坏\.md\.j2 第5行：.*{re.escape(said)}") as err:
        build_report(REPORT_PERIOD, out_dir=tmp_path / "out", template=template)
    assert INTERNAL.search(err.value.message) is None
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("tag", "said"), NOT_TEXT)
def test_anything_else_is_an_error_naming_the_word_paragraph(
    tmp_path: Path, tag: str, said: str
) -> None:
    template = _word_template(tmp_path / "坏.docx", "标题", "", "第一段", f"数字{tag}")
    excerpt = re.escape(f"第3段（“数字{tag}"[:24])
    with pytest.raises(TemplateError, match=rf"模板 坏\.docx {excerpt}.*{re.escape(said)}") as err:
        build_report(REPORT_PERIOD, out_dir=tmp_path / "out", template=template)
    assert INTERNAL.search(err.value.message) is None


@pytest.mark.parametrize(
    ("paragraph", "where"),
    [
        ("{% if %}", r"第2段（“\{% if %\}”）有语法错误"),
        ("{{ cur.no_such_code | num }}", r"第2段.*“no_such_code”未定义"),
        ("{{ cur.social_reemployed | money }}", r"第2段.*未知过滤器“money”"),
    ],
)
def test_word_template_errors_name_the_paragraph(
    tmp_path: Path, paragraph: str, where: str
) -> None:
    template = _word_template(tmp_path / "段落.docx", "标题", paragraph)
    with pytest.raises(TemplateError, match=rf"模板 段落\.docx {where}"):
        build_report(REPORT_PERIOD, out_dir=tmp_path / "out", template=template)


def test_an_error_in_a_word_footer_says_so(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("标题")
    document.sections[0].footer.paragraphs[0].text = "{{ cur.nobody }}"
    document.save(str(tmp_path / "页脚.docx"))
    with pytest.raises(TemplateError, match=r"模板 页脚\.docx 页眉、页脚或脚注中：.*nobody"):
        build_report(REPORT_PERIOD, out_dir=tmp_path / "out", template=tmp_path / "页脚.docx")


def test_word_values_are_xml_escaped(tmp_path: Path, workspace_copy: Path) -> None:
    config = workspace_copy / "workspace.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'office = "城北街道办事处"', 'office = "城北街道办事处<&>"'
        ),
        encoding="utf-8",
    )
    template = _word_template(tmp_path / "署名.docx", "{{ unit.office }}")
    result = build_report(
        REPORT_PERIOD, workspace_dir=workspace_copy, out_dir=tmp_path / "out", template=template
    )
    assert docx.Document(str(result.document)).paragraphs[0].text == "城北街道办事处<&>"


# ---------------------------------------------------------------- too small for approx


def test_2022h1_builds_with_a_warning_for_a_value_too_small_for_approx(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", "-p", "2022H1", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "[警告] TEXT_APPROX_TOO_SMALL 指标!D10：2022年上半年双拥社区为军人军属提供的服务" in (
        result.output
    )
    assert "（social_veteran_services）为9项，不足约数的取整单位10" in result.output
    assert "2022H1/城北街道_2022H1_社会事务管理办公室.xlsx 指标!D10" in result.output
    text = "".join(
        p.text
        for p in docx.Document(str(tmp_path / "城北街道2022年上半年工作总结.docx")).paragraphs
    )
    assert "心理咨询等9项服务" in text


def test_the_warning_names_the_indicator_and_its_cell() -> None:
    recorder = Recorder()
    figure = _figure(Decimal(9), "count", "项")
    assert recorder.approx(figure, 10).endswith("9项\ue002")
    (finding,) = recorder.findings
    assert (finding.code, finding.severity.value, finding.indicator) == (
        "TEXT_APPROX_TOO_SMALL",
        "警告",
        "services",
    )
    assert (finding.file, finding.sheet, finding.cell) == ("a.xlsx", "指标", "D10")
    assert recorder.approx(_figure(Decimal(0), "count", "项"), 10).endswith("0项\ue002")
    assert len(recorder.findings) == 1


# ---------------------------------------------------------------- str, format, guard


def _figure(value: Decimal, kind: str, unit: str) -> Figure:
    source = CellSource("a.xlsx", "指标", "D10", Period.parse("2023H1"))
    return Figure("services", "服务", unit, kind, REPORT_PERIOD, value, sources=(source,))


def test_figures_and_sources_print_as_people_read_them() -> None:
    rate = _figure(Decimal("0.9843"), "ratio", "%")
    assert str(_figure(Decimal(508), "count", "人")) == "508人"
    assert str(rate) == f"{rate}" == "98.43%"
    assert f"{rate:.1f}" == "98.4%"
    assert _figure(Decimal(5), "count", "<家>").__html__() == "5&lt;家&gt;"
    assert str(rate.sources[0]) == "2023H1/a.xlsx 指标!D10"
    ledger = LedgerSource("b.xlsx", "台账", "D2:D40", 39, "合计")
    assert str(ledger) == "b.xlsx 台账!D2:D40（合计，39行）"


@given(
    value=st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False),
    kind=st.sampled_from(["amount", "count", "area", "length", "other", "ratio", "multiple"]),
)
def test_the_default_form_is_always_a_figure_with_its_unit(value: Decimal, kind: str) -> None:
    unit = {"ratio": "%", "multiple": "倍"}.get(kind, "万元")
    text = Recorder().show(_figure(value, kind, unit))
    shown = re.sub("\ue000\\d+\ue001|\ue002", "", text)
    assert re.fullmatch(r"\d+(\.\d+)?(万元|%|倍)", shown), shown
    assert internal_text(str(_figure(value, kind, unit))) is None


@pytest.mark.parametrize(
    "leak",
    [
        "Figure(code='x', name='y')",
        "<chengbei_report.render.template.FigureNamespace object at 0x7f3a2b>",
        "<PeriodKind.HALF: 'H'>",
        "CellSource(file='a.xlsx')",
    ],
)
def test_the_guard_refuses_outputs_holding_internal_text(tmp_path: Path, leak: str) -> None:
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph(f"就业{leak}人")
    document.save(buffer)
    with pytest.raises(OutputError, match=r"报告\.docx 中出现了程序内部的表示"):
        refuse_internal_text([(tmp_path / "报告.docx", buffer.getvalue())])
    refuse_internal_text([(tmp_path / "报告.docx", _clean_docx())])


def _clean_docx() -> bytes:
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("就业500人，就业率98.43%（第二）。")
    document.save(buffer)
    return buffer.getvalue()
