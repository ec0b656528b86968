"""The document and its working paper stay a pair: after kill -9 at any system call, and with two builds at once.

Each crash runs the real build in a forked child whose ``os`` functions that write, rename,
flush or delete end the process (``os._exit``) at the N-th call, for every N of a build. The next
command (``repair_folder`` is the first thing ``build`` does) must leave the complete old pair
or the complete new pair, and nothing else, in the folder.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from chengbei_report import cli
from chengbei_report.commands.build import build_report
from chengbei_report.errors import OutputError
from chengbei_report.periods import Period
from chengbei_report.render import output
from chengbei_report.render.output import repair_folder, write_set
from chengbei_report.workspace import bundled_path

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")

PERIOD = Period.parse("2023H1")
INTRO = "现将工作总结汇报如下："
COUNTED = ("write", "replace", "rename", "unlink", "fsync")
KILLED = 137


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The bundled template (old pair) and one with an extra sentence (new pair)."""
    folder = tmp_path_factory.mktemp("templates")
    text = (bundled_path("templates") / "work_summary.md.j2").read_text(encoding="utf-8")
    old, new = folder / "old.md.j2", folder / "new.md.j2"
    old.write_text(text, encoding="utf-8")
    new.write_text(text.replace(INTRO, INTRO + "本期新增一段。", 1), encoding="utf-8")
    return old, new


@pytest.fixture(scope="module")
def pairs(
    tmp_path_factory: pytest.TempPathFactory, templates: tuple[Path, Path]
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The bytes of the old and the new pair, built normally (builds are reproducible)."""
    found = []
    for template in templates:
        out = tmp_path_factory.mktemp("pair")
        build_report(PERIOD, out_dir=out, template=template)
        found.append({p.name: p.read_bytes() for p in out.iterdir()})
    assert found[0] != found[1]
    return found[0], found[1]


def _in_child(action: Callable[[], object], patch: Callable[[], None] = lambda: None) -> int:
    """Run ``action`` in a forked child after ``patch``; its exit code (KILLED when patched away)."""
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        code = 1
        try:
            patch()
            action()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _kill_at(n: int) -> Callable[[], None]:
    """Patch ``os`` so that the N-th counted call ends the process, as kill -9 would."""

    def patch() -> None:
        counter = itertools.count(1)
        for name in COUNTED:
            real = getattr(os, name)

            def counted(
                *args: object, _real: Callable[..., object] = real, **kwargs: object
            ) -> object:
                if next(counter) == n:
                    os._exit(KILLED)
                return _real(*args, **kwargs)

            setattr(os, name, counted)

    return patch


def _state(out: Path, pairs: tuple[dict[str, bytes], dict[str, bytes]]) -> str:
    found = {p.name: p.read_bytes() for p in out.iterdir()}
    if found == pairs[0]:
        return "old"
    if found == pairs[1]:
        return "new"
    return f"mixed: {sorted(found)}"


def test_kill_at_every_call_of_a_build_leaves_a_pair(
    tmp_path: Path,
    templates: tuple[Path, Path],
    pairs: tuple[dict[str, bytes], dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The build computes its pair once; its write is then crashed at call 1, 2, 3 … in children."""
    out = tmp_path / "out"
    pristine = tmp_path / "pristine"
    pristine.mkdir()
    for name, data in pairs[0].items():
        (pristine / name).write_bytes(data)
    shutil.copytree(pristine, out)
    module = sys.modules[build_report.__module__]
    real_write_set = module.write_set
    outcomes: dict[int, str] = {}

    def crash_every_call(*args: Any, **kwargs: Any) -> Any:
        for n in itertools.count(1):
            shutil.rmtree(out)
            shutil.copytree(pristine, out)
            code = _in_child(lambda: real_write_set(*args, **kwargs), _kill_at(n))
            if code == 0:  # the write made fewer than n calls: every instant has been tried
                assert _state(out, pairs) == "new"
                break
            assert code == KILLED, f"call {n}: exit {code}"
            repair_folder(out)  # what the next command does first
            outcomes[n] = _state(out, pairs)
        shutil.rmtree(out)
        shutil.copytree(pristine, out)
        return real_write_set(*args, **kwargs)

    monkeypatch.setattr(module, "write_set", crash_every_call)
    assert build_report(PERIOD, out_dir=out, template=templates[1]).ok
    assert {state for state in outcomes.values()} == {"old", "new"}, outcomes
    assert len(outcomes) > 10  # write, flush and rename of two files and a journal, all tried


def test_the_next_build_repairs_an_interrupted_one_and_says_so(
    tmp_path: Path, templates: tuple[Path, Path], pairs: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name, data in pairs[0].items():
        (out / name).write_bytes(data)
    real_replace = os.replace
    moved = []

    def patch() -> None:
        def replace(source: object, target: object) -> None:
            # the journal is in place and the document has been moved: die before the working paper
            if str(target).endswith(".docx"):
                moved.append(target)
            elif moved and str(target).endswith("_底稿.xlsx"):
                os._exit(KILLED)
            real_replace(source, target)

        os.replace = replace  # type: ignore[assignment]

    code = _in_child(lambda: build_report(PERIOD, out_dir=out, template=templates[1]), patch)
    assert code == KILLED
    assert any(p.name.startswith(".cbr-") for p in out.iterdir())
    assert _state(out, pairs).startswith("mixed")
    # the next build into the folder finishes the interrupted pair first, and says so
    args = ["build", "-p", PERIOD.code, "-o", str(out), "-t", str(templates[0])]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    assert "注意：上次写入" in result.output and "已补完" in result.output
    assert _state(out, pairs) == "old"  # this build's own pair, installed over the repaired one


def test_two_builds_into_one_folder_never_mix(
    tmp_path: Path, templates: tuple[Path, Path], pairs: tuple[dict[str, bytes], dict[str, bytes]]
) -> None:
    """The first build stalls between its two renames; the second waits for it."""
    out = tmp_path / "out"
    real_replace = os.replace

    def stall() -> None:
        def replace(source: object, target: object) -> None:
            real_replace(source, target)
            if str(target).endswith(".docx"):
                time.sleep(1.5)

        os.replace = replace  # type: ignore[assignment]

    first = os.fork()
    if first == 0:
        code = 1
        try:
            stall()
            build_report(PERIOD, out_dir=out, template=templates[0])
            code = 0
        finally:
            os._exit(code)
    time.sleep(0.8)  # the first build is inside its stall by now
    second = build_report(PERIOD, out_dir=out, template=templates[1])
    _, status = os.waitpid(first, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert second.ok
    assert _state(out, pairs) in ("old", "new")


def test_a_writer_that_cannot_get_the_folder_stops_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output, "LOCK_WAIT_SECONDS", 0.2)
    handle = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        with pytest.raises(OutputError, match="另一个 chengbei-report 正在向") as caught:
            write_set([(tmp_path / "报告.docx", b"a"), (tmp_path / "底稿.xlsx", b"b")])
        assert str(tmp_path) in caught.value.message
    finally:
        os.close(handle)
    assert list(tmp_path.iterdir()) == []


def test_leftovers_of_an_old_crash_are_removed_and_reported(tmp_path: Path) -> None:
    (tmp_path / "报告.docx").write_bytes(b"old")
    (tmp_path / ".cbr-1234abcd.报告.docx.tmp").write_bytes(b"half")
    notes = repair_folder(tmp_path)
    assert notes == [f"已删除 {tmp_path} 中上次中断写入留下的 1 个临时文件，原有文件未受影响。"]
    assert [p.name for p in tmp_path.iterdir()] == ["报告.docx"]
    assert repair_folder(tmp_path) == []
