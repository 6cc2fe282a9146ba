"""PyPy (Debian's ``pypy3``, installed by .ci/run): named as PyPy, judged by its own header tokens,
and the PyPy behaviour the docs explain, measured here rather than assumed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sigkit import scenarios, stacks
from sigkit.interpreters import PYPY, identify
from sigkit.launch import ProbeOptions
from sigkit.scenario_run import run_cells

PYPY3 = shutil.which("pypy3")
pytestmark = pytest.mark.skipif(PYPY3 is None, reason="needs PyPy: apt-get install pypy3")


def test_pypy_is_identified_and_labelled_as_pypy() -> None:
    identity = identify(str(PYPY3))
    assert identity.implementation == PYPY
    assert identity.label == f"pypy{identity.version[0]}.{identity.version[1]}"


def test_pypy_scenarios_match_their_pypy_tokens_with_stacks_from_faulthandler() -> None:
    """busy-workers ends on one press and threadpool-exit on two: not CPython's 2 and 3."""
    chosen = [scenarios.get("busy-workers"), scenarios.get("threadpool-exit")]
    cells = run_cells(chosen, [False], [Path(str(PYPY3))], 1, ProbeOptions(command=[]))
    verdicts = {cell.scenario.name: (cell.observed, cell.expected) for cell in cells}
    assert verdicts == {"busy-workers": ("ki", "ki"), "threadpool-exit": ("presses=2", "presses=2")}
    pool = cells[1].trials[0]
    assert pool.interpreter is not None and pool.interpreter.implementation == PYPY
    # The first press did not end it, so sigkit asked faulthandler for every thread's stack.
    assert pool.stacks_source == "faulthandler"
    frames = [f.function for thread in stacks.parse(pool.stacks or "", "faulthandler")
              for f in thread.frames]
    assert "_wait_for_tstate_lock" in frames and "_worker" in frames


def test_run_names_the_interpreter_pypy(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "sigkit", "run", "idle", "--python", str(PYPY3)],
                          text=True, capture_output=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Scenario idle (broken) on pypy3." in done.stdout
    assert "as its header expects" in done.stdout


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

