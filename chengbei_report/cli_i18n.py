"""The command-line library speaking Chinese: its errors, its help panels, its marks.

Typer vendors its own click, whose messages are English f-strings without gettext, so no
translation catalogue can reach them.  Instead every usage error is caught where our group
parses and dispatches, translated from its type and attributes (the option, the parameter,
the value), and shown in the tool's own ``错误：… / 提示：…`` form with exit code 2.  Help
panels and marks are typer's module-level strings, set by ``install`` before help is shown.  A test collects
every message our commands can produce and checks that none is English.

Also here, since it is about how arguments are parsed: global options given after the
command (``validate … -q``) are moved before it, and Ctrl+C at any moment of a run says so
and exits 130.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from difflib import get_close_matches
from typing import Any, NoReturn

import typer
from typer import _click
from typer.core import TyperCommand, TyperGroup

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
INTERRUPTED = "已中断，未写出任何不完整的文件。"
GLOBAL_FLAGS = ("--debug", "--quiet", "-q")
OPTIONS_METAVAR = "[选项]"
COMMAND_METAVAR = "命令 [参数]..."
USAGE_PREFIX = "用法："
_HELP_TEXT = "显示本帮助后退出。"


def install() -> None:
    """Typer's help panel titles and marks, in Chinese (read by typer each time it renders).

    Called when help is rendered, so ``--version`` and a plain run never import rich for it.
    """
    from typer import rich_utils

    rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
    rich_utils.OPTIONS_PANEL_TITLE = "选项"
    rich_utils.COMMANDS_PANEL_TITLE = "命令"
    rich_utils.ERRORS_PANEL_TITLE = "错误"
    rich_utils.DEFAULT_STRING = "[默认：{}]"
    rich_utils.REQUIRED_LONG_STRING = "[必填]"
    rich_utils.ENVVAR_STRING = "[环境变量：{}]"
    rich_utils.DEPRECATED_STRING = "（已停用）"
    rich_utils.ABORTED_TEXT = "已中断。"
    rich_utils.RICH_HELP = "运行 [blue]{command_path} {help_option}[/] 查看用法。"
    if not getattr(rich_utils._make_rich_text, "folds", False):
        rich_utils._make_rich_text = _folding(rich_utils._make_rich_text)


def _folding(make: Any) -> Any:
    """Help texts that break anywhere: Chinese has no spaces between words, so rich's
    word wrap would cut a long sentence off with "…" in a narrow terminal."""

    def make_folding(**kwargs: Any) -> Any:
        made = make(**kwargs)
        if hasattr(made, "overflow"):
            made.overflow = "fold"
        return made

    make_folding.folds = True  # type: ignore[attr-defined]
    return make_folding


# --- translating click's errors ---------------------------------------------------------------


def _quoted(text: str) -> str:
    """``'xml'`` as click writes a value → ``xml``."""
    text = text.strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else text


def _param_name(param: Any) -> str:
    """An option by its flags (``--format / -f``), an argument by its (Chinese) metavar."""
    if param is None:
        return ""
    if getattr(param, "param_type_name", "") == "option":
        return " / ".join(param.opts) or str(param.name)
    return str(param.metavar or param.name)


def _kind(param: Any) -> str:
    return "选项" if getattr(param, "param_type_name", "") == "option" else "参数"


def _choices(param: Any) -> list[str]:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or not descriptor.is_choice or not descriptor.choices:
        return []
    return [str(getattr(c, "value", c)) for c in descriptor.choices]


_VALUE_PROBLEMS: tuple[tuple[str, str], ...] = (
    (r"(.+) is not one of (.+)\.", "“{0}”不是可用的值"),
    (r"(.+) is not a valid integer(?: range)?\.", "“{0}”不是整数"),
    (r"(.+) is not a valid float(?: range)?\.", "“{0}”不是数字"),
    (r"(.+) is not a valid boolean\.", "“{0}”不是是/否的值"),
    (r"(.+) is not a valid (.+)\.", "“{0}”不是有效的值"),
    (r"(?:File|Directory|Path) (.+) does not exist\.", "{0} 不存在"),
    (r"(?:File|Directory|Path) (.+) is a file\.", "{0} 是文件，此处需要文件夹"),
    (r"(?:File|Directory|Path) (.+) is a directory\.", "{0} 是文件夹，此处需要文件"),
    (r"(?:File|Directory|Path) (.+) is not readable\.", "{0} 没有读取权限"),
    (r"(?:File|Directory|Path) (.+) is not writable\.", "{0} 没有写入权限"),
    (r"Value must be an iterable\.", "应给出一个或多个值"),
    (r"Input should be a valid integer.*", "应为整数"),
    (r"Input should be a valid number.*", "应为数字"),
    (r"Input should be a valid boolean.*", "应为是或否"),
    (r"Input should be a valid (?:path|string).*", "写法不合法"),
    (r"Input should be .*", "写法不合法"),
)
_PREFIX = re.compile(r"^(?:Value error|Assertion failed), ")


def _bad_value(exc: _click.exceptions.BadParameter) -> str:
    name = _param_name(exc.param) if exc.param is not None else "参数"
    problem = "值无效"
    message = _PREFIX.sub("", exc.message.strip())
    for pattern, chinese in _VALUE_PROBLEMS:
        found = re.fullmatch(pattern, message)
        if found:
            problem = chinese.format(*(_quoted(g) for g in found.groups()))
            break
    choices = _choices(exc.param)
    extra = f"（可选：{'、'.join(choices)}）" if choices else ""
    return f"{_kind(exc.param)} {name} 的值有误：{problem}{extra}。"


def _missing(exc: _click.exceptions.MissingParameter) -> str:
    param = exc.param
    name = _param_name(param) or str(exc.param_hint or "")
    kind = (
        "选项" if (exc.param_type or getattr(param, "param_type_name", "")) == "option" else "参数"
    )
    choices = _choices(param)
    extra = f"（可选：{'、'.join(choices)}）" if choices else ""
    return f"缺少{kind} {name}{extra}。"


def _no_such_option(exc: _click.exceptions.NoSuchOption) -> str:
    text = f"没有 {exc.option_name} 这个选项。"
    if exc.possibilities:
        text += f"是不是想用 {'、'.join(sorted(exc.possibilities))}？"
    return text


_USAGE_PROBLEMS: tuple[tuple[str, str], ...] = (
    (r"Option '(.+)' requires an argument\.", "选项 {0} 后面缺少值。"),
    (r"Option '(.+)' requires (\d+) arguments\.", "选项 {0} 后面应有 {1} 个值。"),
    (r"Option '(.+)' does not take a value\.", "选项 {0} 不带值。"),
    (r"Argument '(.+)' takes (\d+) values\.", "参数 {0} 应有 {1} 个值。"),
    (r"Got unexpected extra argument(?:\(s\)|s)? \((.+)\)", "多余的参数：{0}。"),
    (r"Missing command\.", "缺少命令。"),
    (r"No such command '(.+)'\.(?: Did you mean .+\?)?", "没有 {0} 这个命令。"),
    (r"Value (.+) is not a valid (.+)\.", "“{0}”不是有效的值。"),
)


def translate(exc: _click.exceptions.UsageError) -> str:
    """The Chinese sentence for one of click's usage errors."""
    if isinstance(exc, _Translated):
        return exc.message
    if isinstance(exc, _click.exceptions.NoSuchOption):
        return _no_such_option(exc)
    if isinstance(exc, _click.exceptions.MissingParameter):
        return _missing(exc)
    if isinstance(exc, _click.exceptions.BadParameter):
        return _bad_value(exc)
    for pattern, chinese in _USAGE_PROBLEMS:
        found = re.fullmatch(pattern, exc.message.strip())
        if found:
            return chinese.format(*(_quoted(g) for g in found.groups()))
    return f"命令行有误（{exc.message}）。"


