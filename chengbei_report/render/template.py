"""Fill a Jinja text template with figures and cut the result into document blocks.

Every figure filter marks its output with private-use sentinels, so after rendering we know
exactly which figure produced which characters of which paragraph: that is what the working
paper and ``check`` are built on. A figure written without a filter shows in its kind's default
form; anything else that is not text (a namespace, a dict, ``None``, a figure's bare ``.value``)
cannot reach the document. Templates run in Jinja's sandbox with undefined variables as errors,
and every template error names the template file and line.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError

from chengbei_report.codes import TEXT_APPROX_TOO_SMALL
from chengbei_report.compute.figures import Figure, FigureUse
from chengbei_report.errors import ReportError, TemplateError
from chengbei_report.findings import Finding
from chengbei_report.periods import Period
from chengbei_report.render import numbers
from chengbei_report.render.blocks import Block, BlockKind, Sections
from chengbei_report.render.sandbox import MAIN, BoundedEnvironment, ConfinedLoader, RenderLimits

OPEN, MID, CLOSE = "\ue000", "\ue001", "\ue002"
_MARK = re.compile(f"{OPEN}(y?\\d+){MID}(.*?){CLOSE}", re.S)
BOOKMARK_PREFIX = "cbf_"  # bookmark names of figures in the document: cbf_0001, cbf_0002 …
LABEL_PREFIX = "cby_"  # bookmark names of period years written by the ``year`` filter
_PREFIXES = (("### ", BlockKind.HEADING2), ("## ", BlockKind.HEADING1), ("# ", BlockKind.TITLE))
_PREFIXES += ((">> ", BlockKind.SIGNATURE),)


class FigureNamespace:
    """``cur.econ_tax`` in a template: figures of one period, computed on first use."""

    def __init__(
        self,
        lookup: Callable[[str, Period], Figure],
        codes: set[str],
        period: Period,
        due: Callable[[str, Period], bool] | None = None,
    ) -> None:
        self.period = period
        self._lookup = lookup
        self._codes = codes
        self._due = due

    def __contains__(self, code: object) -> bool:
        """``{% if "urban_cleared_land" in cur %}``: the indicator exists in this period
        (catalog ``frequency``, ``since``, ``until``)."""
        if not isinstance(code, str) or code not in self._codes:
            return False
        return self._due is None or self._due(code, self.period)

    def __getattr__(self, code: str) -> Figure:
        if code.startswith("_") or code not in self._codes:
            raise AttributeError(code)
        return self._lookup(code, self.period)

    def __getitem__(self, code: str) -> Figure:
        try:
            return self.__getattr__(code)
        except AttributeError as exc:
            raise KeyError(code) from exc


@dataclass
class RenderedDocument:
    """Blocks for our GB/T 9704 writer, or (from a Word template) the finished .docx bytes."""

    blocks: list[Block]
    uses: list[FigureUse] = field(default_factory=list)
    docx: bytes | None = None
    labels: dict[str, Period] = field(default_factory=dict)  # bookmark → period of a year label
    findings: list[Finding] = field(default_factory=list)  # warnings of the figure filters


_COUNTABLE = {"amount", "count", "area", "length", "other"}
_FILTER_FOR_KIND = (
    ("num", _COUNTABLE),
    ("pct", {"ratio"}),
    ("times", {"multiple"}),
    ("rank", {"rank"}),
)


class Recorder:
    """The figure filters; each call is remembered in document order."""

    def __init__(self) -> None:
        self.uses: list[FigureUse] = []
        self.labels: list[Period] = []
        self.findings: list[Finding] = []

    def mark(self, figure: Figure, text: str, how: str, args: tuple[Any, ...] = ()) -> str:
        """Remember the use, with the filter call that made it so a draft can redo it."""
        self.uses.append(FigureUse(figure=figure, text=text, call=(how, *args)))
        return f"{OPEN}{len(self.uses) - 1}{MID}{text}{CLOSE}"

    def filters(self) -> dict[str, Callable[..., str]]:
        return {
            "num": self.num,
            "pct": self.pct,
            "times": self.times,
            "approx": self.approx,
            "rank": self.rank,
            "year": self.year,
        }

    def year(self, value: Any) -> str:
        """``2022年``; a period's year is marked so that a draft can move it with the period."""
        text = year_filter(value)
        if isinstance(value, FigureNamespace):
            value = value.period
        if not isinstance(value, Period):
            return text
        self.labels.append(value)
        return f"{OPEN}y{len(self.labels) - 1}{MID}{text}{CLOSE}"

    def finalize(self, value: Any) -> Any:
        """What ``{{ … }}`` writes: text and whole numbers as they are, a figure in its kind's
        default form, a period as its label; anything else would print a program's view of
        an object, so it is a template error."""
        if isinstance(value, Figure):
            return self.show(value)
        if isinstance(value, Period):
            return value.full_label
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        str(value)  # an Undefined raises here with the variable's name
        raise TypeError(f"模板不能直接写出{describe_value(value)}。{_WRITE_HINT}")

    def show(self, figure: Figure) -> str:
        """The default form of a figure's kind: 54家, 98.43%, 77倍, 第二."""
        if figure.kind == "ratio":
            return self.pct(figure)
        if figure.kind == "multiple":
            return self.times(figure)
        if figure.kind == "rank":
            return self.rank(figure)
        return self.num(figure)

    def num(self, value: Any, unit: bool = True) -> str:
        figure = _figure(value, "num", _COUNTABLE)
        text = numbers.format_number(figure.value, figure.decimals)
        return self.mark(figure, text + (figure.unit if unit else ""), "num", (unit,))

    def pct(self, value: Any) -> str:
        figure = _figure(value, "pct", {"ratio"})
        return self.mark(figure, numbers.format_percent(figure.value), "pct")

    def times(self, value: Any) -> str:
        figure = _figure(value, "times", {"multiple"})
        return self.mark(figure, numbers.format_multiple(figure.value) + "倍", "times")

    def approx(
        self, value: Any, step: int, word: str = "余", wan: bool = False, unit: bool = True
    ) -> str:
        figure = _figure(value, "approx", _COUNTABLE)
        if not numbers.approx_fits(figure.value, step):
            exact = numbers.format_number(figure.value, figure.decimals)
            self.findings.append(_approx_too_small(figure, step, exact + figure.unit))
            return self.mark(figure, exact + (figure.unit if unit else ""), "num")
        text = numbers.format_approx(figure.value, step, word, wan) + (figure.unit if unit else "")
        return self.mark(figure, text, "approx", (step, word, wan, unit))

    def rank(self, value: Any) -> str:
        figure = _figure(value, "rank", {"rank"})
        return self.mark(figure, numbers.format_rank(int(figure.value)), "rank")


