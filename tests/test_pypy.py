"""PyPy (Debian's ``pypy3``, installed by .ci/run): named as PyPy, judged by its own header tokens,
and the PyPy behaviour the docs explain, measured here rather than assumed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import SigkitCLI

from sigkit import scenarios, stacks
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

