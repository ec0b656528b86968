"""The cycle end to end on the sample: build → draft → edit as in Word → bind → build again.

The draft and bound files are made once per session; each test edits its own copy.
"""

from __future__ import annotations

import copy
import functools
import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import REPORT_PERIOD
from docx.oxml.ns import qn
from typer.testing import CliRunner

from chengbei_report.cli import app
from chengbei_report.commands.bind import bind_report
from chengbei_report.commands.build import BuildResult, build_report
from chengbei_report.commands.check import check_report
from chengbei_report.commands.draft import draft_report
from chengbei_report.compute.figures import CellSource
from chengbei_report.cycle import docx_text
from chengbei_report.cycle.bind import How
from chengbei_report.cycle.document import bindings_of
from chengbei_report.cycle.draft import DraftResult
from chengbei_report.cycle.match import Matcher
from chengbei_report.cycle.refresh import Outcome
from chengbei_report.errors import UsageError
from chengbei_report.periods import Period
from chengbei_report.project import open_project
from chengbei_report.read.numbers_text import find_figures
from chengbei_report.render.layout import HEADING1_FONT
from chengbei_report.render.pdf import find_soffice
from chengbei_report.render.template import _MARK, Recorder
from chengbei_report.render.text import check_text, draft_text

NEXT = Period.parse("2024H1")
RANK = "party_centers_rank"  # the district rank that changes between 2023H1 and 2024H1
GONE = "urban_cleared_land"  # reported up to 2023 (until = "2023"), no longer in 2024H1
TYPED = "econ_night_visitors"  # shown as 3000多人 by the template; a person types it exactly
runner = CliRunner()
needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice 未安装")


def _text(call: Callable[..., str], *args: object) -> str:
    return _MARK.sub(lambda m: m.group(2), call(*args))


def typed_text(workspace: Path | None = None) -> str:
    """The exact figure of ``TYPED`` in NEXT, as ``num`` writes it: what the person types."""
    if workspace is None:
        return _sample_typed_text()
    return _text(Recorder().num, open_project(workspace).engine.figure(TYPED, NEXT))


@functools.cache
def _sample_typed_text() -> str:
    return _text(Recorder().num, open_project(None).engine.figure(TYPED, NEXT))


@pytest.fixture(scope="session")
def drafted(tmp_path_factory: pytest.TempPathFactory, built_sample: BuildResult) -> DraftResult:
    out = tmp_path_factory.mktemp("draft")
    return draft_report(NEXT, source=built_sample.document, out_dir=out)


def _paragraph(document: docx.document.Document, start: str) -> docx.text.paragraph.Paragraph:
    return next(p for p in document.paragraphs if p.text.strip().startswith(start))


def _bookmark_runs(paragraph: docx.text.paragraph.Paragraph, code: str, path: Path) -> list:
    """The runs of the bookmark whose binding shows ``code``."""
    bindings = bindings_of(docx.Document(str(path)))
    names = {n for n, b in bindings.bindings.items() if b.code == code}
    inside, runs = False, []
    for child in paragraph._p:
        if child.tag == qn("w:bookmarkStart") and child.get(qn("w:name")) in names:
            inside = True
        elif child.tag == qn("w:bookmarkEnd") and inside:
            break
        elif inside and child.tag == qn("w:r") and child.find(qn("w:t")) is not None:
            runs.append(child)
    return runs