_WRITE_HINT = (
    "指标请写成 {{ cur.编码 }}（按类型显示，如 54家、98.43%）或加过滤器（num、pct、times、approx、rank）；"
    "报告期写 {{ period.full_label }} 等。"
)


def describe_value(value: Any) -> str:
    """A template value as a person reads it in a message: never a repr or an address."""
    if isinstance(value, Figure):
        return f"指标 {value.code}（{value.name}）"
    if isinstance(value, FigureNamespace):
        return f"{value.period.full_label}的全部指标（cur 或 year 本身，应写 cur.编码）"
    if isinstance(value, bool) or value is None:
        return f"逻辑值“{value}”" if value is not None else "空值（None）"
    if isinstance(value, Decimal | float):
        return f"不带来源的数字“{value}”（指标的 .value 等；数字要写出来请直接写指标本身）"
    if isinstance(value, int | str):
        return f"“{value}”"
    if isinstance(value, dict):
        return "一组设置（如 unit 本身，应写 unit.name 等）"
    if isinstance(value, list | tuple | set):
        return "一个列表"
    return f"一个{type(value).__name__}对象"


def _approx_too_small(figure: Figure, step: int, exact: str) -> Finding:
    """A warning instead of a stop: 9项 has no honest “约10余项” form, so the exact figure shows."""
    sources = figure.leaf_sources()
    first = sources[0] if sources else None
    return TEXT_APPROX_TOO_SMALL.make(
        file=getattr(first, "file", ""),
        sheet=getattr(first, "sheet", ""),
        cell=getattr(first, "cell", "") or getattr(first, "cells", ""),
        indicator=figure.code,
        period=figure.period.full_label,
        name=figure.name,
        indicator_code=figure.code,
        exact=exact,
        step=step,
        sources="；".join(source.describe() for source in sources) or "公式计算",
    )


