"""``diff``: two periods' figures, or two versions of one department's workbook, side by side.

The CLI hands over its arguments as typed; this module decides which diff they ask for, checks
that the format and options fit it, and writes the file when ``--out`` is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from chengbei_report.compare.periods import compare_periods
from chengbei_report.compare.workbooks import WorkbookDiff, diff_workbooks
from chengbei_report.errors import UsageError
from chengbei_report.period_diff import PeriodDiff
from chengbei_report.periods import Period
from chengbei_report.project import open_project
from chengbei_report.render.diff_output import diff_bytes, diff_format, workbook_diff_bytes
from chengbei_report.render.output import write_atomic


@dataclass
class DiffOutcome:
    """A diff and how it is to be shown: ``written`` is the --out file; ``content`` file bytes.

    Neither set means the CLI shows ``diff`` itself (a JSON dump, or the period table).
    """

    diff: PeriodDiff | WorkbookDiff
    output_format: str
    content: bytes | None = None
    written: Path | None = None


def run_diff(
    old: str,
    new: str,
    *,
    output_format: str,
    out: Path | None = None,
    only_changed: bool = False,
    threshold: str | None = None,
    workspace_dir: Path | None = None,
) -> DiffOutcome:
    """Diff two periods (``2022H1 2023H1``) or two workbooks (``旧.xlsx 新.xlsx``).

    ``threshold`` is --threshold as typed (``0.2`` or ``20%``).
    """
    limit = parse_threshold(threshold)
    workbooks = [_names_a_file(name) for name in (old, new)]
    if all(workbooks) and (only_changed or threshold is not None):
        raise UsageError("--only-changed 和 --threshold 只用于对比两个报告期。")
    if all(workbooks):
        if output_format == "xlsx" and out is None:
            raise UsageError("xlsx 格式须用 --out 指定输出文件，如 --out 对比.xlsx。")
        found = diff_workbooks(Path(old), Path(new), workspace_dir=workspace_dir)
        if output_format == "json" and out is None:
            return DiffOutcome(found, output_format)
        data = workbook_diff_bytes(found, output_format)
        inputs = (Path(old), Path(new))
        return _emit(DiffOutcome(found, output_format), data, out, workspace_dir, inputs)
    if any(workbooks):
        raise UsageError(
            f"要么对比两个报告期（diff 2022H1 2023H1），要么对比两份 .xlsx 报表；"
            f"“{old if workbooks[0] else new}”是文件，“{new if workbooks[0] else old}”不是。"
        )
    old_period, new_period = Period.parse(old), Period.parse(new)
    if diff_format(output_format).needs_file and out is None:
        raise UsageError(
            f"{output_format} 格式须用 --out 指定输出文件，如 --out 对比.{output_format}。"
        )
    periods = diff_periods(
        old_period,
        new_period,
        workspace_dir=workspace_dir,
        only_changed=only_changed,
        threshold=limit,
    )
    outcome = DiffOutcome(periods, output_format)
    if output_format in ("json", "table") and out is None:
        return outcome
    return _emit(outcome, diff_bytes(periods, output_format), out, workspace_dir)


MAX_THRESHOLD = Decimal(1_000_000)  # 100000000%: beyond it a threshold flags nothing anyway
_THRESHOLD_HINT = "写成小数或百分数，如 --threshold 0.2 或 --threshold 20%。"


def parse_threshold(text: str | None) -> Decimal | None:
    """``0.2`` or ``20%`` → Decimal 0.2; text, a negative, NaN or a huge value is a usage error."""
    if text is None:
        return None
    cleaned = text.strip()
    percent = cleaned.endswith("%")
    try:
        number = Decimal(cleaned.removesuffix("%"))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0:
        raise UsageError(f"无法识别的阈值“{text}”。", hint=_THRESHOLD_HINT)
    if number.adjusted() > 8:  # checked before any arithmetic, which would overflow
        raise UsageError(f"阈值“{text}”过大，最大为 {MAX_THRESHOLD}（即 100000000%）。")
    value = number / 100 if percent else number
    if value > MAX_THRESHOLD:
        raise UsageError(f"阈值“{text}”过大，最大为 {MAX_THRESHOLD}（即 100000000%）。")
    return value


def _names_a_file(name: str) -> bool:
    """A file, not a period: it exists, or has a suffix or a folder (no period has either)."""
    path = Path(name)
    return bool(path.suffix) or len(path.parts) > 1 or path.is_file()


def diff_periods(
    old: Period,
    new: Period,
    *,
    workspace_dir: Path | None = None,
    only_changed: bool = False,
    threshold: Decimal | None = None,
) -> PeriodDiff:
    """Every indicator of either period; ``threshold`` (0.2 = 20%) overrides the catalog's."""
    if threshold is not None and threshold < 0:
        raise UsageError(f"阈值不能为负数：{threshold}", hint="例如 --threshold 0.2 表示20%。")
    project = open_project(workspace_dir)
    for period in (old, new):
        project.require_period(period)
    return compare_periods(
        project.catalog, project.engine, old, new, only_changed=only_changed, threshold=threshold
    )


def _emit(
    outcome: DiffOutcome,
    data: bytes,
    out: Path | None,
    workspace_dir: Path | None,
    inputs: tuple[Path, ...] = (),
) -> DiffOutcome:
    """File content to ``out`` (never over an input or into a workspace), or kept for the terminal.

    With no ``workspace_dir`` the workspace is the bundled sample, which the guard covers as part
    of the package.
    """
    if out is None:
        outcome.content = data
    else:
        outcome.written = write_atomic(out, data, inputs=inputs, workspace=workspace_dir)
    return outcome
