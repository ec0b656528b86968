"""The command line: parse arguments, call one library function, show its result.

Heavy libraries (openpyxl, python-docx, calamine, rich) are imported inside the commands, so
``--help`` and ``--version`` start instantly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from chengbei_report import __version__
from chengbei_report.cli_i18n import EXIT_INTERRUPTED, INTERRUPTED, ChineseCommand, ChineseGroup
from chengbei_report.errors import EXIT_DATA, EXIT_OK, EXIT_USAGE, ReportError
from chengbei_report.render.diff_output import DIFF_FORMATS

EXIT_INTERNAL = 3


app = typer.Typer(
    name="chengbei-report",
    cls=ChineseGroup,
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
    typer.Option(
        "--workspace",
        "-w",
        help="工作区目录；不指定时使用当前目录所在的工作区，不在工作区中时使用内置示例工作区。",
    ),
]
# Optional to click, required by us: a missing period then gets a Chinese message, not click's.
PeriodOption = Annotated[
    str | None,
    typer.Option("--period", "-p", help="报告期（必填），如 2023H1、2023Q2、2023M06、2023。"),
]
TemplateOption = Annotated[
    Path | None,
    typer.Option(
        "--template",
        "-t",
        help="另用一个模板（.md.j2 文本模板、带 Jinja 标记的 .docx，或 bind 生成的绑定稿）；只写文件名时先在工作区 templates 目录、再在内置模板和当前目录中查找。",
    ),
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
        _traceback()
        _err(f"错误：{exc.message}")
        if exc.hint:
            _err(f"提示：{exc.hint}")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        _err(INTERRUPTED)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as exc:
        _traceback()
        _err(f"内部错误：{type(exc).__name__}: {exc}")
        _err("提示：这是本工具的缺陷，请加 --debug 重新运行，并把输出发给维护人员。")
        raise typer.Exit(EXIT_INTERNAL) from None


def _traceback() -> None:
    """With --debug, the traceback before the message; the exit code stays the same."""
    if _State.debug:
        import traceback

        traceback.print_exc(file=sys.stderr)


_SAMPLE_NOTICE = "未找到工作区，使用内置示例工作区（城北街道）"


def _workspace(given: Path | None) -> Path:
    """``--workspace``, else the workspace the current folder is in, else the bundled sample,
    which one line on stderr names (so a forgotten --workspace never goes unnoticed)."""
    from chengbei_report.workspace import choose_workspace

    choice = choose_workspace(given, Path.cwd())
    if choice.bundled:
        _err(_SAMPLE_NOTICE)
    return choice.root


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


def _parse_period(text: str | None) -> Any:
    from chengbei_report.periods import ACCEPTED_FORMS, Period

    if text is None:
        _err("错误：缺少报告期，请用 --period 指定。")
        _err(f"提示：可用的写法：{ACCEPTED_FORMS}。")
        raise typer.Exit(EXIT_USAGE)
    return _run(lambda: Period.parse(text))


def _print_json(data: Any) -> None:
    from chengbei_report.render.text import json_text

    typer.echo(json_text(data), nl=False)


def _print_findings(findings: Any) -> None:
    from chengbei_report.render.text import findings_text

    typer.echo(findings_text(findings), nl=False)


@app.command(cls=ChineseCommand)
def build(
    period: PeriodOption = None,
    workspace: WorkspaceOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="输出目录；默认 ./out/<报告期>/。")
    ] = None,
    template: TemplateOption = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="同时用 LibreOffice 生成 PDF。")] = False,
    signed: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="成文日期，写在署名下方，如 2023-07-10；不指定时用 workspace.toml 的 \\[report] date，都没有则不写日期。",
        ),
    ] = None,
    output_format: FormatOption = OutputFormat.TEXT,
) -> None:
    """生成工作总结（.docx）和底稿（.xlsx）。先校验报表，有错误时不生成。

    示例：chengbei-report build --period 2023H1 --date 2023-07-10
    """
    from chengbei_report.commands.build import build_report
    from chengbei_report.workspace import parse_signing_date

    parsed = _parse_period(period)
    day = _run(lambda: parse_signing_date(signed)) if signed is not None else None
    root = _workspace(workspace)
    with _progress_bar() as progress:
        result = _run(
            lambda: build_report(
                parsed,
                workspace_dir=root,
                out_dir=out,
                template=template,
                pdf=pdf,
                signed=day,
                progress=progress,
            )
        )
    for note in result.repaired:
        _err(f"注意：{note}")
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


@app.command(cls=ChineseCommand)
def init(
    directory: Annotated[
        Path, typer.Argument(metavar="目录", help="新工作区目录（须不存在或为空）。")
    ],
) -> None:
    """把内置示例工作区（配置、指标目录、各期报表、模板）复制到新目录，作为起点。

    示例：chengbei-report init ./我的工作区
    """
    import shlex

    from chengbei_report.commands.init import init_workspace

    created = _run(lambda: init_workspace(directory))
    typer.echo(f"已创建工作区：{created}")
    typer.echo(
        f"生成报告：chengbei-report build --period 2023H1 --workspace {shlex.quote(str(created))}"
    )


@app.command(cls=ChineseCommand)
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="文件或文件夹",
            help="要校验的报表文件或文件夹；不给出时校验 --period 的报表目录。",
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period", "-p", help="报告期，如 2023H1；只给文件时可省略（按表头的报告期）。"
        ),
    ] = None,
    workspace: WorkspaceOption = None,
    annotate: Annotated[
        Path | None,
        typer.Option("--annotate", "-a", help="把标出问题单元格并加批注的报表副本写到此目录。"),
    ] = None,
    notices: Annotated[
        Path | None,
        typer.Option(
            "--notices",
            "-n",
            help="为每个有问题的部门写一份修改通知（.txt，可直接粘贴发给填报人）到此目录；"
            "未报送的部门写一份催报通知。",
        ),
    ] = None,
    output_format: FormatOption = OutputFormat.TEXT,
) -> None:
    """校验各部门报表：一次列出所有问题，定位到单元格。有错误时退出码为 1。

    示例：chengbei-report validate --period 2023H1 --annotate ./批注 --notices ./批注
    """
    from chengbei_report.commands.validate import validate_submissions

    parsed = _parse_period(period) if period is not None else None
    root = _workspace(workspace)
    with _progress_bar() as progress:
        result = _run(
            lambda: validate_submissions(
                period=parsed,
                paths=paths or (),
                workspace_dir=root,
                annotate_dir=annotate,
                notices_dir=notices,
                progress=progress,
            )
        )
    if output_format is OutputFormat.JSON:
        _print_json(result.to_dict())
    else:
        _print_validation(result, annotate is not None)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_DATA)


def _print_validation(result: Any, annotate: bool) -> None:
    if not len(result.findings):
        typer.echo(f"校验通过：共检查 {len(result.files)} 个文件，未发现问题。")
        if annotate:
            typer.echo("没有需要标注的问题，未写出批注副本。")
    else:
        _print_findings(result.findings)
        for path in result.annotated:
            typer.echo(f"已写出批注副本：{path}")
        for name in result.not_annotated:
            _err(f"无法为 {name} 写出批注副本：文件打不开（可能已损坏，或并非真正的 .xlsx）。")
    if result.notices is not None:
        for notice in result.notices:
            typer.echo(f"已写出通知：{notice.path}")
        if not result.notices:
            typer.echo("没有需要通知的部门，未写出通知。")


@app.command(cls=ChineseCommand)
def status(
    period: PeriodOption = None,
    workspace: WorkspaceOption = None,
    output_format: FormatOption = OutputFormat.TEXT,
) -> None:
    """各部门报送情况：谁已报送、谁的报表有错误、谁还没报，附填报人和联系电话。
    有部门未报送或报表有错误时退出码为 1。

    示例：chengbei-report status --period 2023H1
    """
    from chengbei_report.commands.status import submission_status

    parsed = _parse_period(period)
    root = _workspace(workspace)
    with _progress_bar() as progress:
        result = _run(lambda: submission_status(parsed, workspace_dir=root, progress=progress))
    if output_format is OutputFormat.JSON:
        _print_json(result.to_dict())
    else:
        _print_table(_status_table(result))
        for other in result.others:
            typer.echo(
                f"另有文件 {other.file} 不属于任何部门（{other.errors} 个错误，{other.warnings} 个警告）。"
            )
        typer.echo(result.summary())
    raise typer.Exit(EXIT_OK if result.ok else EXIT_DATA)


def _status_table(result: Any) -> Any:
    """One row per department; on a narrow terminal names and files fold inside their column."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"{result.period.full_label}报送情况",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        collapse_padding=True,
        pad_edge=False,
    )
    table.add_column("部门", overflow="fold", min_width=8)
    for name in ("状态", "错误", "警告", "填报人", "联系电话", "填报日期", "修改时间"):
        justify = "right" if name in ("错误", "警告") else "left"
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    table.add_column("文件", overflow="fold", min_width=12)
    for row in result.departments:
        submitted = bool(row.file)
        cells = (
            row.name,
            row.state.value,
            str(row.errors) if submitted else "",
            str(row.warnings) if submitted else "",
            row.reporter,
            row.phone,
            row.filled,
            f"{row.modified:%m-%d %H:%M}" if row.modified else "",
            row.file,
        )
        table.add_row(*map(Text, cells))
    return table


