"""The command line: parse arguments, call one library function, show its result.

Heavy libraries (pandas, openpyxl, python-docx, calamine) are imported inside the commands, so
``--help`` and ``--version`` start instantly.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from chengbei_report import __version__
from chengbei_report.errors import EXIT_DATA, EXIT_OK, EXIT_USAGE, ReportError

EXIT_INTERNAL = 3

app = typer.Typer(
    name="chengbei-report",
    help=(
        "城北街道半年工作总结生成工具：读取各部门报表，校验、计算，生成公文格式的工作总结和底稿。\n\n"
        "示例：chengbei-report build --period 2023H1"
    ),
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)

T = TypeVar("T")


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class _State:
    debug = False
    quiet = False


WorkspaceOption = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", help="工作区目录；不指定时使用内置示例工作区。"),
]
PeriodOption = Annotated[
    str, typer.Option("--period", "-p", help="报告期，如 2023H1、2023Q2、2023M06、2023。")
]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="输出格式：text 或 json。")
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"chengbei-report {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main_options(
    debug: Annotated[
        bool, typer.Option("--debug", help="出错时显示完整的调用栈（供开发人员排查）。")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度条。")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号后退出。")
    ] = False,
) -> None:
    """城北街道半年工作总结生成工具。"""
    _State.debug = debug
    _State.quiet = quiet


def _err(text: str) -> None:
    typer.echo(text, err=True)


def _run(action: Callable[[], T]) -> T:
    """Call the library; turn its exceptions into a Chinese message and an exit code."""
    try:
        return action()
    except ReportError as exc:
        if _State.debug:
            raise
        _err(f"错误：{exc.message}")
        if exc.hint:
            _err(f"提示：{exc.hint}")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        _err("已中断，未写出任何不完整的文件。")
        raise typer.Exit(EXIT_DATA) from None
    except Exception as exc:
        if _State.debug:
            raise
        _err(f"内部错误：{type(exc).__name__}: {exc}")
        _err("提示：这是本工具的缺陷，请加 --debug 重新运行，并把输出发给维护人员。")
        raise typer.Exit(EXIT_INTERNAL) from None


@contextmanager
def _progress_bar() -> Iterator[Callable[[str, int, int], None] | None]:
    """A rich bar on stderr while workbooks load; none with --quiet or when stderr is no terminal."""
    if _State.quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(
        *columns, TimeElapsedColumn(), console=Console(stderr=True), transient=True
    ) as bar:
        task = bar.add_task("读取报表", total=None)

        def update(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=total)

        yield update


def _parse_period(text: str) -> Any:
    from chengbei_report.periods import Period

    return _run(lambda: Period.parse(text))


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _print_findings(findings: Any) -> None:
    """Findings grouped by file, file names shown whole."""
    for file, items in findings.by_file().items():
        typer.echo(f"\n{file or '（工作区）'}")
        for finding in items:
            where = finding.location()
            prefix = f"  [{finding.severity.value}] {finding.code}"
            typer.echo(
                f"{prefix} {where}：{finding.message}" if where else f"{prefix}：{finding.message}"
            )
            if finding.hint:
                typer.echo(f"      提示：{finding.hint}")
    typer.echo(f"\n共 {len(findings.errors)} 个错误，{len(findings.warnings)} 个警告。")


@app.command()
def build(
    period: PeriodOption,
    workspace: WorkspaceOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="输出目录；默认 ./out/<报告期>/。")
    ] = None,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template", "-t", help="另用一个模板（.md.j2 文本模板或带 Jinja 标记的 .docx）。"
        ),
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="同时用 LibreOffice 生成 PDF。")] = False,
    output_format: FormatOption = OutputFormat.TEXT,
) -> None:
    """生成工作总结（.docx）和底稿（.xlsx）。先校验报表，有错误时不生成。

    示例：chengbei-report build --period 2023H1
    """
    from chengbei_report.build import build_report

    parsed = _parse_period(period)
    with _progress_bar() as progress:
        result = _run(
            lambda: build_report(
                parsed,
                workspace_dir=workspace,
                out_dir=out,
                template=template,
                pdf=pdf,
                progress=progress,
            )
        )
    if output_format is OutputFormat.JSON:
        _print_json(result.to_dict())
    else:
        if len(result.findings):
            _print_findings(result.findings)
        if result.ok:
            typer.echo(f"已生成工作总结：{result.document}")
            typer.echo(f"已生成底稿：{result.workpaper}")
            if result.pdf:
                typer.echo(f"已生成 PDF：{result.pdf}")
            typer.echo(f"共 {result.paragraphs} 段，引用数字 {result.figures} 个。")
        else:
            _err("报表有错误，未生成工作总结。请按上面的提示修改后重试。")
    raise typer.Exit(EXIT_OK if result.ok else EXIT_DATA)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="新工作区目录（须不存在或为空）。")],
) -> None:
    """把内置示例工作区（配置、指标目录、各期报表、模板）复制到新目录，作为起点。

    示例：chengbei-report init ./我的工作区
    """
    from chengbei_report.init import init_workspace

    created = _run(lambda: init_workspace(directory))
    typer.echo(f"已创建工作区：{created}")
    typer.echo(f"生成报告：chengbei-report build --period 2023H1 --workspace {created}")


def main() -> None:
    """Entry point of the ``chengbei-report`` script."""
    try:
        app()
    except SystemExit as exc:
        code = (
            exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else EXIT_USAGE)
        )
        sys.exit(code)
