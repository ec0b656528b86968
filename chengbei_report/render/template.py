"""Fill a Jinja text template with figures and cut the result into document blocks.

Every figure filter marks its output with private-use sentinels, so after rendering we know
exactly which figure produced which characters of which paragraph: that is what the working
paper and ``check`` are built on. Templates run in Jinja's sandbox with undefined variables as
errors, and every template error names the template file and line.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError

from chengbei_report.compute.figures import Figure, FigureUse
from chengbei_report.errors import ReportError, TemplateError
from chengbei_report.periods import Period
from chengbei_report.render import numbers
from chengbei_report.render.blocks import Block, BlockKind, Sections
from chengbei_report.render.sandbox import MAIN, BoundedEnvironment, ConfinedLoader, RenderLimits

OPEN, MID, CLOSE = "\ue000", "\ue001", "\ue002"
_MARK = re.compile(f"{OPEN}(\\d+){MID}(.*?){CLOSE}", re.S)
_PREFIXES = (("### ", BlockKind.HEADING2), ("## ", BlockKind.HEADING1), ("# ", BlockKind.TITLE))
_PREFIXES += ((">> ", BlockKind.SIGNATURE),)


class FigureNamespace:
    """``cur.econ_tax`` in a template: figures of one period, computed on first use."""

    def __init__(
        self, lookup: Callable[[str, Period], Figure], codes: set[str], period: Period
    ) -> None:
        self.period = period
        self._lookup = lookup
        self._codes = codes

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

    def mark(self, figure: Figure, text: str, how: str) -> str:
        self.uses.append(FigureUse(figure=figure, text=text))
        return f"{OPEN}{len(self.uses) - 1}{MID}{text}{CLOSE}"

    def filters(self) -> dict[str, Callable[..., str]]:
        return {
            "num": self.num,
            "pct": self.pct,
            "times": self.times,
            "approx": self.approx,
            "rank": self.rank,
            "year": year_filter,
        }

    def num(self, value: Any, unit: bool = True) -> str:
        figure = _figure(value, "num", _COUNTABLE)
        text = numbers.format_number(figure.value, figure.decimals)
        return self.mark(figure, text + (figure.unit if unit else ""), "num")

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
        text = numbers.format_approx(figure.value, step, word, wan) + (figure.unit if unit else "")
        return self.mark(figure, text, f"approx({step})")

    def rank(self, value: Any) -> str:
        figure = _figure(value, "rank", {"rank"})
        return self.mark(figure, numbers.format_rank(int(figure.value)), "rank")


def year_filter(value: Any) -> str:
    """``2022年`` from a Period, a figure namespace, or a year number."""
    if isinstance(value, FigureNamespace):
        value = value.period
    if isinstance(value, Period):
        return numbers.format_year(value.year)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return numbers.format_year(int(value))
    str(value)  # an Undefined raises here with the variable's name
    raise TypeError(f"year 过滤器需要报告期或年份，得到的是“{value}”")


def _figure(value: Any, filter_name: str, kinds: set[str]) -> Figure:
    """The figure a filter formats; a rate through ``num`` would print 0.98%, so kinds are checked."""
    if not isinstance(value, Figure):
        str(value)  # an Undefined raises here with the variable's name
        raise TypeError(f"数字过滤器需要一个指标，得到的是“{value}”")
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
    with template_errors(path):
        template = env.get_template(MAIN)
        env.start()
        text = template.render(**context)
    return split_blocks(text, recorder.uses)


@contextmanager
def template_errors(path: Path) -> Iterator[None]:
    """Turn whatever a template run raises into an error naming the template and its line."""
    try:
        yield
    except ReportError as exc:
        line = _template_line(exc, path)
        where = f"（模板 {path.name} 第{line}行）" if line else f"（模板 {path.name}）"
        raise type(exc)(exc.message + where, hint=exc.hint) from exc
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"模板 {path.name} 第{exc.lineno}行有语法错误：{jinja_message(exc)}"
        ) from exc
    except jinja2.TemplateNotFound as exc:
        line = _template_line(exc, path)
        raise TemplateError(f"模板 {path.name} 第{line}行：找不到被引用的模板“{exc.name}”") from exc
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError) as exc:
        line = _template_line(exc, path)
        raise TemplateError(f"模板 {path.name} 第{line}行：{jinja_message(exc)}") from exc


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
    return message


def _template_line(exc: BaseException, path: Path) -> int | None:
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).name == path.name
    ]
    return frames[-1].lineno if frames else None


def split_blocks(text: str, uses: list[FigureUse]) -> RenderedDocument:
    """Cut rendered text into blocks; strip the sentinels and place each use in its block."""
    blocks: list[Block] = []
    located: list[FigureUse] = []
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
        for index in marks:
            use = uses[index]
            use.block, use.section = len(blocks), sections.current
            located.append(use)
        blocks.append(block)
    return RenderedDocument(blocks, located)


def _block(lines: list[str]) -> Block:
    first = lines[0]
    for prefix, kind in _PREFIXES:
        if first.startswith(prefix):
            heading = first[len(prefix) :].strip()
            if kind is BlockKind.HEADING2 and len(lines) > 1:
                return Block(kind, heading, "".join(lines[1:]))
            return Block(kind, heading + "".join(lines[1:]))
    return Block(BlockKind.PARAGRAPH, "".join(lines))


def _strip_marks(block: Block) -> tuple[Block, list[int]]:
    marks: list[int] = []

    def keep(match: re.Match[str]) -> str:
        marks.append(int(match.group(1)))
        return match.group(2)

    text, body = _MARK.sub(keep, block.text), _MARK.sub(keep, block.body)
    return Block(block.kind, text, body), marks


def _numbering(text: str, end: str) -> str:
    stripped = _MARK.sub(lambda m: m.group(2), text)
    position = stripped.find(end)
    return stripped[: position + 1] if 0 <= position <= 4 else ""
