"""Time reading, validating and building a large workspace side by side, against the floor.

Every measurement is a separate Python process: its wall time, its CPU time (user + system, its
worker processes included, from ``os.wait4``) and the peak of the resident memory of it and all
its children together (sampled from /proc every few milliseconds; ``ru_maxrss`` only where /proc
is missing), each also as a ratio to the floor:

  (a) the floor: python-calamine reading every sheet of the period's workbooks into lists;
  (b) ``pandas.read_excel(engine="openpyxl")`` of the same sheets — slow, so by default run on
      a sample of whole workbooks and scaled by row count (``--pandas-full`` reads them all);
  (c) ``chengbei-report validate`` and (d) ``chengbei-report build`` on that workspace.

    python benchmarks/run.py                 # 1,000,000 ledger rows
    python benchmarks/run.py --rows 100000   # quicker
    python benchmarks/run.py --scaling 100000,300000   # plus a line: cost per row at each size
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
TARGET_WALL = 1.0
TARGET_CPU = 1.5
TARGET_MEMORY_MIB = 1024
SAMPLE_SECONDS = 0.02
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
    cpu: float
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
        "--scaling",
        type=lambda text: [int(part) for part in text.split(",") if part],
        default=[],
        help="另测这些行数（逗号分隔）的下限与 build，列出每行耗时",
    )
    parser.add_argument(
        "--profile", action="store_true", help="另用 cProfile 剖析 build 并列出耗时最多的函数"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    workspace = prepare_workspace(args, args.rows)
    folder = workspace / "submissions" / PERIOD
    print(f"工作区：{workspace}")
    floor = measure_floor(folder)
    counts: dict[str, int] = json.loads(floor.stdout)
    build = measure_build(workspace)
    results = [
        floor,
        measure_pandas(folder, counts, args),
        measure_cli(
            "(c) chengbei-report validate", ["validate", "-p", PERIOD, "-w", str(workspace)]
        ),
        build,
    ]
    print_table(results, floor, sum(counts.values()), len(counts))
    if args.scaling:
        points = [(args.rows, floor, build)]
        for rows in args.scaling:
            other = prepare_workspace(args, rows)
            points.append(
                (rows, measure_floor(other / "submissions" / PERIOD), measure_build(other))
            )
        print_scaling(sorted(points, key=lambda point: point[0]))
    if args.profile:
        profile_build(workspace)


def measure_floor(folder: Path) -> Measurement:
    return measure(
        "(a) calamine 读入列表（下限）", [sys.executable, "-c", FLOOR_SCRIPT, str(folder)]
    )


def measure_build(workspace: Path) -> Measurement:
    out = tempfile.mkdtemp(prefix="bench-out-")
    return measure_cli(
        "(d) chengbei-report build", ["build", "-p", PERIOD, "-w", str(workspace), "-o", out]
    )


def prepare_workspace(args: argparse.Namespace, rows: int) -> Path:
    """The given workspace, or a generated one reused across runs with the same size and seed."""
    if args.workspace and not args.regenerate and rows == args.rows:
        return args.workspace.resolve()
    target = Path(tempfile.gettempdir()) / f"chengbei-bench-{rows}-{args.seed}"
    if rows == args.rows and args.workspace:
        target = args.workspace
    if args.regenerate or not (target / DONE_MARK).is_file():
        started = time.perf_counter()
        rows = make_workspace(target, rows, args.seed)
        (target / DONE_MARK).write_text(str(rows), encoding="utf-8")
        print(f"已生成工作区（台账 {rows} 行），用时 {time.perf_counter() - started:.1f} 秒")
    return target.resolve()


def measure(label: str, argv: list[str], note: str = "") -> Measurement:
    """Run one process: wall time, CPU of it and its children, peak memory of the whole tree."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT)
        peak = _tree_peak_kib(process)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode not in (0, 1):
        note = f"退出码 {process.returncode}：{stderr.strip().splitlines()[-1:] or ''}"
    cpu = usage.ru_utime + usage.ru_stime
    peak_mib = max(peak, usage.ru_maxrss) / 1024
    return Measurement(label, seconds, cpu, peak_mib, process.returncode, note, stdout)


def _tree_peak_kib(process: subprocess.Popen[bytes]) -> int:
    """Largest sum of resident memory over ``process`` and its descendants until it exits."""
    peak = 0
    while os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        peak = max(peak, sum(map(_rss_kib, _tree(process.pid))))
        time.sleep(SAMPLE_SECONDS)
    return peak


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc (just ``pid`` where /proc is missing)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                queue.extend(int(child) for child in task.read_text().split())
            except OSError:
                continue
    return found


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


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
        result.cpu *= total / sampled
        result.note = (
            f"抽样 {len(chosen)} 个报表共 {sampled} 行，时间与 CPU 按行数折算；内存为抽样实测"
        )
    return result


def print_table(results: list[Measurement], floor: Measurement, rows: int, files: int) -> None:
    print(
        f"\n{files} 个报表，全部工作表共 {rows} 行；Python {platform.python_version()}，"
        f"{os.cpu_count()} 核，{platform.machine()}；开始时负载 {_load()}"
    )
    print(
        f"{'项目':<30}{'耗时(秒)':>9}{'CPU(秒)':>9}{'耗时/下限':>9}{'CPU/下限':>9}"
        f"{'峰值内存(MiB)':>14}  说明"
    )
    for item in results:
        print(
            f"{item.label:<32}{item.seconds:>10.2f}{item.cpu:>10.2f}"
            f"{item.seconds / floor.seconds:>10.2f}×{item.cpu / floor.cpu:>9.2f}×"
            f"{item.peak_mib:>12.0f}  {item.note}"
        )
    for item in results[2:]:
        wall, cpu = item.seconds / floor.seconds, item.cpu / floor.cpu
        ok = wall <= TARGET_WALL and cpu <= TARGET_CPU and item.peak_mib < TARGET_MEMORY_MIB
        print(
            f"目标（耗时 ≤ {TARGET_WALL}×、CPU ≤ {TARGET_CPU}× 下限，内存 < 1 GiB）"
            f"{item.label}：{'达标' if ok else '未达标'}"
        )


def _load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "未知"


def print_scaling(points: list[tuple[int, Measurement, Measurement]]) -> None:
    """Cost per ledger row at each size: flat columns mean cost linear in rows."""
    print("\n按行数伸缩（每行微秒；各列持平即耗时与行数成正比）")
    print(f"{'行数':>10}{'下限 CPU':>12}{'build 耗时':>12}{'build CPU':>12}{'CPU/下限':>10}")
    for rows, floor, build in points:
        print(
            f"{rows:>12}{floor.cpu / rows * 1e6:>12.1f}{build.seconds / rows * 1e6:>12.1f}"
            f"{build.cpu / rows * 1e6:>12.1f}{build.cpu / floor.cpu:>9.2f}×"
        )


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