def year_filter(value: Any) -> str:
    """``2022年`` from a Period, a figure namespace, or a year number."""
    if isinstance(value, FigureNamespace):
        value = value.period
    if isinstance(value, Period):
        return numbers.format_year(value.year)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return numbers.format_year(int(value))
    str(value)  # an Undefined raises here with the variable's name
    raise TypeError(f"year 过滤器需要报告期或年份，得到的是{describe_value(value)}")


def _figure(value: Any, filter_name: str, kinds: set[str]) -> Figure:
    """The figure a filter formats; a rate through ``num`` would print 0.98%, so kinds are checked."""
    if not isinstance(value, Figure):
        str(value)  # an Undefined raises here with the variable's name
        raise TypeError(f"数字过滤器需要一个指标，得到的是{describe_value(value)}")
    if value.kind not in kinds:
        right = next(name for name, allowed in _FILTER_FOR_KIND if value.kind in allowed)
        raise TypeError(
            f"指标 {value.code}（{value.name}）是 {value.kind} 类，不能用 {filter_name}，应改用 {right}"
        )
    return value


def make_environment(
    roots: Sequence[Path],
    recorder: Recorder,
    *,
    main: Path | None = None,
    limits: RenderLimits | None = None,
) -> BoundedEnvironment:
    """The bounded sandbox with our filters; templates load from ``roots`` only (and ``main``)."""
    env = BoundedEnvironment(
        limits,
        loader=ConfinedLoader(roots, main),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=recorder.finalize,
    )
    env.filters.update(recorder.filters())
    return env


def render_text_template(
    path: Path,
    context: dict[str, Any],
    roots: Sequence[Path],
    limits: RenderLimits | None = None,
) -> RenderedDocument:
    """Render ``path``; its includes come from ``roots``. Returns blocks with every figure use."""
    recorder = Recorder()
    env = make_environment(roots, recorder, main=path, limits=limits)
    with template_errors(path, lambda line: f"第{line}行", frame_name=path.name):
        template = env.get_template(MAIN)
        env.start()
        text = template.render(**context)
    rendered = split_blocks(text, recorder.uses, recorder.labels)
    rendered.findings = recorder.findings
    return rendered


Locate = Callable[[int], str]


@contextmanager
def template_errors(path: Path, locate: Locate, *, frame_name: str) -> Iterator[None]:
    """Turn whatever a template run raises into an error naming the template and where in it.

    ``locate`` turns a line of the compiled template source into words (``第12行`` for a text
    template, ``第5段（“…”）`` for a Word one); ``frame_name`` is the file name Jinja gives the
    compiled source in tracebacks. When no line is known the template alone is named.
    """
    try:
        yield
    except ReportError as exc:
        where = _where(path, locate, _template_line(exc, frame_name))
        raise type(exc)(exc.message + f"（{where}）", hint=exc.hint) from exc
    except jinja2.TemplateSyntaxError as exc:
        where = _where(path, locate, exc.lineno)
        raise TemplateError(f"{where}有语法错误：{jinja_message(exc)}") from exc
    except jinja2.TemplateNotFound as exc:
        where = _where(path, locate, _template_line(exc, frame_name))
        raise TemplateError(f"{where}：找不到被引用的模板“{exc.name}”") from exc
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError) as exc:
        where = _where(path, locate, _template_line(exc, frame_name))
        raise TemplateError(f"{where}：{jinja_message(exc)}") from exc


def _where(path: Path, locate: Locate, line: int | None) -> str:
    place = locate(line) if line else ""
    return f"模板 {path.name} {place}" if place else f"模板 {path.name}"