def edit_like_a_person(source: Path, target: Path) -> None:
    """What an editor does in Word: delete, reword, type a new figure, split a run."""
    document = docx.Document(str(source))
    doomed = _paragraph(document, "三是激活“红色细胞”")
    doomed._p.getparent().remove(doomed._p)
    # cut a paragraph with bound figures and paste it further down
    moved = _paragraph(document, "二是市场主体量质提升")
    _paragraph(document, "四是精准帮扶就业")._p.addnext(moved._p)
    # reword the sentence around the bound 就业帮扶率 (text before and after the bookmark)
    paragraph = _paragraph(document, "四是精准帮扶就业")
    for run in paragraph.runs:
        run.text = run.text.replace("，就业帮扶率", "，全街道就业帮扶率达到").replace(
            "，失业人员就业帮扶", "。失业人员就业帮扶"
        )
    # split the run of 区级税收 in the middle of the figure, as Word does after a format change
    tax = _paragraph(document, "一是经济指标持续增长")
    run = max(_bookmark_runs(tax, "econ_tax", source), key=lambda r: len(r.find(qn("w:t")).text))
    second = copy.deepcopy(run)
    run.addnext(second)
    text = run.find(qn("w:t")).text
    half = len(text) // 2
    run.find(qn("w:t")).text, second.find(qn("w:t")).text = text[:half], text[half:]
    # the sentence whose figure has no data any more is deleted
    renewal = _paragraph(document, "二是持续推进城市更新")
    for run in _bookmark_runs(renewal, GONE, source):
        run.find(qn("w:t")).text = ""
    for run in renewal.runs:
        run.text = run.text.replace("按期完成书香名邸以南", "").replace(
            "地块净地工作并通过市级验收。", ""
        )
    # a new sentence with a number typed by hand that equals a figure of NEXT
    night = _paragraph(document, "三是盘活闲置资源")
    added = night.insert_paragraph_before(f"据统计，夜吉市日均客流量达{typed_text()}。")
    added.style = night.style
    document.save(str(target))


@pytest.fixture(scope="session")
def bound(tmp_path_factory: pytest.TempPathFactory, drafted: DraftResult) -> Path:
    folder = tmp_path_factory.mktemp("bound")
    edited = folder / "城北街道2024年上半年工作总结_初稿.docx"
    edit_like_a_person(drafted.document, edited)
    bind_report(edited, NEXT)
    return folder / "城北街道2024年上半年工作总结_绑定.docx"


# --- draft ----------------------------------------------------------------------------------


def test_draft_refreshes_every_bound_figure_and_counts_what_changed(drafted: DraftResult) -> None:
    assert drafted.document.name == "城北街道2024年上半年工作总结_初稿.docx"
    counts = drafted.to_dict()
    assert counts["refreshed"] + counts["missing"] == 80
    assert counts["changed"] > 40 and counts["missing"] >= 1 and counts["overwritten"] == 0
    assert counts["to_confirm"] >= 10
    document = docx.Document(str(drafted.document))
    assert document.paragraphs[0].text == "城北街道2024年上半年工作总结"
    assert bindings_of(document).period == NEXT


def test_draft_marks_the_changed_rank_with_a_comment(drafted: DraftResult) -> None:
    [rank] = [f for f in drafted.figures if f.binding.code == RANK]
    assert rank.outcome is Outcome.CHANGED and rank.old_text != rank.new_text
    notes = [c.text for c in docx.Document(str(drafted.document)).comments]
    assert f"上期 {rank.old_text} → 本期 {rank.new_text}（党群服务中心提档验收数全区排名）" in notes


def test_a_figure_without_data_is_a_highlighted_placeholder_never_the_old_value(
    drafted: DraftResult,
) -> None:
    [gone] = [f for f in drafted.figures if f.binding.code == GONE]
    assert gone.outcome is Outcome.MISSING
    assert gone.new_text == "【缺：书香名邸以南地块净地面积】"
    document = docx.Document(str(drafted.document))
    paragraph = _paragraph(document, "二是持续推进城市更新")
    assert gone.new_text in paragraph.text and gone.old_text + "，" not in paragraph.text
    marked = [r for r in paragraph.runs if r.text == gone.new_text]
    assert marked and marked[0]._r.find(f"{qn('w:rPr')}/{qn('w:highlight')}") is not None


def test_numbers_and_time_words_without_data_are_marked_to_confirm(drafted: DraftResult) -> None:
    confirm = {item["text"] for item in drafted.to_confirm}
    assert {"4月份起", "今年8月底", "8890", "下半年"} <= confirm
    notes = [c.text for c in docx.Document(str(drafted.document)).comments]
    assert any(n.startswith("待确认（时间）：“今年8月底”") for n in notes)


