"""Read and parse whole workbooks in worker processes, as many as there are cores.

python-calamine aborts its process on some hostile sheets, and any reader can be driven to eat
all memory. Each worker reads one workbook at a time under an address-space limit
(``max_memory_mb``) and is given ``max_seconds`` per file: a worker that dies or overruns costs
only its file, which this process then pre-flights in full to say why (or reports as a reader
crash), and a fresh worker takes the next file. Workers pre-flight without the per-cell extent
scan (``safety`` module docstring) and send back the parsed ``Submission``, whose ledger
columns travel compactly (``columns.py``). Files go out largest first, so that the big ones do
not end up last on one core; results come back in the order of ``paths``.

A worker is a fresh interpreter started with ``-c`` (not multiprocessing: a fork would copy the
caller's threads, and spawn re-runs the caller's main module), talking pickles over its pipes.
"""

from __future__ import annotations

import contextlib
import pickle
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from chengbei_report.catalog import Catalog
from chengbei_report.codes import FILE_READER_CRASHED
from chengbei_report.read.safety import (
    MB,
    Limits,
    UnreadableWorkbook,
    preflight,
    timed_out,
)
from chengbei_report.read.submission import Submission, parse_submission
from chengbei_report.read.workbook import collector_paused, read_workbook

Outcome = Submission | UnreadableWorkbook
_WORKER = (
    "import pickle, sys; sys.path[:] = pickle.load(sys.stdin.buffer); "
    "from chengbei_report.read.workers import serve; serve()"
)


def core_count() -> int:
    """Cores this process may run on."""
    import os

    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def read_in_workers(
    paths: Sequence[Path], catalog: Catalog, limits: Limits, workers: int
) -> Iterator[tuple[Path, Outcome]]:
    """Each path with its parsed submission or its refusal, in order, read by ``workers``."""
    pool = _Pool(catalog, limits, max(1, min(workers, len(paths))))
    try:
        yield from pool.run(paths)
    finally:
        pool.close()


# --- in the worker ----------------------------------------------------------------------------


def serve() -> None:
    """A worker's life: the catalog and limits, then one file after another until ``None``."""
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but results may reach the pipe
    catalog, limits = pickle.load(source)
    _limit_memory(limits.max_memory_mb)
    while (path := pickle.load(source)) is not None:
        with collector_paused():
            pickle.dump(_read(path, catalog, limits), sink, protocol=pickle.HIGHEST_PROTOCOL)
        sink.flush()


def _read(path: Path, catalog: Catalog, limits: Limits) -> Outcome | Exception:
    try:
        workbook = read_workbook(path, limits, extents=False)
    except UnreadableWorkbook as exc:
        return exc
    try:
        return parse_submission(workbook, catalog)
    except Exception as exc:  # a defect: re-raised in the main process, as it would be there
        return exc


def _limit_memory(megabytes: int) -> None:
    """Cap this process's address space (where the platform allows it)."""
    try:
        import resource
    except ImportError:  # Windows: the worker still confines a crash, not memory
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = megabytes * MB
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft == resource.RLIM_INFINITY or wanted < soft:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


# --- in this process --------------------------------------------------------------------------

_GONE = object()  # what a worker's reader thread reports when the worker's output ends


class _Worker:
    """One worker process, and a thread turning its output into (worker, result) messages."""

    def __init__(self, setup: bytes, inbox: queue.Queue[tuple[_Worker, Any]]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.task: tuple[int, Path] | None = None
        self.deadline = 0.0
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin: IO[bytes] = self.process.stdin
        self._send_bytes(setup)
        threading.Thread(
            target=self._listen, args=(self.process.stdout, inbox), daemon=True
        ).start()

    def _listen(self, output: IO[bytes], inbox: queue.Queue[tuple[_Worker, Any]]) -> None:
        while True:
            try:
                inbox.put((self, pickle.load(output)))
            except Exception:  # EOF or a message cut short: the worker is gone
                inbox.put((self, _GONE))
                return

    def _send_bytes(self, data: bytes) -> None:
        try:
            self.stdin.write(data)
            self.stdin.flush()
        except OSError:  # the worker died; its reader thread reports it
            pass

    def send(self, index: int, path: Path, seconds: int) -> None:
        self.task = (index, path)
        self.deadline = time.monotonic() + seconds
        self._send_bytes(pickle.dumps(path))

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


class _Pool:
    def __init__(self, catalog: Catalog, limits: Limits, size: int) -> None:
        self.limits = limits
        self.inbox: queue.Queue[tuple[_Worker, Any]] = queue.Queue()
        self.setup = pickle.dumps(sys.path) + pickle.dumps((catalog, limits))
        self.workers = [_Worker(self.setup, self.inbox) for _ in range(size)]

    def run(self, paths: Sequence[Path]) -> Iterator[tuple[Path, Outcome]]:
        waiting = sorted(range(len(paths)), key=lambda i: (-_size(paths[i]), i))
        done: dict[int, Outcome] = {}
        following = 0
        while following < len(paths):
            for worker in self.workers:
                if worker.task is None and waiting:
                    index = waiting.pop(0)
                    worker.send(index, paths[index], self.limits.max_seconds)
            index, outcome = self._next()
            done[index] = outcome
            while following in done:
                yield paths[following], done.pop(following)
                following += 1

    def _next(self) -> tuple[int, Outcome]:
        """The next file finished: its result, or the refusal for a worker lost on it."""
        while True:
            busy = [w for w in self.workers if w.task is not None]
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            try:
                worker, message = self.inbox.get(timeout=timeout)
            except queue.Empty:
                late = min(busy, key=lambda w: w.deadline)
                return self._replace(late, timed_out(self.limits))
            if worker not in self.workers or worker.task is None:
                continue  # a worker already replaced
            if message is _GONE:
                worker.process.wait()
                refusal = _after_crash(worker.task[1], self.limits, worker.process.returncode)
                return self._replace(worker, refusal)
            if isinstance(message, Exception) and not isinstance(message, UnreadableWorkbook):
                raise message
            index, worker.task = worker.task[0], None
            return index, message

    def _replace(self, worker: _Worker, refusal: UnreadableWorkbook) -> tuple[int, Outcome]:
        assert worker.task is not None
        index = worker.task[0]
        worker.stop()
        self.workers[self.workers.index(worker)] = _Worker(self.setup, self.inbox)
        return index, refusal

    def close(self) -> None:
        for worker in self.workers:
            if worker.task is None:
                worker._send_bytes(pickle.dumps(None))
                with contextlib.suppress(OSError):
                    worker.stdin.close()
        for worker in self.workers:
            try:
                worker.process.wait(timeout=None if worker.task is None else 0)
            except subprocess.TimeoutExpired:
                worker.stop()


def _after_crash(path: Path, limits: Limits, exitcode: int | None) -> UnreadableWorkbook:
    """Why a file killed its reader: the full pre-flight's refusal, else the crash itself."""
    try:
        preflight(path, limits)
    except UnreadableWorkbook as exc:
        return exc
    return reader_crashed(exitcode, limits)


def reader_crashed(exitcode: int | None, limits: Limits) -> UnreadableWorkbook:
    """A file that passed every check but ended its reading process."""
    how = f"被信号 {-exitcode} 终止" if exitcode is not None and exitcode < 0 else "意外退出"
    return UnreadableWorkbook(
        FILE_READER_CRASHED,
        f"读取这份报表的进程{how}，报表未能读取；可能是文件内容异常，或读取时内存超过上限 "
        f"{limits.max_memory_mb} MB（max_memory_mb）。",
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
