"""Time reading, validating and building a large workspace side by side, against the floor.

Every measurement is a separate Python process, timed on the wall clock, with its peak resident
memory taken from ``os.wait4``:

  (a) the floor: python-calamine reading every sheet of the period's workbooks into lists;
  (b) ``pandas.read_excel(engine="openpyxl")`` of the same sheets — slow, so by default run on
      a sample of whole workbooks and scaled by row count (``--pandas-full`` reads them all);
  (c) ``chengbei-report validate`` and (d) ``chengbei-report build`` on that workspace.

    python benchmarks/run.py                 # 1,000,000 ledger rows
    python benchmarks/run.py --rows 100000   # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_workspace import DEFAULT_ROWS, PERIOD, make_workspace

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.5
TARGET_MEMORY_MIB = 2048
DONE_MARK = ".benchmark-complete"

FLOOR_SCRIPT = """
import json, sys
from pathlib import Path
import python_calamine
counts = {}
for path in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = 0
    for name in book.sheet_names:
        rows += len(book.get_sheet_by_name(name).to_python(skip_empty_area=False))
    counts[path.name] = rows
print(json.dumps(counts))
"""

PANDAS_SCRIPT = """
import sys
import pandas as pd
rows = 0
for path in sys.argv[1:]:
    for frame in pd.read_excel(path, sheet_name=None, engine="openpyxl", header=None).values():
        rows += len(frame)
print(rows)
"""


@dataclass
class Measurement:
    label: str
    seconds: float
    peak_mib: float
    exit_code: int
    note: str = ""
    stdout: str = ""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="工作总结工具的性能基准：与 calamine 读取下限对比。"
    )
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="台账总行数（默认 100 万）")
    parser.add_argument("--seed", type=int, default=20230630, help="生成数据的随机数种子")
    parser.add_argument("--workspace", type=Path, help="工作区目录；默认在临时目录生成并复用")
    parser.add_argument("--regenerate", action="store_true", help="重新生成工作区")
    parser.add_argument(
        "--pandas-rows", type=int, default=100_000, help="pandas 抽样读取的最少行数（按行数折算）"
    )
    parser.add_argument("--pandas-full", action="store_true", help="pandas 读取全部报表，不抽样")
    parser.add_argument(
        "--profile", action="store_true", help="另用 cProfile 剖析 build 并列出耗时最多的函数"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    workspace = prepare_workspace(args)
    folder = workspace / "submissions" / PERIOD
    print(f"工作区：{workspace}")
    floor = measure(
        "(a) calamine 读入列表（下限）", [sys.executable, "-c", FLOOR_SCRIPT, str(folder)]
    )
    counts: dict[str, int] = json.loads(floor.stdout)
    results = [
        floor,
        measure_pandas(folder, counts, args),
        measure_cli(
            "(c) chengbei-report validate", ["validate", "-p", PERIOD, "-w", str(workspace)]
        ),
        measure_cli(
            "(d) chengbei-report build",
            [
                "build",
                "-p",
                PERIOD,
                "-w",
                str(workspace),
                "-o",
                tempfile.mkdtemp(prefix="bench-out-"),
            ],
        ),
    ]
    print_table(results, floor, sum(counts.values()), len(counts))
    if args.profile:
        profile_build(workspace)


def prepare_workspace(args: argparse.Namespace) -> Path:
    """The given workspace, or a generated one reused across runs with the same size and seed."""
    if args.workspace and not args.regenerate:
        return args.workspace.resolve()
    target = (
        args.workspace or Path(tempfile.gettempdir()) / f"chengbei-bench-{args.rows}-{args.seed}"
    )
    if args.regenerate or not (target / DONE_MARK).is_file():
        started = time.perf_counter()
        rows = make_workspace(target, args.rows, args.seed)
        (target / DONE_MARK).write_text(str(rows), encoding="utf-8")
        print(f"已生成工作区（台账 {rows} 行），用时 {time.perf_counter() - started:.1f} 秒")
    return target.resolve()


def measure(label: str, argv: list[str], note: str = "") -> Measurement:
    """Run one process; wall time and its own peak resident memory (ru_maxrss, KiB on Linux)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode not in (0, 1):
        note = f"退出码 {process.returncode}：{stderr.strip().splitlines()[-1:] or ''}"
    return Measurement(label, seconds, usage.ru_maxrss / 1024, process.returncode, note, stdout)


def measure_cli(label: str, args: list[str]) -> Measurement:
    return measure(label, [sys.executable, "-m", "chengbei_report", "--quiet", *args])


def measure_pandas(folder: Path, counts: dict[str, int], args: argparse.Namespace) -> Measurement:
    """pandas over whole workbooks until ``--pandas-rows`` rows, then scaled to all rows."""
    total = sum(counts.values())
    chosen: list[str] = []
    sampled = 0
    for name, rows in sorted(counts.items(), key=lambda item: item[1]):
        if not args.pandas_full and sampled >= args.pandas_rows:
            break
        chosen.append(str(folder / name))
        sampled += rows
    result = measure(
        "(b) pandas.read_excel(openpyxl)", [sys.executable, "-c", PANDAS_SCRIPT, *chosen]
    )
    if sampled < total:
        result.seconds *= total / sampled
        result.note = f"抽样 {len(chosen)} 个报表共 {sampled} 行，时间按行数折算；内存为抽样实测"
    return result


def print_table(results: list[Measurement], floor: Measurement, rows: int, files: int) -> None:
    print(
        f"\n{files} 个报表，全部工作表共 {rows} 行；Python {platform.python_version()}，"
        f"{os.cpu_count()} 核，{platform.machine()}"
    )
    print(f"{'项目':<34}{'耗时(秒)':>10}{'相对下限':>10}{'峰值内存(MiB)':>16}  说明")
    for item in results:
        ratio = item.seconds / floor.seconds
        print(
            f"{item.label:<36}{item.seconds:>10.2f}{ratio:>10.2f}×{item.peak_mib:>14.0f}  {item.note}"
        )
    for item in results[2:]:
        ratio_ok = item.seconds / floor.seconds <= TARGET_RATIO
        memory_ok = item.peak_mib < TARGET_MEMORY_MIB
        verdict = "达标" if ratio_ok and memory_ok else "未达标"
        print(f"目标（≤{TARGET_RATIO}× 下限，内存 < 2 GiB）{item.label}：{verdict}")


def profile_build(workspace: Path) -> None:
    """cProfile of a build: the functions where the time goes, by own time and by total time."""
    with tempfile.TemporaryDirectory() as folder:
        stats_file = Path(folder) / "build.prof"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "cProfile",
                "-o",
                str(stats_file),
                "-m",
                "chengbei_report",
                "--quiet",
                "build",
                "-p",
                PERIOD,
                "-w",
                str(workspace),
                "-o",
                folder,
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            check=False,
        )
        stats = pstats.Stats(str(stats_file))
        print("\nbuild 剖析：自身耗时最多的函数")
        stats.sort_stats("tottime").print_stats(15)
        print("build 剖析：本工具中累计耗时最多的函数")
        stats.sort_stats("cumulative").print_stats(r"chengbei_report[/\\](?!cli)", 25)


if __name__ == "__main__":
    main()