def _fail(exc: _click.exceptions.UsageError) -> NoReturn:
    """Show a usage error as every other error of the tool is shown, and exit 2."""
    ctx = exc.ctx
    lines = []
    if ctx is not None:
        lines.append(ctx.get_usage())
    lines.append(f"错误：{translate(exc)}")
    if ctx is not None:
        lines.append(f"提示：运行 {ctx.command_path} {ctx.help_option_names[0]} 查看用法。")
    typer.echo("\n".join(lines), err=True)
    raise typer.Exit(EXIT_USAGE)


def _interrupted() -> NoReturn:
    typer.echo(INTERRUPTED, err=True)
    raise typer.Exit(EXIT_INTERRUPTED)


def hoist_global_flags(args: Sequence[str]) -> list[str]:
    """``validate … -q`` as ``-q validate …``: the global flags are accepted after the command.

    Nothing after ``--`` moves (``init -- -q`` still makes a folder named ``-q``).
    """
    flags, rest = [], []
    end = len(args)
    if "--" in args:
        end = list(args).index("--")
    for index, arg in enumerate(args):
        if index < end and arg in GLOBAL_FLAGS:
            flags.append(arg)
        else:
            rest.append(arg)
    return [*flags, *rest]


# --- the command classes ----------------------------------------------------------------------