def test_draft_keeps_every_paragraph_of_an_edited_source(tmp_path: Path, bound: Path) -> None:
    """Drafting from an edited, bound file keeps the person's wording and added paragraph."""
    result = draft_report(NEXT, source=bound, out_dir=tmp_path)
    before = [p.text for p in docx.Document(str(bound)).paragraphs if p.text.strip()]
    after = [p.text for p in docx.Document(str(result.document)).paragraphs if p.text.strip()]
    assert len(before) == len(after)
    assert any("全街道就业帮扶率达到" in p for p in after)


def test_text_typed_inside_a_bookmark_stays_and_the_figure_is_refreshed(
    tmp_path: Path, built_sample: BuildResult
) -> None:
    source = tmp_path / "改过.docx"
    document = docx.Document(str(built_sample.document))
    paragraph = _paragraph(document, "三是盘活闲置资源")
    runs = _bookmark_runs(paragraph, "econ_park_revenue", built_sample.document)
    runs[0].find(qn("w:t")).text = "约" + runs[0].find(qn("w:t")).text
    runs[-1].find(qn("w:t")).text += "以上"
    document.save(str(source))
    result = draft_report(NEXT, source=source, out_dir=tmp_path / "out")
    [revenue] = [f for f in result.figures if f.binding.code == "econ_park_revenue"]
    text = _paragraph(docx.Document(str(result.document)), "三是盘活闲置资源").text
    assert revenue.outcome is not Outcome.OVERWRITTEN and f"约{revenue.new_text}以上" in text


def test_draft_finds_the_last_report_of_the_same_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built_sample: BuildResult
) -> None:
    folder = tmp_path / "out" / "2023H1"
    folder.mkdir(parents=True)
    shutil.copy(built_sample.document, folder)
    monkeypatch.chdir(tmp_path)
    result = draft_report(NEXT)
    assert result.source == (folder / built_sample.document.name).resolve()
    assert result.document == tmp_path / "out" / "2024H1" / "城北街道2024年上半年工作总结_初稿.docx"


def test_draft_without_an_earlier_report_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="找不到比2024年上半年更早的同类工作总结"):
        draft_report(NEXT)


def test_cli_draft_prints_the_summary_and_json_equals_the_api(
    tmp_path: Path, built_sample: BuildResult, drafted: DraftResult
) -> None:
    args = ["draft", "--period", "2024H1", "--from", str(built_sample.document)]
    shown = runner.invoke(app, [*args, "--out", str(tmp_path / "a")])
    assert shown.exit_code == 0, shown.output
    c = drafted.to_dict()
    assert (
        f"刷新数字 {c['refreshed']} 个，其中数值变化 {c['changed']} 个；"
        f"无数据 {c['missing']} 个（已写成【缺：…】）；待人工确认 {c['to_confirm']} 处。"
    ) in shown.output
    data = runner.invoke(app, [*args, "--out", str(tmp_path / "b"), "--format", "json"])
    expected = drafted.to_dict() | {"document": str(tmp_path / "b" / drafted.document.name)}
    assert json.loads(data.stdout) == expected


# --- bind -----------------------------------------------------------------------------------


def test_bind_binds_the_typed_number_and_keeps_the_bound_ones(bound: Path) -> None:
    result = check_report(bound, NEXT)
    typed = [i for i in result.items if i.text == typed_text() and i.indicator == TYPED]
    assert typed and all(i.status.value == "一致" for i in typed)
    tax = [i for i in result.items if i.indicator == "econ_tax"]
    assert tax and tax[0].status.value == "一致"  # the split run did not unbind it