def _print_table(table: Any) -> None:
    """On a terminal, as wide as the terminal (long names fold inside their column); piped or
    redirected, at the table's natural width, so no line is cut or wrapped mid-name."""
    from rich.console import Console

    if sys.stdout.isatty():
        Console(soft_wrap=False).print(table)
        return
    console = Console(width=_NATURAL_WIDTH, soft_wrap=False)
    width = console.measure(table).maximum
    Console(width=width, soft_wrap=False, color_system=None).print(table)


@app.command(cls=ChineseCommand)
def forms(
    period: PeriodOption = None,
    workspace: WorkspaceOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="输出目录；默认 ./forms/<报告期>/。")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="覆盖已有的同名表格（其中已填的内容会丢失）。")
    ] = False,
    output_format: FormatOption = OutputFormat.TEXT,
) -> None:
    """按指标目录为每个部门生成空白填报表（.xlsx），带数据验证和上期数值；已有同名表格时不覆盖，除非加 --force。

    示例：chengbei-report forms --period 2023H2 --out ./填报表
    """
    from chengbei_report.commands.forms import make_forms

    parsed = _parse_period(period)
    root = _workspace(workspace)
    result = _run(lambda: make_forms(parsed, workspace_dir=root, out_dir=out, force=force))
    if output_format is OutputFormat.JSON:
        _print_json(result.to_dict())
    else:
        for path in result.files:
            typer.echo(f"已生成填报表：{path}")
        if result.skipped:
            typer.echo(f"本期无需填报的部门：{'、'.join(result.skipped)}")
    raise typer.Exit(EXIT_OK)