class _Chinese:
    """What group and commands share: the help option's line, the usage line, the metavars."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = _HELP_TEXT
            option.metavar = ""
        return option

    def format_help(self, ctx: Any, formatter: Any) -> None:
        install()
        super().format_help(ctx, formatter)  # type: ignore[misc]

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE_PREFIX)


def _type_label(param: Any) -> str:
    from pathlib import Path

    annotation = param.type_descriptor.annotation
    paths = annotation is Path or annotation == list[Path]
    return "<路径>" if paths else "<文本>"


def _label_types(params: Sequence[Any]) -> None:
    """Types as Chinese words in help (``<路径>``, not ``<path>`` or ``<list[Path]>``); flags
    and choices (``<text|json>``) as they are."""
    for param in params:
        if _choices(param):
            continue
        if getattr(param, "param_type_name", "") == "argument":
            label = _type_label(param)
            param.display_type_rich = lambda ctx, label=label: label
        elif param.metavar is None:
            param.metavar = "" if param.is_flag else _type_label(param)


class ChineseCommand(_Chinese, TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar = OPTIONS_METAVAR
        _label_types(self.params)


class ChineseGroup(_Chinese, TyperGroup):
    """The root: parses, dispatches, and turns what goes wrong there into Chinese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar = OPTIONS_METAVAR
        self.subcommand_metavar = COMMAND_METAVAR
        _label_types(self.params)

    def make_context(self, info_name: Any, args: list[str], *rest: Any, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, hoist_global_flags(args), *rest, **extra)
        except _click.exceptions.NoArgsIsHelpError:
            raise
        except _click.exceptions.UsageError as exc:
            _fail(exc)
        except KeyboardInterrupt:
            _interrupted()

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _click.exceptions.NoArgsIsHelpError:
            raise
        except _click.exceptions.UsageError as exc:
            _fail(exc)
        except KeyboardInterrupt:
            _interrupted()

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """An unknown command names the nearest ones (``biuld`` → ``build``)."""
        name = args[0] if args else ""
        if name and self.get_command(ctx, name) is None and not name.startswith("-"):
            matches = get_close_matches(name, list(self.commands))
            text = f"没有 {name} 这个命令。"
            if matches:
                text += f"是不是想用 {'、'.join(matches)}？"
            _fail(_Translated(text, ctx))
        return super().resolve_command(ctx, args)


class _Translated(_click.exceptions.UsageError):
    """A usage error whose message is already Chinese."""


def interrupt_exit() -> NoReturn:
    """Ctrl+C outside the command classes (while starting up): the same message and code."""
    sys.stderr.write(INTERRUPTED + "\n")
    sys.exit(EXIT_INTERRUPTED)