def jinja_message(exc: BaseException) -> str:
    message = str(exc)
    undefined = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", message)
    if undefined:
        name = undefined.group(1) or undefined.group(2)
        return f"变量或指标“{name}”未定义（指标目录中没有这个编码，或拼写有误）"
    unsafe = re.search(r"access to attribute '([^']+)'", message)
    if isinstance(exc, SecurityError) and unsafe:
        return f"模板在沙箱中运行，不允许访问“{unsafe.group(1)}”"
    unknown_filter = re.search(r"No filter named '([^']+)'", message)
    if unknown_filter:
        return f"未知过滤器“{unknown_filter.group(1)}”，可用：num、pct、times、approx、rank、year"
    if isinstance(exc, ArithmeticError):
        return f"模板中的计算出错（{message}）；数字请在指标目录中用公式计算"
    if isinstance(exc, UnicodeDecodeError):
        return "模板文件不是 UTF-8 编码的文本（.md.j2 文本模板请存为 UTF-8；Word 模板请用 .docx）"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"请检查 {{{{ }}}} 和 {{% %}} 标签的括号、引号及 if/for 是否配对（原文：{message}）"
    if not re.search(r"[\u4e00-\u9fff]", message) or _INTERNAL_TEXT.search(message):
        # Python's own wording ("unsupported operand type(s) for +: 'Figure' and 'int'")
        return "模板中的写法无法执行：指标不能在模板里直接运算或调用；" + _WRITE_HINT
    return message


_INTERNAL_TEXT = re.compile(r"object at 0x|\w+\(code=|<[A-Za-z_.]+: ")


def _template_line(exc: BaseException, frame_name: str) -> int | None:
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).name == frame_name
    ]
    return frames[-1].lineno if frames else None


def split_blocks(
    text: str, uses: list[FigureUse], labels: list[Period] | None = None
) -> RenderedDocument:
    """Cut rendered text into blocks; strip the sentinels and place each use in its block."""
    blocks: list[Block] = []
    located: list[FigureUse] = []
    named: dict[str, Period] = {}
    sections = Sections()
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in paragraph.strip().splitlines() if line.strip()]
        if not lines:
            continue
        block = _block(lines)
        if block.kind in (BlockKind.HEADING1, BlockKind.HEADING2):
            end = "、" if block.kind is BlockKind.HEADING1 else "）"
            sections.enter(block.kind, _numbering(block.text, end))
        block, marks = _strip_marks(block)
        spans = []
        for index, start, end in marks:
            if index.startswith("y"):
                name = f"{LABEL_PREFIX}{len(named) + 1:04d}"
                named[name] = (labels or [])[int(index[1:])]
                spans.append((start, end, name))
                continue
            use = uses[int(index)]
            use.block, use.section = len(blocks), sections.current
            located.append(use)
            use.bookmark = f"{BOOKMARK_PREFIX}{len(located):04d}"
            spans.append((start, end, use.bookmark))
        blocks.append(replace(block, figures=tuple(spans)))
    return RenderedDocument(blocks, located, labels=named)


def _block(lines: list[str]) -> Block:
    first = lines[0]
    for prefix, kind in _PREFIXES:
        if first.startswith(prefix):
            heading = first[len(prefix) :].strip()
            if kind is BlockKind.HEADING2 and len(lines) > 1:
                return Block(kind, heading, "".join(lines[1:]))
            return Block(kind, heading + "".join(lines[1:]))
    return Block(BlockKind.PARAGRAPH, "".join(lines))


def _strip_marks(block: Block) -> tuple[Block, list[tuple[str, int, int]]]:
    """The block without marks, and each mark's index with its span in ``full_text``."""
    marks: list[tuple[str, int, int]] = []

    def strip(text: str, offset: int) -> str:
        position, kept = 0, []
        for match in _MARK.finditer(text):
            kept.append(text[position : match.start()])
            start = offset + sum(map(len, kept))
            kept.append(match.group(2))
            marks.append((match.group(1), start, start + len(match.group(2))))
            position = match.end()
        kept.append(text[position:])
        return "".join(kept)

    text = strip(block.text, 0)
    body = strip(block.body, len(text))
    return Block(block.kind, text, body), marks


def _numbering(text: str, end: str) -> str:
    stripped = _MARK.sub(lambda m: m.group(2), text)
    position = stripped.find(end)
    return stripped[: position + 1] if 0 <= position <= 4 else ""