def test_bind_table_lists_kept_new_and_unmatched(tmp_path: Path, drafted: DraftResult) -> None:
    edited = tmp_path / "稿.docx"
    edit_like_a_person(drafted.document, edited)
    result = bind_report(edited, NEXT, out=tmp_path / "绑定.docx")
    [new] = [r for r in result.rows if r.text == typed_text()]
    assert (new.how, new.indicator, new.indicator_name) == (How.UNIQUE, TYPED, "夜吉市日均客流量")
    counts = result.counts
    assert counts["bound"] == 1 and counts["kept"] >= 70
    assert "8890" in {r.text for r in result.rows if r.how == How.UNMATCHED}
    assert counts["ambiguous"] == len([r for r in result.rows if r.how == How.AMBIGUOUS])


def test_a_comment_naming_the_indicator_settles_a_number(
    tmp_path: Path, drafted: DraftResult
) -> None:
    """A person writes 指标：… on a number in Word; bind binds it to that indicator."""
    document = docx.Document(str(drafted.document))
    paragraph = _paragraph(document, "三是盘活闲置资源")
    value = _text(Recorder().num, open_project(None).engine.figure("econ_night_merchants", NEXT))
    run = paragraph.add_run(f"夜市商户{value}。")
    document.add_comment(run, text="指标：夜吉市已招商户数", author="张某")
    document.add_comment(paragraph.add_run("另有8890热线。"), text="指标：无", author="张某")
    path = tmp_path / "批注.docx"
    document.save(str(path))
    result = bind_report(path, NEXT, out=tmp_path / "绑定.docx")
    [named] = [r for r in result.rows if r.how == How.NAMED]
    assert named.indicator == "econ_night_merchants"
    assert [r.text for r in result.rows if r.how == How.LITERAL] == ["8890"]


def test_bind_refuses_a_document_of_another_period(tmp_path: Path, drafted: DraftResult) -> None:
    with pytest.raises(UsageError, match="中的数字是2024年上半年的"):
        bind_report(drafted.document, REPORT_PERIOD, out=tmp_path / "x.docx")


def test_cli_bind_json_equals_the_api(tmp_path: Path, drafted: DraftResult) -> None:
    shown = runner.invoke(
        app, ["bind", str(drafted.document), "-p", "2024H1", "-o", str(tmp_path / "a.docx")]
    )
    assert shown.exit_code == 0 and "原有绑定" in shown.output
    data = runner.invoke(
        app,
        [
            "bind",
            str(drafted.document),
            "-p",
            "2024H1",
            "-o",
            str(tmp_path / "b.docx"),
            "-f",
            "json",
        ],
    )
    api = bind_report(drafted.document, NEXT, out=tmp_path / "b.docx")
    assert json.loads(data.stdout) == api.to_dict()


# --- build from the bound file --------------------------------------------------------------


def _change_source_cell(workspace: Path, code: str, period: Period, delta: int) -> CellSource:
    figure = open_project(workspace).engine.figure(code, period)
    [source] = figure.leaf_sources()
    assert isinstance(source, CellSource)
    path = workspace / "submissions" / period.code / source.file
    book = openpyxl.load_workbook(path)
    book[source.sheet][source.cell].value = int(figure.value) + delta
    book.save(path)
    return source


def build_cycle(bound_file: Path, workspace: Path, out: Path) -> None:
    """Change the typed figure's cell; the bound build shows the new value where it occurs."""
    old = typed_text(workspace)
    source = _change_source_cell(workspace, TYPED, NEXT, 1000)
    new = typed_text(workspace)
    result = build_report(NEXT, workspace_dir=workspace, out_dir=out, template=bound_file)
    assert result.ok, result.findings.to_dict()
    text = "\n".join(p.text for p in docx.Document(str(result.document)).paragraphs)
    assert f"夜吉市日均客流量达{new}。" in text and old not in text
    sheet = openpyxl.load_workbook(result.workpaper)["底稿"]
    header = [c.value for c in sheet[1]]
    rows = [
        dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)
    ]
    typed_rows = [r for r in rows if r["文中写法"] == new]
    assert typed_rows and all(r["指标编码"] == TYPED for r in typed_rows)
    assert f"{source.file} {source.sheet}!{source.cell}" in typed_rows[0]["数据来源"]
    approx = [r for r in rows if r["指标编码"] == TYPED and r["文中写法"] != new]
    assert approx, "the template's 3000多人 is refreshed from the same cell"
    assert check_report(result.document, NEXT, workspace_dir=workspace).ok
    with zipfile.ZipFile(result.document) as package:  # LibreOffice's rels must not double parts
        names = package.namelist()
    assert len(names) == len(set(names))
    paragraphs = [p.text for p in docx.Document(str(result.document)).paragraphs]
    moved = next(i for i, p in enumerate(paragraphs) if p.startswith("二是市场主体量质提升"))
    assert paragraphs[moved - 1].startswith("四是精准帮扶就业")


