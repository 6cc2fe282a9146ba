"""``back-at-prompt``: the kernel evidence read on real processes, and the rule's decisions on
evidence built by hand (what must not be called a prompt)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import pexpect
import pytest

from sigkit import causes
from sigkit.diagnose import diagnose_evidence
from sigkit.diagnose.evidence import Evidence
from sigkit.procinfo import ProcessState, ThreadState, read_thread
from sigkit.stacks import Frame, ThreadStack
from sigkit.syscalls import terminal_wait

PID = 4242
READS_STDIN = "import sys; print('ready', flush=True); sys.stdin.readline()"


def settled(pid: int) -> ThreadState:
    """The main thread once it sleeps (the read has started)."""
    for _ in range(200):
        state = read_thread(pid, pid)
        if state is not None and state.state == "S":
            return state
        time.sleep(0.01)
    raise AssertionError(f"pid {pid} never went to sleep")


def test_a_read_on_the_terminal_is_seen_and_a_read_on_a_pipe_is_not():
    on_tty = pexpect.spawn(sys.executable, ["-c", READS_STDIN], encoding="utf-8", timeout=30)
    on_pipe = subprocess.Popen([sys.executable, "-c", READS_STDIN], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        on_tty.expect_exact("ready")
        assert on_pipe.stdout is not None and on_pipe.stdout.readline() == "ready\n"
        tty_wait = settled(on_tty.pid).terminal_wait
        pipe_state = settled(on_pipe.pid)
    finally:
        on_tty.close(force=True)
        on_pipe.kill()
        on_pipe.communicate()
    assert tty_wait.startswith("read(fd 0, /dev/pts/")
    assert pipe_state.terminal_wait == "" and terminal_wait(on_pipe.pid, on_pipe.pid) == ""


def kernel_thread(terminal: str = "", state: str = "S") -> ThreadState:
    masks = {"SigPnd": [], "ShdPnd": [], "SigBlk": [], "SigIgn": [], "SigCgt": ["SIGINT"]}
    return ThreadState(PID, "python", state, "wait_woken", masks, terminal)


def evidence(thread: ThreadState, frames: list[Frame], **fields) -> Evidence:
    stack = ThreadStack(ident="0x1", name="MainThread", native_id=PID, frames=frames)
    base = dict(pid=PID, version=(3, 11), deadline_missed=True, presses=1, arrival_us=100.0,
                handler_us=150.0, threads=[stack],
                processes=[ProcessState(PID, 1, "python", PID, PID, PID, (thread,))])
    return Evidence(**{**base, **fields})


def causes_of(ev: Evidence) -> list[tuple[str, str]]:
    return [(f.cause, f.severity) for f in diagnose_evidence(ev)]


def test_a_repl_with_no_python_frame_is_proved_by_the_kernel():
    ev = evidence(kernel_thread("pselect6(fd 0 only, /dev/pts/3)"), [], raised_in_time=True,
                  said="KeyboardInterrupt\r\n>>> ")
    assert causes_of(ev) == [("back-at-prompt", causes.INFO)]
    [found] = diagnose_evidence(ev)
    assert any("pselect6(fd 0 only, /dev/pts/3)" in line for line in found.evidence)
    assert "its output after the Ctrl-C ends with a prompt: '>>> '" in found.evidence


def test_no_terminal_wait_and_no_line_read_on_the_stack_is_not_a_prompt():
    """Main sleeps in its own code after the handler ran: not a prompt (the other rules or
    unexplained speak), even if the output happens to end without a newline."""
    sleeping = [Frame("main", "/app/loop.py", 9), Frame("<module>", "/app/loop.py", 12)]
    ev = evidence(kernel_thread(), sleeping, said="working... ")
    assert "back-at-prompt" not in [cause for cause, _ in causes_of(ev)]


@pytest.mark.parametrize("taken", [dict(handler_us=None), dict(handler_us=None, arrival_us=None)])
def test_a_terminal_wait_without_the_interrupt_reaching_python_is_not_a_prompt(taken):
    """Waiting for the terminal says nothing if the Ctrl-C never got into Python."""
    ev = evidence(kernel_thread("read(fd 0, /dev/pts/3)"), [], **taken)
    assert "back-at-prompt" not in [cause for cause, _ in causes_of(ev)]


def test_inspect_signal_int_on_a_live_repl(sigkit, py311):
    """A REPL sigkit did not start: the SIGINT sent with inspect --signal is taken, and the
    kernel shows the REPL waiting for its terminal (3.11's REPL loop has no Python frame)."""
    repl = pexpect.spawn(py311, ["-i"], encoding="utf-8", timeout=30)
    try:
        repl.expect_exact(">>> ")
        done = sigkit("inspect", str(repl.pid), "--signal", "INT", "--wait", "1", "--json")
        repl.sendline("print(6 * 7)")
        repl.expect_exact("42")  # the ground truth: still there, answering
    finally:
        repl.close(force=True)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["signal"]["exited"] is False
    found = [f for f in report["findings"] if f["cause"] == "back-at-prompt"]
    assert len(found) == 1 and found[0]["severity"] == "info"
    assert any(re.search(r"asleep in pselect6\(fd 0 only, /dev/pts/\d+\)", line)
               for line in found[0]["evidence"])
    assert "swallowed-interrupt" not in {f["cause"] for f in report["findings"]}
