"""Period-aware templates: the annual summary, a second half-year, and how a template is chosen."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from chengbei_report.cli import app
from chengbei_report.commands.build import BuildResult, build_report
from chengbei_report.errors import UsageError, WorkspaceError
from chengbei_report.periods import Period
from chengbei_report.workspace import open_workspace

YEAR = Period.parse("2023")
SECOND_HALF = Period.parse("2023H2")
runner = CliRunner()


def _paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs if p.text.strip()]


@pytest.fixture(scope="session")
def built_year(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    result = build_report(YEAR, out_dir=tmp_path_factory.mktemp("built-2023"))
    assert result.ok, result.findings.to_dict()
    return result


@pytest.fixture(scope="session")
def second_half_workspace(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    """The sample with a 2023H2 folder: the 2023H1 workbooks relabelled 2023H2 (cheap, valid)."""
    root = tmp_path_factory.mktemp("ws-2023H2") / "workspace"
    shutil.copytree(sample_dir, root)
    folder = root / "submissions" / "2023H2"
    folder.mkdir()
    for source in (root / "submissions" / "2023H1").glob("*.xlsx"):
        book = openpyxl.load_workbook(source)
        book["指标"]["B4"] = "2023H2"
        book.save(folder / source.name.replace("2023H1", "2023H2"))
    return root


@pytest.fixture(scope="session")
def built_second_half(
    tmp_path_factory: pytest.TempPathFactory, second_half_workspace: Path
) -> BuildResult:
    out = tmp_path_factory.mktemp("built-2023H2")
    result = build_report(SECOND_HALF, workspace_dir=second_half_workspace, out_dir=out)
    assert result.ok, result.findings.to_dict()
    return result


# ---------------------------------------------------------------- the annual summary


def test_the_annual_summary_is_named_for_the_year_and_ends_with_next_years_plans(
    built_year: BuildResult,
) -> None:
    assert built_year.document.name == "城北街道2023年工作总结.docx"
    paragraphs = _paragraphs(built_year.document)
    assert paragraphs[0] == "城北街道2023年工作总结"
    headings = [p for p in paragraphs if p[:2] in ("一、", "二、", "三、")]
    assert headings == [
        "一、“八八战略”实施以来亮点工作",
        "二、全年重点工作完成情况",
        "三、2024年工作思路",
    ]
    assert paragraphs[-1] == "城北街道办事处"


def test_the_annual_summary_quotes_the_2023_figures(built_year: BuildResult) -> None:
    text = "".join(_paragraphs(built_year.document))
    for quoted in (
        "2023年区级税收13389.6万元，增速全区第二，较改革前增长83倍",
        "截至2023年末，在册市场主体5034户，比2002年净增4883户",
        "截至12月，园区入驻单位58家",
        "一年来，成功化解76起劳动纠纷案件，涉及金额73.90万元",
        "已有8个社区党群服务中心提档完成验收，数量位全区第一",
        "全年共排查各类企业、场所、商户等4650家",
        "全年共处理8890电话信访件1187件",
    ):
        assert quoted in text
    assert "上半年" not in text and "下半年" not in text and "半年来" not in text


def test_every_figure_of_the_annual_summary_comes_from_2023_data(built_year: BuildResult) -> None:
    assert built_year.figures > 70
    for use in built_year.uses:
        assert use.figure.period == YEAR, use.figure.code
        periods = {source.period for source in use.figure.leaf_sources()}
        assert periods <= {YEAR, Period.parse("2022"), Period.parse("2002")}, use.figure.code


# ---------------------------------------------------------------- the second half-year


def test_a_second_half_year_says_second_half_things(built_second_half: BuildResult) -> None:
    paragraphs = _paragraphs(built_second_half.document)
    text = "".join(paragraphs)
    assert paragraphs[0] == "城北街道2023年下半年工作总结"
    assert "二、下半年重点工作完成情况" in paragraphs
    assert "三、2024年工作思路" in paragraphs
    assert "下半年以来，成功化解39起劳动纠纷案件" in text
    assert "半年来，街道特色亮点工作" in text
    assert "截至12月，书香世家小区" in text
    assert "已按期完工" in text and "今年8月底" not in text
    assert "今年来" not in text and "上半年" not in text and "下半年工作思路" not in text


# ---------------------------------------------------------------- choosing the template


def _with_config(workspace: Path, extra: str) -> Path:
    config = workspace / "workspace.toml"
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return workspace


def test_the_template_follows_the_period_kind_unless_the_workspace_says_otherwise(
    workspace_copy: Path,
) -> None:
    workspace = open_workspace(workspace_copy)
    assert workspace.template_for(YEAR).name == "work_summary_year.md.j2"
    assert workspace.template_for(SECOND_HALF).name == "work_summary.md.j2"
    assert workspace.template_for(Period.parse("2023Q2")).name == "work_summary.md.j2"
    (workspace_copy / "templates").mkdir()
    (workspace_copy / "templates" / "mine.md.j2").write_text("# 年度\n", encoding="utf-8")
    chosen = open_workspace(
        _with_config(workspace_copy, '\n[report.templates]\nY = "mine.md.j2"\n')
    )
    assert chosen.template_for(YEAR) == workspace_copy / "templates" / "mine.md.j2"
    assert chosen.template_for(SECOND_HALF).name == "work_summary.md.j2"


def test_one_template_for_every_period(workspace_copy: Path) -> None:
    config = workspace_copy / "workspace.toml"
    text = config.read_text(encoding="utf-8").replace(
        "[report]\n", '[report]\ntemplate = "work_summary.md.j2"\n'
    )
    config.write_text(text, encoding="utf-8")
    assert open_workspace(workspace_copy).template_for(YEAR).name == "work_summary.md.j2"


@pytest.mark.parametrize("table", ['Z = "a.md.j2"', "Y = 3"])
def test_a_wrong_templates_table_is_named(workspace_copy: Path, table: str) -> None:
    _with_config(workspace_copy, f"\n[report.templates]\n{table}\n")
    with pytest.raises(WorkspaceError, match=r"\[report.templates\].*键只能是 Y、H、Q、M"):
        open_workspace(workspace_copy)


def test_a_bare_template_name_is_looked_up_in_the_workspace_first(
    workspace_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workspace_copy / "templates").mkdir()
    own = workspace_copy / "templates" / "work_summary.md.j2"
    own.write_text("# 自己的\n", encoding="utf-8")
    workspace = open_workspace(workspace_copy)
    assert workspace.template_for(YEAR, Path("work_summary.md.j2")) == own
    assert workspace.template_for(YEAR, Path("work_summary_year.md.j2")).parent.name == "templates"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "here.md.j2").write_text("# 这里\n", encoding="utf-8")
    assert workspace.template_for(YEAR, Path("here.md.j2")) == Path("here.md.j2")
    with pytest.raises(UsageError, match=r"找不到模板“nowhere\.docx”：已查找"):
        workspace.template_for(YEAR, Path("nowhere.docx"))
    with pytest.raises(UsageError, match=r"找不到模板文件：sub/none\.md\.j2"):
        workspace.template_for(YEAR, Path("sub/none.md.j2"))


@pytest.mark.parametrize("name", ["name.docx", "name.md.j2"])
def test_build_with_an_unknown_bare_template_is_a_usage_error(name: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", "-p", "2023H1", "-o", str(tmp_path), "--template", name])
    assert result.exit_code == 2, result.output
    assert f"找不到模板“{name}”" in result.output
    assert "None" not in result.output and "内部错误" not in result.output
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("坏.docx", b"not a docx", "模板 坏.docx 不是有效的 Word 文档"),
        ("坏.md.j2", b"\xff\xfe\x00bad", "模板文件不是 UTF-8 编码的文本"),
    ],
)
def test_a_template_that_is_no_template_is_a_named_error(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    (tmp_path / name).write_bytes(content)
    result = runner.invoke(
        app, ["build", "-p", "2023H1", "-o", str(tmp_path / "o"), "-t", str(tmp_path / name)]
    )
    assert result.exit_code == 1, result.output
    assert message in result.output and "内部错误" not in result.output