def test_build_from_the_bound_file_shows_the_changed_cell_everywhere(
    tmp_path: Path, workspace_copy: Path, bound: Path
) -> None:
    build_cycle(bound, workspace_copy, tmp_path / "out")


def test_build_from_a_bound_file_is_byte_identical(tmp_path: Path, bound: Path) -> None:
    first = build_report(NEXT, out_dir=tmp_path / "a", template=bound)
    second = build_report(NEXT, out_dir=tmp_path / "b", template=bound)
    assert first.document.read_bytes() == second.document.read_bytes()
    notes = docx.Document(str(first.document)).comments
    assert not [c for c in notes if c.author == docx_text.AUTHOR]


def _overwrite(source: Path, target: Path, code: str, text: str) -> None:
    document = docx.Document(str(source))
    for paragraph in document.paragraphs:
        runs = _bookmark_runs(paragraph, code, source)
        if runs:
            runs[0].find(qn("w:t")).text = text
            for run in runs[1:]:
                run.getparent().remove(run)
            break
    document.save(str(target))


def test_a_bound_figure_overwritten_by_hand_is_reported_not_replaced(
    tmp_path: Path, bound: Path
) -> None:
    edited = tmp_path / "改写.docx"
    _overwrite(bound, edited, "social_reemployment_rate", "99.99%")
    [item] = [i for i in check_report(edited, NEXT).mismatches]
    assert item.indicator == "social_reemployment_rate" and "被手工改写" in item.message
    result = build_report(NEXT, out_dir=tmp_path / "out", template=edited)
    assert not result.ok and result.document is None
    [finding] = result.findings.errors
    assert finding.code == "CYCLE_FIGURE_OVERWRITTEN" and "99.99%" in finding.message


def test_check_names_the_indicator_a_typed_number_matches(
    tmp_path: Path, drafted: DraftResult
) -> None:
    edited = tmp_path / "稿.docx"
    edit_like_a_person(drafted.document, edited)
    result = check_report(edited, NEXT)
    [typed] = [i for i in result.unsourced if i.text == typed_text()]
    assert typed.candidate == "夜吉市日均客流量（econ_night_visitors）"
    assert "可用 bind 绑定" in check_text(result)


# --- LibreOffice round trips ----------------------------------------------------------------


