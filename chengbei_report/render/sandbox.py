"""The environment every template runs in: confined to the template folders, bounded in time and memory.

A workspace template is untrusted text: whoever can drop a file into templates/ must not be able
to read /etc/passwd into the document, hang the build, or take all memory. Jinja's sandbox
already refuses Python internals; on top of it this module

- loads templates (and every include, import and extends) only from the allowed folders;
- bounds arithmetic (``**``, ``*``, ``+``, ``%``, ``~``) by the size of its result, ranges and
  loops by a number of iterations, calls (macros, recursive loops) and includes by depth and
  count, expressions and blocks by nesting, the output by its length, and the whole render by a
  deadline checked in every call, attribute, operator and loop step;
- offers only the filters and methods a work summary needs.

Every limit raises a ``TemplateError`` that names it; none ends in RecursionError or MemoryError.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment

from chengbei_report.errors import TemplateError
from chengbei_report.workspace import confined_template

MAX_TEMPLATE_BYTES = 4 * 1024 * 1024
MAIN = "\x00main"  # the loader's key of the template being rendered; no include can spell it


@dataclass(frozen=True)
class RenderLimits:
    """What one render may use; ``seconds`` is ``[limits] max_render_seconds`` of workspace.toml."""

    seconds: float = 30.0
    max_chars: int = 1_000_000  # one string or list built by * + ~ % or a filter
    max_int_bits: int = 4_000  # about 1200 decimal digits
    max_range: int = 100_000
    max_iterations: int = 1_000_000  # loop steps of a whole render
    max_output: int = 10_000_000  # characters output (macros and blocks included)
    max_call_depth: int = 30  # nested macro calls, caller() and recursive loops
    max_includes: int = 200  # include / import / extends of one render
    max_nesting: int = 20  # brackets in one expression, nested blocks, chained - / not
    max_tree_depth: int = 60  # depth of the parsed template


# Filters a work summary needs; the rest (indent, center, wordwrap, format, replace, sum, ...)
# can build strings far larger than their arguments.
SAFE_FILTERS = frozenset(
    [
        "abs",
        "attr",
        "batch",
        "capitalize",
        "count",
        "d",
        "default",
        "dictsort",
        "e",
        "escape",
        "first",
        "float",
        "groupby",
        "int",
        "items",
        "join",
        "last",
        "length",
        "list",
        "lower",
        "map",
        "max",
        "min",
        "reject",
        "rejectattr",
        "reverse",
        "round",
        "safe",
        "select",
        "selectattr",
        "slice",
        "sort",
        "string",
        "striptags",
        "title",
        "trim",
        "truncate",
        "unique",
        "upper",
        "wordcount",
    ]
)
# Methods of str, list, dict ... that a template may call; none builds more than it reads.
SAFE_METHODS = frozenset(
    [
        "get",
        "items",
        "keys",
        "values",
        "startswith",
        "endswith",
        "strip",
        "lstrip",
        "rstrip",
        "upper",
        "lower",
        "title",
        "capitalize",
        "count",
        "find",
        "index",
        "isdigit",
        "isalpha",
        "isspace",
        "split",
    ]
)
_BUILTIN_TYPES = (str, bytes, list, tuple, dict, set, frozenset, int, float, Decimal)
_PRINTF_SPEC = re.compile(r"%[#0\- +]*(\*|\d*)(?:\.(\*|\d*))?")
_OPENERS = {"lparen", "lbracket", "lbrace"}
_CLOSERS = {"rparen", "rbracket", "rbrace"}
_BLOCK_TAGS = {"if", "for", "macro", "call", "filter", "block", "with", "autoescape", "raw"}


class ConfinedLoader(jinja2.BaseLoader):
    """Templates by name from the allowed folders only; ``main`` is the file being rendered."""

    def __init__(self, roots: Sequence[Path], main: Path | None = None) -> None:
        self.roots = list(roots)
        self.main = main

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = (
            self.main if template == MAIN and self.main else confined_template(self.roots, template)
        )
        if path is None:
            raise jinja2.TemplateNotFound(template)
        if path.stat().st_size > MAX_TEMPLATE_BYTES:
            raise TemplateError(
                f"模板 {path.name} 超过 {MAX_TEMPLATE_BYTES // 1024 // 1024} MB，不像是模板"
            )
        source = path.read_text(encoding="utf-8")
        return source, str(path), lambda: False


class _BoundedCodeGenerator(CodeGenerator):
    """``a ~ b`` goes through the environment, so its length is checked like ``a + b``."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_join((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with the limits of ``RenderLimits`` for every render."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"**", "*", "+", "%"})

    def __init__(
        self,
        limits: RenderLimits | None = None,
        *,
        finalize: Callable[[Any], Any] | None = None,
        **options: Any,
    ) -> None:
        self._show = finalize  # what {{ }} writes (the figure filters' default forms)
        super().__init__(finalize=self._account, **options)
        self.limits = limits or RenderLimits()
        self.globals = {
            "range": self._range,
            "dict": dict,
            "namespace": self.globals["namespace"],
            "cycler": self.globals["cycler"],
            "joiner": self.globals["joiner"],
        }
        self.filters = {
            name: self._bounded_filter(name, function)
            for name, function in self.filters.items()
            if name in SAFE_FILTERS
        }
        self.filters["_bounded_iter"] = self._bounded_iter
        self.start()

    # --- the budget of one render ---------------------------------------------------------------

    def start(self) -> None:
        """Begin a render: the clock and every counter start from zero."""
        self._deadline = time.monotonic() + self.limits.seconds
        self._iterations = self._output = self._depth = self._includes = 0

    def tick(self) -> None:
        if time.monotonic() > self._deadline:
            raise TemplateError(
                f"模板运行超过 {self.limits.seconds:g} 秒，已停止（是否有过大的循环？）",
                hint="如确需更长时间，可在 workspace.toml 的 [limits] 中调大 max_render_seconds。",
            )

    def _too_large(self, what: str) -> TemplateError:
        return TemplateError(
            f"模板中的{what}过大，已停止（上限 {self.limits.max_chars} 个字符或元素）"
        )

    def _account(self, value: Any) -> Any:
        """Every ``{{ }}`` output passes here: counted towards the output limit, then shown as
        ``finalize`` says."""
        self.tick()
        room = self.limits.max_output - self._output
        size = _text_size(value, room, self.limits.max_nesting)
        if size is None:
            raise TemplateError(f"模板输出超过 {self.limits.max_output} 个字符，已停止")
        self._output += size
        return value if self._show is None else self._show(value)

    def concat(self, pieces: Iterable[str]) -> str:  # type: ignore[override]
        """Join a render's or a macro's output, counting as it goes."""
        kept: list[str] = []
        total = 0
        for piece in pieces:
            total += len(piece)
            if total > self.limits.max_output:
                raise TemplateError(f"模板输出超过 {self.limits.max_output} 个字符，已停止")
            kept.append(piece)
        return "".join(kept)

    def bounded_join(self, parts: tuple[Any, ...]) -> str:
        self.tick()
        if self._size(parts) > self.limits.max_chars:
            raise self._too_large("字符串")
        return "".join(map(str, parts))

    def _size(self, value: Any) -> int:
        """Characters ``str(value)`` would take, up to just past the limit (measured, not built)."""
        if isinstance(value, str):
            return len(value)
        size = _text_size(value, self.limits.max_chars, self.limits.max_nesting)
        return self.limits.max_chars + 1 if size is None else size

    # --- operators, calls, attributes -----------------------------------------------------------

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.tick()
        self._check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def _check_binop(self, operator: str, left: Any, right: Any) -> None:
        ints = isinstance(left, int) and isinstance(right, int)
        if operator == "**" and ints and right > 0:
            if abs(left) > 1 and left.bit_length() * right > self.limits.max_int_bits:
                raise TemplateError(f"模板中的乘方 {left}**{right} 结果过大，已停止")
        elif operator == "*" and ints:
            if left.bit_length() + right.bit_length() > self.limits.max_int_bits:
                raise TemplateError("模板中的乘法结果过大，已停止")
        elif operator == "*":
            sequence, times = (left, right) if isinstance(right, int) else (right, left)
            repeated = isinstance(sequence, str | bytes | list | tuple) and isinstance(times, int)
            if repeated and self._size(sequence) * times > self.limits.max_chars:
                raise self._too_large("重复（*）")
        elif operator == "+" and isinstance(left, (str, bytes, *_CONTAINERS)):
            if self._size(left) + self._size(right) > self.limits.max_chars:
                raise self._too_large("拼接（+）")
        elif operator == "%" and isinstance(left, str):
            if self._size(right) > self.limits.max_chars:
                raise self._too_large("格式化（%）")
            for match in _PRINTF_SPEC.finditer(left):
                for part in match.groups():
                    if part == "*" or (part and int(part) > self.limits.max_chars):
                        raise self._too_large("格式化（%）宽度")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.tick()
        __self._check_args(args, kwargs)
        if __self._depth >= __self.limits.max_call_depth:
            raise TemplateError(
                f"模板中的宏或循环调用嵌套超过 {__self.limits.max_call_depth} 层（是否无限递归？）"
            )
        __self._depth += 1
        try:
            return super().call(__context, __obj, *args, **kwargs)
        finally:
            __self._depth -= 1

    def _check_args(self, args: Sequence[Any], kwargs: dict[str, Any]) -> None:
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and abs(value) > self.limits.max_chars:
                raise TemplateError(f"模板中的参数 {value} 过大，已停止")
            if isinstance(value, _CONTAINERS) and self._size(value) > self.limits.max_chars:
                raise self._too_large("参数")

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.tick()
        return super().getitem(obj, argument)

    def wrap_str_format(self, value: Any) -> None:
        """No ``str.format``: a width such as ``{:>999999999}`` builds a string of that size."""
        return None

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, _BUILTIN_TYPES) and callable(value) and attr not in SAFE_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def _bounded_filter(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def bounded(*args: Any, **kwargs: Any) -> Any:
            self.tick()
            self._check_args(args, kwargs)
            if name == "join":
                self._check_join(args, kwargs)
            result = function(*args, **kwargs)
            if _sized(result) > self.limits.max_chars:
                raise self._too_large("过滤器结果")
            return result

        return bounded

    def _check_join(self, args: Sequence[Any], kwargs: dict[str, Any]) -> None:
        """join builds len(sep) × items + the items: measured before anything is built."""
        values = [a for a in args if not isinstance(a, jinja2.nodes.EvalContext)]
        if not values or isinstance(values[0], jinja2.Undefined):
            return
        items = list(values[0])
        separator = str(values[1] if len(values) > 1 else kwargs.get("d", ""))
        total = len(separator) * max(len(items) - 1, 0)
        for item in items:
            total += len(item) if isinstance(item, str) else 1
            if total > self.limits.max_chars:
                raise self._too_large("拼接（join）")

    # --- loops and ranges -----------------------------------------------------------------------

    def _range(self, *args: int) -> range:
        self._check_args(args, {})
        numbers = range(*args)
        if len(numbers) > self.limits.max_range:
            raise TemplateError(f"模板中的 range 超过 {self.limits.max_range} 个数，已停止")
        return numbers

    def _bounded_iter(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self._iterations += 1
            if self._iterations > self.limits.max_iterations:
                raise TemplateError(f"模板中的循环共超过 {self.limits.max_iterations} 次，已停止")
            self.tick()
            yield item

    # --- templates: includes counted, source nesting checked ------------------------------------

    def _load_template(self, name: str, globals: Any) -> jinja2.Template:
        self.tick()
        if name != MAIN:
            self._includes += 1
            if self._includes > self.limits.max_includes:
                raise TemplateError(
                    f"模板引用（include/import/extends）超过 {self.limits.max_includes} 次（是否互相引用？）"
                )
        return super()._load_template(name, globals)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        self._check_nesting(source, name, filename)
        tree = super()._parse(source, name, filename)
        self._check_depth(tree)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(
                loop.iter, "_bounded_iter", [], [], None, None, lineno=loop.lineno
            )
        return tree

    def _check_nesting(self, source: str, name: str | None, filename: str | None) -> None:
        """Jinja's parser recurses per bracket, block and unary operator: bound them first."""
        brackets = blocks = unary = 0
        previous, tag = "", ""
        for token in self._tokenize(source, name, filename):
            if token.type in _OPENERS:
                brackets += 1
            elif token.type in _CLOSERS:
                brackets -= 1
            elif previous == "block_begin" and token.type == "name":
                tag = token.value
                blocks += tag in _BLOCK_TAGS
                blocks -= tag.startswith("end") and tag != "endset"
            elif tag == "set" and token.type == "assign":
                tag = ""  # {% set x = … %} opens no block
            elif token.type == "block_end":
                blocks += tag == "set"
                blocks -= tag == "endset"
                tag = ""
            chained = token.type in ("sub", "add") or (
                token.type == "name" and token.value == "not"
            )
            unary = unary + 1 if chained else 0
            previous = token.type
            if max(brackets, blocks, unary) > self.limits.max_nesting:
                raise TemplateError(
                    f"模板第{token.lineno}行嵌套超过 {self.limits.max_nesting} 层（括号、语句块或连续的运算符），请简化"
                )

    def _check_depth(self, tree: nodes.Node) -> None:
        stack: list[tuple[nodes.Node, int]] = [(tree, 0)]
        while stack:
            node, depth = stack.pop()
            if depth > self.limits.max_tree_depth:
                raise TemplateError(
                    f"模板第{node.lineno}行的表达式过长或嵌套过深（超过 {self.limits.max_tree_depth} 层），请拆开写"
                )
            stack.extend((child, depth + 1) for child in node.iter_child_nodes())


_CONTAINERS = (list, tuple, dict, set, frozenset)


def _text_size(value: Any, budget: int, max_depth: int) -> int | None:
    """About how many characters ``str(value)`` takes; None beyond ``budget`` or ``max_depth``.

    Walked without recursion and stopped early, so a list holding itself a million times over
    (``[[big] * 1000] * 1000``) is refused before Python's str() could build it.
    """
    total = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            total += len(item) + 2
        elif isinstance(item, _CONTAINERS):
            if depth >= max_depth:
                return None
            total += 2 + 2 * len(item)
            if total > budget:
                return None
            members = (m for pair in item.items() for m in pair) if isinstance(item, dict) else item
            stack.extend((member, depth + 1) for member in members)
        elif isinstance(item, float | Decimal) or (
            isinstance(item, int) and item.bit_length() < 64
        ):
            total += len(str(item))
        else:
            total += 24  # a figure, a period, a big number: short enough to estimate
        if total > budget:
            return None
    return total


def _sized(value: Any) -> int:
    """Length of a string or collection; 0 for anything else."""
    return len(value) if isinstance(value, str | bytes | list | tuple | dict | set) else 0
