"""PyPy (Debian's ``pypy3``, installed by .ci/run): named as PyPy, judged by its own header tokens,
and the PyPy behaviour the docs explain, measured here rather than assumed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import SigkitCLI

from sigkit import scenarios, stacks
from sigkit.diagnose.evidence import ask_version
from sigkit.interpreters import PYPY, identify
from sigkit.launch import ProbeOptions
from sigkit.scenario_run import run_cells

PYPY3 = shutil.which("pypy3")
needs_pypy = pytest.mark.skipif(PYPY3 is None, reason="needs PyPy: apt-get install pypy3")
# What PyPy's faulthandler prints (PyPy 7.3.11): upper-case idents, approximate line numbers.
PYPY_DUMP = """\
Thread 0x7F965DBED6C0 (most recent call first, approximate line numbers):
  File "/usr/lib/pypy3.9/threading.py", line 923 in _bootstrap

Current thread 0x7F967149E780 (most recent call first, approximate line numbers):
  File "/app/main.py", line 27 in broken
  File "/app/main.py", line 1 in <module>
"""


def test_pypy_faulthandler_dumps_parse_with_whole_thread_idents() -> None:
    worker, main = stacks.parse(PYPY_DUMP, "faulthandler")
    assert (worker.ident, main.ident) == ("0x7F965DBED6C0", "0x7F967149E780")
    assert [f.function for f in main.frames] == ["broken", "<module>"]
    assert stacks.APPROXIMATE_LINES in PYPY_DUMP


@needs_pypy
def test_pypy_is_identified_and_labelled_as_pypy() -> None:
    identity = identify(str(PYPY3))
    assert identity.implementation == PYPY
    assert identity.label == f"pypy{identity.version[0]}.{identity.version[1]}"


@needs_pypy
def test_pypy_scenarios_match_their_pypy_tokens_with_stacks_from_faulthandler() -> None:
    """busy-workers ends on one press and threadpool-exit on two: not CPython's 2 and 3."""
    chosen = [scenarios.get(name) for name in ("busy-workers", "threadpool-exit", "main-c-call")]
    cells = run_cells(chosen, [False], [Path(str(PYPY3))], 1, ProbeOptions(command=[]))
    verdicts = {cell.scenario.name: (cell.observed, cell.expected) for cell in cells}
    assert verdicts == {"busy-workers": ("ki", "ki"), "threadpool-exit": ("presses=2", "presses=2"),
                        "main-c-call": ("term", "term")}
    # PyPy kills itself right after a top-level KeyboardInterrupt, skipping atexit: the probe
    # reports the threads from sys.excepthook instead, and the diagnosis says why they died.
    busy = cells[0].trials[0]
    assert busy.lost_threads == ["worker-0", "worker-1"]
    [lost] = busy.findings
    assert lost.cause == "lost-work"
    assert any(line.startswith("PyPy: the KeyboardInterrupt reached the top level")
               for line in lost.evidence)
    assert not any("90882" in line for line in lost.evidence)
    pool = cells[1].trials[0]
    assert pool.interpreter is not None and pool.interpreter.implementation == PYPY
    # The first press did not end it, so sigkit asked faulthandler for every thread's stack.
    assert pool.stacks_source == "faulthandler"
    frames = [f.function for thread in stacks.parse(pool.stacks or "", "faulthandler")
              for f in thread.frames]
    assert "_wait_for_tstate_lock" in frames and "_worker" in frames
    # The diagnosis names PyPy, not CPython, and quotes no source line for an approximate one:
    # PyPy's stack points at `def broken():`, the function's first line, not the C loop.
    [stuck] = cells[2].trials[0].findings
    assert stuck.cause == "main-in-c-call"
    assert any(line.startswith("PyPy's C handler ran") for line in stuck.evidence)
    assert "def broken" not in (stuck.fix or "")
    assert "a call in `broken` (near main_c_call.py:" in (stuck.fix or "")


@needs_pypy
def test_run_names_the_interpreter_pypy(sigkit: SigkitCLI, tmp_path: Path) -> None:
    done = sigkit("run", "idle", "--python", str(PYPY3), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Scenario idle (broken) on pypy3." in done.stdout
    assert "as its header expects" in done.stdout


@needs_pypy
def test_an_unhandled_keyboard_interrupt_skips_atexit_and_threads_on_pypy(tmp_path: Path) -> None:
    """The fact behind the PyPy rows: app_main.py kills the process with SIGINT right after the
    traceback, before the interpreter's shutdown (atexit handlers, threading._shutdown)."""
    script = tmp_path / "ki.py"
    script.write_text(textwrap.dedent("""
        import atexit, threading, time
        atexit.register(lambda: print("atexit ran", flush=True))
        threading.Thread(target=lambda: (time.sleep(1), print("worker done", flush=True))).start()
        try:
            raise KeyboardInterrupt
        finally:
            print("finally ran", flush=True)
    """))
    done = subprocess.run([str(PYPY3), str(script)], text=True, capture_output=True, timeout=60)
    assert done.returncode == -2  # killed by SIGINT
    assert done.stdout.splitlines() == ["finally ran"]
    cpython = subprocess.run([sys.executable, str(script)], text=True, capture_output=True,
                             timeout=60)
    assert cpython.stdout.splitlines() == ["finally ran", "worker done", "atexit ran"]



@needs_pypy
def test_inspect_names_pypy_and_says_why_py_spy_cannot_help(sigkit) -> None:
    """/proc shows /usr/bin/pypy3.9: the version comes from its name (or its --version), and
    py-spy is not run on it -- it reads only CPython's memory -- with the way to get stacks."""
    assert PYPY3 is not None
    truth = subprocess.run([PYPY3, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                           capture_output=True, text=True, check=True).stdout.strip()
    proc = subprocess.Popen([PYPY3, "-c", "import time; print('ready', flush=True); "
                             "time.sleep(60)"], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        report = json.loads(sigkit("inspect", str(proc.pid), "--json").stdout)
        text = sigkit("inspect", str(proc.pid)).stdout
    finally:
        proc.kill()
        proc.wait(10)
        if proc.stdout:
            proc.stdout.close()
    assert (report["implementation"], report["python_version"]) == (PYPY, truth)
    assert f"PyPy {truth}" in text and "unknown" not in text
    note = report["stacks"]["unavailable"]
    assert note.startswith("py-spy cannot read PyPy's stacks") and "sigkit probe" in note
    assert "py-spy failed" not in text


@needs_pypy
def test_a_pypy_named_without_its_version_is_asked(tmp_path: Path) -> None:
    """``pypy3`` (no version in the name): the executable's own --version says which."""
    assert PYPY3 is not None
    link = tmp_path / "pypy3"
    link.write_text(f"#!/bin/sh\nexec {PYPY3} \"$@\"\n")
    link.chmod(0o755)
    assert ask_version(str(link)) == (PYPY, identify(PYPY3).version)