def _round_trip(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [find_soffice(), "--headless", "--convert-to", "docx", "--outdir", str(folder), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return folder / path.name


@pytest.fixture(scope="session")
def round_tripped(tmp_path_factory: pytest.TempPathFactory, drafted: DraftResult) -> Path:
    """The draft edited, through LibreOffice, bound, and the bound file through LibreOffice."""
    folder = tmp_path_factory.mktemp("lo")
    draft = _round_trip(drafted.document, folder / "draft")
    edited = folder / "城北街道2024年上半年工作总结_初稿.docx"
    edit_like_a_person(draft, edited)
    result = bind_report(edited, NEXT)
    assert [r.how for r in result.rows if r.text == typed_text()] == [How.UNIQUE]
    return _round_trip(result.document, folder / "bound")


@pytest.mark.slow
@needs_soffice
def test_bindings_survive_a_libreoffice_round_trip(round_tripped: Path) -> None:
    result = check_report(round_tripped, NEXT)
    assert result.ok, check_text(result)
    assert [i.indicator for i in result.items if i.text == typed_text()] == [TYPED]


@pytest.mark.slow
@needs_soffice
def test_the_cycle_after_libreoffice_builds_the_changed_cell(
    tmp_path: Path, workspace_copy: Path, round_tripped: Path
) -> None:
    build_cycle(round_tripped, workspace_copy, tmp_path / "out")


def test_equal_values_are_told_apart_by_the_words_before_them() -> None:
    project = open_project(None)
    matcher = Matcher(project.engine.figure, list(project.catalog.indicators), NEXT)
    named = "初信一次性化解率100%"
    found = matcher.match(find_figures(named)[0], named)
    assert (found.how, found.chosen.figure.code) == ("上下文", "safety_first_letter_rate")
    bare = "另有100%"
    found = matcher.match(find_figures(bare)[0], bare)
    assert found.chosen is None and len(found.candidates) >= 3
    assert "就业帮扶率（social_assist_rate）" in {c.label for c in found.candidates}


def test_a_figure_typed_over_in_word_without_its_bookmark_is_still_reported(
    tmp_path: Path, bound: Path
) -> None:
    """Word deletes a bookmark whose whole text is typed over; the words around find it."""
    edited = tmp_path / "改写.docx"
    _overwrite(bound, edited, "social_reemployment_rate", "99.99%")
    document = docx.Document(str(edited))
    names = {
        n for n, b in bindings_of(document).bindings.items() if b.code == "social_reemployment_rate"
    }
    body = document.element.body
    starts = [e for e in body.iter(qn("w:bookmarkStart")) if e.get(qn("w:name")) in names]
    ids = {e.get(qn("w:id")) for e in starts}
    for element in [
        *starts,
        *(e for e in body.iter(qn("w:bookmarkEnd")) if e.get(qn("w:id")) in ids),
    ]:
        element.getparent().remove(element)
    document.save(str(edited))
    [item] = check_report(edited, NEXT).mismatches
    assert item.indicator == "social_reemployment_rate" and item.text == "99.99%"


def test_a_draft_never_overwrites_its_source(tmp_path: Path, drafted: DraftResult) -> None:
    source = Path(shutil.copy(drafted.document, tmp_path))
    before = source.read_bytes()
    with pytest.raises(UsageError, match="输入文件"):
        draft_report(NEXT, source=source, out_dir=tmp_path)
    assert source.read_bytes() == before


def test_draft_text_lists_a_figure_overwritten_by_hand(tmp_path: Path, bound: Path) -> None:
    """The summary names each figure a person must look at; an overwritten one by its name."""
    edited = tmp_path / "改写.docx"
    _overwrite(bound, edited, "social_reemployment_rate", "99.99%")
    result = draft_report(NEXT, source=edited, out_dir=tmp_path / "out")
    [figure] = [f for f in result.flagged if not f.missing]
    text = draft_text(result)
    assert result.overwritten == 1 and figure.binding.code == "social_reemployment_rate"
    assert f"  [被改写] 第{figure.paragraph}段 {figure.name}：{figure.reason}\n" in text
    assert "被手工改写的绑定数字 1 个，未替换，已加批注。\n" in text
    assert text.endswith("修改后运行 chengbei-report bind。\n")


@pytest.mark.slow
@needs_soffice
@pytest.mark.filterwarnings("error")
def test_the_official_layout_finds_libreoffice_styles_by_name(
    tmp_path: Path, round_tripped: Path
) -> None:
    """LibreOffice spells built-in names as shown (``Heading 1``, Word ``heading 1``): no lookup
    by style id (python-docx warns), and no second ``Heading1`` added beside the first."""
    result = draft_report(NEXT, source=round_tripped, out_dir=tmp_path)
    styles = list(docx.Document(str(result.document)).styles)
    ids = [style.style_id for style in styles]
    assert len(ids) == len(set(ids))
    heading = next(s for s in styles if s.style_id == "Heading1")
    assert heading.font.name == HEADING1_FONT