_NATURAL_WIDTH = 10_000  # wide enough for any table measured at its natural width


# The choices of diff --format: one per entry of render/diff_output.py's DIFF_FORMATS.
DiffFormat = StrEnum("DiffFormat", {name.upper(): name for name in DIFF_FORMATS})  # type: ignore[misc]
_DIFF_FILES = "、".join(name for name, entry in DIFF_FORMATS.items() if entry.needs_file)
_DIFF_OUT_HELP = f"输出文件；{_DIFF_FILES} 格式必须指定。"
_DIFF_FORMAT_HELP = f"输出格式：{'、'.join(list(DIFF_FORMATS)[:-1])} 或 {list(DIFF_FORMATS)[-1]}。"


def _show_diff(outcome: Any) -> None:
    """A diff as the library made it: a file written, file content, JSON or the period table."""
    if outcome.written is not None:
        _err(f"已写出：{outcome.written}")
    elif outcome.content is not None:
        typer.echo(outcome.content.decode("utf-8-sig"), nl=False)
    elif outcome.output_format == "json":
        _print_json(outcome.diff.to_dict())
    else:
        from chengbei_report.render.diff_output import rich_table

        _print_table(rich_table(outcome.diff))
        rows = outcome.diff.rows
        typer.echo(f"共 {len(rows)} 项指标，其中有变化 {len(outcome.diff.changed)} 项。")


