"""Templates are confined to their folders and bounded in time, memory and depth; so are formulas."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chengbei_report import cli
from chengbei_report.catalog import load_catalog
from chengbei_report.errors import CatalogError, TemplateError
from chengbei_report.formula import FormulaSyntaxError, parse_formula
from chengbei_report.render.sandbox import RenderLimits
from chengbei_report.render.template import render_text_template
from chengbei_report.workspace import bundled_path

SECRET = "绝密：工作区之外的文件"
INTRO = "现将工作总结汇报如下："


def _build(ws: Path, out: Path, *extra: str) -> tuple[int, str]:
    args = ["build", "-p", "2023H1", "-w", str(ws), "-o", str(out), *extra]
    result = CliRunner().invoke(cli.app, args)
    return result.exit_code, result.output


def _set_template(ws: Path, name: str) -> None:
    config = ws / "workspace.toml"
    text = config.read_text(encoding="utf-8")
    # the sample chooses its template by period kind; [report] template names one for all
    config.write_text(
        text.replace("[report]\n", f'[report]\ntemplate = "{name}"\n'), encoding="utf-8"
    )


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "pw.txt"
    path.parent.mkdir()
    path.write_text(SECRET, encoding="utf-8")
    return path


@pytest.fixture
def ws(workspace_copy: Path) -> Path:
    (workspace_copy / "templates").mkdir()
    return workspace_copy


def _with_include(folder: Path, include: str, name: str = "work_summary.md.j2") -> Path:
    """The bundled template with an include after its opening paragraph, saved in ``folder``."""
    text = (bundled_path("templates") / "work_summary.md.j2").read_text(encoding="utf-8")
    path = folder / name
    path.write_text(
        text.replace(INTRO, INTRO + "{% include '" + include + "' %}", 1), encoding="utf-8"
    )
    return path


# --- confinement ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["../../../../../../../../etc/passwd", "/etc/passwd", "../catalog.toml", "a\\\\b.md.j2"]
)
def test_template_named_in_workspace_toml_stays_in_the_template_folders(
    ws: Path, tmp_path: Path, name: str
) -> None:
    _set_template(ws, name)
    code, output = _build(ws, tmp_path / "out")
    assert code == 1, output
    assert "模板名" in output and "不允许" in output
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(os.name != "posix", reason="symlinks need privileges on Windows")
def test_a_symlinked_template_leading_out_is_refused(
    ws: Path, tmp_path: Path, secret: Path
) -> None:
    (ws / "templates" / "work_summary.md.j2").symlink_to(secret)
    code, output = _build(ws, tmp_path / "out")
    assert code == 1, output
    assert "模板目录" in output and str(secret) in output
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(os.name != "posix", reason="symlinks need privileges on Windows")
def test_an_include_through_a_symlink_leading_out_is_refused(
    ws: Path, tmp_path: Path, secret: Path
) -> None:
    (ws / "templates" / "pw.txt").symlink_to(secret)
    _with_include(ws / "templates", "pw.txt")
    code, output = _build(ws, tmp_path / "out")
    assert code == 1, output
    assert "pw.txt" in output and "模板目录" in output
    assert SECRET not in output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("include", ["../outside/pw.txt", "/etc/passwd"])
def test_a_command_line_template_may_live_anywhere_but_not_its_includes(
    ws: Path, tmp_path: Path, secret: Path, include: str
) -> None:
    template = _with_include(tmp_path, include, "mine.md.j2")
    code, output = _build(ws, tmp_path / "out", "--template", str(template))
    assert code == 1, output
    assert "mine.md.j2" in output and "不允许" in output


def test_an_include_beside_a_command_line_template_is_not_found(ws: Path, tmp_path: Path) -> None:
    (tmp_path / "beside.txt").write_text(SECRET, encoding="utf-8")
    template = _with_include(tmp_path, "beside.txt", "mine.md.j2")
    code, output = _build(ws, tmp_path / "out", "--template", str(template))
    assert code == 1, output
    assert "找不到被引用的模板“beside.txt”" in output


def test_includes_from_the_workspace_templates_work(ws: Path, tmp_path: Path) -> None:
    (ws / "templates" / "extra.md.j2").write_text("（本段来自工作区模板。）", encoding="utf-8")
    template = _with_include(tmp_path, "extra.md.j2", "mine.md.j2")
    code, output = _build(ws, tmp_path / "out", "--template", str(template))
    assert code == 0, output


# --- bounded rendering ---------------------------------------------------------------------------

BOUNDED = [
    ("{{ 10**(10**10) }}", "乘方"),
    ("{{ ('a'*10**9)|length }}", "重复"),
    ("{{ 'a'.ljust(10**9) }}", "参数"),
    ("{{ '%999999999s' % 1 }}", "格式化"),
    ("{{ (['a'*100]*5000)|join('x'*300) }}", "join"),
    (
        "{% set a = range(10000)|list %}{% set b = [a,a,a,a,a,a,a,a,a,a] %}"
        "{% set c = [b,b,b,b,b,b,b,b,b,b] %}{{ [c,c,c,c,c,c,c,c,c,c] }}",
        "输出",
    ),
    (
        "{% set a = range(10000)|list %}{% set b = [a,a,a,a,a,a,a,a,a,a] %}{{ [b,b,b]|string }}",
        "参数",
    ),
    ("{% for i in range(10**9) %}{% endfor %}", "参数"),
    ("{% for i in range(200000) %}{% endfor %}", "range"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "循环"),
    (
        "{% for i in range(100000) %}{% for j in range(1000) %}xxxxxxxxxxxxxxx{% endfor %}{% endfor %}",
        "输出",
    ),
    (
        "{% set ns = namespace(x='a'*1000) %}{% for i in range(40) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}",
        "字符串",
    ),
    ("{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}", "嵌套"),
    ("{{ " + "-" * 3000 + "1 }}", "嵌套"),
    ("{% if 1 %}" * 3000 + "{% endif %}" * 3000, "嵌套"),
    ("{{ " + "+".join(["1"] * 3000) + " }}", "嵌套过深"),
    ("{{ 1" + "|abs" * 3000 + " }}", "嵌套过深"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "嵌套超过 30 层"),
    ("{% include 't.md.j2' %}", "引用"),
    ("{{ 'x'.format(1) }}", "沙箱"),
    ("{{ lipsum(10**6) }}", "未定义"),
]


@pytest.mark.parametrize(("text", "named"), BOUNDED, ids=[f"case{n}" for n in range(len(BOUNDED))])
def test_every_bound_is_a_named_template_error(tmp_path: Path, text: str, named: str) -> None:
    path = tmp_path / "t.md.j2"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        render_text_template(path, {}, [tmp_path])
    assert named in caught.value.message
    assert "t.md.j2" in caught.value.message


def test_a_render_has_a_time_limit(tmp_path: Path) -> None:
    path = tmp_path / "t.md.j2"
    path.write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        encoding="utf-8",
    )
    limits = RenderLimits(seconds=0.3, max_iterations=10**12)
    with pytest.raises(TemplateError, match=r"超过 0\.3 秒.*max_render_seconds|超过 0\.3 秒"):
        render_text_template(path, {}, [tmp_path], limits)


def test_the_render_time_limit_comes_from_workspace_toml(ws: Path, tmp_path: Path) -> None:
    config = ws / "workspace.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + "\n[limits]\nmax_render_seconds = 1\n",
        encoding="utf-8",
    )
    template = tmp_path / "slow.md.j2"
    # few loop steps, each slow: only the clock can stop this
    template.write_text(
        "# 标题\n\n{% set big = range(20000)|list %}"
        "{% for i in range(100000) %}{{ big|sort|first }}{% endfor %}",
        encoding="utf-8",
    )
    code, output = _build(ws, tmp_path / "out", "--template", str(template))
    assert code == 1, output
    assert "模板运行超过 1 秒" in output and "max_render_seconds" in output


def test_ordinary_template_features_still_work(tmp_path: Path) -> None:
    path = tmp_path / "t.md.j2"
    path.write_text(
        "{% macro m(x) %}[{{ x }}]{% endmacro %}{% set items = ['甲', '乙'] %}"
        "{% for i in range(3) %}{{ m(i) }}{% endfor %}{{ items|join('、') }}{{ 2 ** 10 }}"
        "{{ '城北' ~ '街道' }}{% if unit.name.startswith('城') %}True{% endif %}"
        "{{ unit.items()|list|length }}",
        encoding="utf-8",
    )
    rendered = render_text_template(path, {"unit": {"name": "城北街道"}}, [tmp_path])
    assert rendered.blocks[0].text == "[0][1][2]甲、乙1024城北街道True1"


# --- catalog formulas ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "named"),
    [
        ("-" * 100000 + "1", "过长"),
        ("+".join(["econ_tax"] * 100000), "过长"),
        ("-" * 1000 + "1", "嵌套过深"),
        ("+".join(["1"] * 600), "嵌套过深"),
    ],
)
def test_formulas_are_bounded(formula: str, named: str) -> None:
    with pytest.raises(FormulaSyntaxError, match=named):
        parse_formula(formula)


def test_a_hostile_formula_in_the_catalog_is_a_catalog_error(ws: Path) -> None:
    catalog = ws / "catalog.toml"
    text = catalog.read_text(encoding="utf-8")
    old = 'formula = "multiple(econ_tax, econ_tax @ baseline)"'
    assert old in text
    catalog.write_text(text.replace(old, 'formula = "' + "-" * 100000 + '1"'), encoding="utf-8")
    with pytest.raises(CatalogError, match="过长") as caught:
        load_catalog(catalog)
    assert len(caught.value.message) < 300


def _chained(catalog: Path, length: int, *, reverse: bool) -> None:
    """Append derived indicators chain0 … chainN, each one more than the one before."""
    entries = [
        f'[[indicators]]\ncode = "chain{i}"\nname = "链{i}"\nunit = "家"\nkind = "count"\n'
        f'department = "economy"\nformula = "{"chain" + str(i - 1) if i else "econ_park_units"} + 1"\n'
        for i in range(length)
    ]
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(text + "\n" + "\n".join(reversed(entries) if reverse else entries), "utf-8")


@pytest.mark.parametrize(("length", "reverse"), [(3000, True), (3000, False), (41, False)])
def test_chains_of_derived_indicators_are_bounded(ws: Path, length: int, reverse: bool) -> None:
    """The engine computes a chain recursively: too deep a chain is a CatalogError, not a RecursionError."""
    _chained(ws / "catalog.toml", length, reverse=reverse)
    with pytest.raises(CatalogError, match="超过上限 40 层"):
        load_catalog(ws / "catalog.toml")


def test_a_chain_within_the_bound_is_computed(ws: Path, tmp_path: Path) -> None:
    _chained(ws / "catalog.toml", 40, reverse=True)
    template = tmp_path / "chain.md.j2"
    template.write_text("# 标题\n\n{{ cur.chain39 | num }}\n", encoding="utf-8")
    code, output = _build(ws, tmp_path / "out", "--template", str(template))
    assert code == 0, output