@app.command(cls=ChineseCommand)
def diff(
    old: Annotated[
        str, typer.Argument(metavar="旧", help="旧的报告期（如 2022H1），或旧版报表 .xlsx。")
    ],
    new: Annotated[
        str, typer.Argument(metavar="新", help="新的报告期（如 2023H1），或新版报表 .xlsx。")
    ],
    only_changed: Annotated[
        bool, typer.Option("--only-changed", help="只列出有变化或带标记的指标。")
    ] = False,
    threshold: Annotated[
        str | None,
        typer.Option(
            "--threshold",
            help="变化幅度阈值，如 0.2 或 20%（比率类指标为20个百分点）；默认用指标目录的 threshold。",
        ),
    ] = None,
    output_format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help=_DIFF_FORMAT_HELP)
    ] = DiffFormat.TABLE,  # type: ignore[attr-defined]
    out: Annotated[Path | None, typer.Option("--out", "-o", help=_DIFF_OUT_HELP)] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """对比两个报告期的全部指标（含派生指标）；两个参数都是 .xlsx 时，对比同一部门报表的两个版本。

    示例：chengbei-report diff 2022H1 2023H1 --only-changed --format xlsx --out 对比.xlsx
    """
    from chengbei_report.commands.diff import run_diff

    root = _workspace(workspace)
    outcome = _run(
        lambda: run_diff(
            old,
            new,
            output_format=output_format.value,
            out=out,
            only_changed=only_changed,
            threshold=threshold,
            workspace_dir=root,
        )
    )
    _show_diff(outcome)


@app.command(cls=ChineseCommand)
def check(
    report: Annotated[
        Path, typer.Argument(metavar="文稿", help="要核对的工作总结 .docx（可以是改过的稿子）。")
    ],
    period: PeriodOption = None,
    workspace: WorkspaceOption = None,
    template: TemplateOption = None,
    output_format: FormatOption = OutputFormat.TEXT,
) -> None:
    """核对改过的工作总结（也可以是初稿或绑定稿）：文中每个数字是否仍与报表数据一致。有不符的数字时退出码为 1。

    示例：chengbei-report check out/2023H1/城北街道2023年上半年工作总结.docx --period 2023H1
    """
    from chengbei_report.commands.check import check_report

    parsed = _parse_period(period)
    root = _workspace(workspace)
    result = _run(lambda: check_report(report, parsed, workspace_dir=root, template=template))
    if output_format is OutputFormat.JSON:
        _print_json(result.to_dict())
    else:
        from chengbei_report.render.text import check_text

        typer.echo(check_text(result), nl=False)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_DATA)


@app.command(cls=ChineseCommand)
def draft(
    period: PeriodOption = None,
    source: Annotated[
        Path | None,
        typer.Option(
            "--from", help="上一期的工作总结 .docx；默认 ./out/ 下最近一期同类报告期的工作总结。"
        ),
    ] = None,
    workspace: WorkspaceOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="输出目录；默认 ./out/<报告期>/。")
    ] = None,
    output_format: FormatOption = OutputFormat.TEXT,
) -> None:
    """用上一期的工作总结起草本期初稿：绑定的数字换成本期数据，变化、缺数据和待确认处加批注。

    示例：chengbei-report draft --period 2024H1
    """
    from chengbei_report.commands.draft import draft_report
    from chengbei_report.render.text import draft_text

    parsed = _parse_period(period)
    root = _workspace(workspace)
    result = _run(lambda: draft_report(parsed, workspace_dir=root, source=source, out_dir=out))
    if output_format is OutputFormat.JSON:
        _print_json(result.to_dict())
    else:
        typer.echo(draft_text(result), nl=False)


@app.command(cls=ChineseCommand)
def bind(
    document: Annotated[Path, typer.Argument(help="在 Word/WPS 中改过的初稿 .docx。")],
    period: PeriodOption = None,
    workspace: WorkspaceOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="绑定稿的文件名；默认在原文件同目录，文件名加“_绑定”。"),
    ] = None,
    output_format: FormatOption = OutputFormat.TEXT,
) -> None:
    """把改过的初稿变成下一次生成的模板：文中手写的数字与本期数据对应并绑定。

    示例：chengbei-report bind out/2024H1/城北街道2024年上半年工作总结_初稿.docx --period 2024H1
    """
    from chengbei_report.commands.bind import bind_report
    from chengbei_report.render.text import bind_text

    parsed = _parse_period(period)
    root = _workspace(workspace)
    result = _run(lambda: bind_report(document, parsed, workspace_dir=root, out=out))
    if output_format is OutputFormat.JSON:
        _print_json(result.to_dict())
    else:
        typer.echo(bind_text(result), nl=False)


def main() -> None:
    """Run the command line (``chengbei_report.__main__`` is the script's light wrapper)."""
    try:
        app()
    except KeyboardInterrupt:
        _err(INTERRUPTED)
        sys.exit(EXIT_INTERRUPTED)
    except SystemExit as exc:
        code = (
            exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else EXIT_USAGE)
        )
        sys.exit(code)
