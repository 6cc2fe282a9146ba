"""``sigkit inspect PID`` on processes the tests start (and always kill)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest
from conftest import require

from sigkit import stacks
from sigkit.diagnose.evidence import from_live

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
IGNORING = ("import signal, subprocess, time; signal.signal(signal.SIGINT, signal.SIG_IGN); "
            "child = subprocess.Popen(['sleep', '30']); print('ready', flush=True); time.sleep(30)")


@contextmanager
def running(*command: str) -> Iterator[subprocess.Popen[str]]:
    """Start a program in its own session (so no terminal), wait for its ready line, and kill
    its whole group afterwards, whatever happened."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().startswith("ready")
        yield proc
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:  # the test ended the whole group already (and reaped it)
            pass
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def test_json_shows_masks_stacks_and_findings_of_a_blocked_join(sigkit, py311):
    with running(py311, str(SCENARIOS / "blocked_join.py")) as proc:
        done = sigkit("inspect", str(proc.pid), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["schema"] == "sigkit.inspect/1" and report["python_version"] == "3.11"
    main = next(t for t in report["processes"][0]["threads"] if t["tid"] == proc.pid)
    assert "SIGINT" in main["masks"]["SigCgt"]  # Python's own handler is installed
    assert main["state"] == "S" and len(report["processes"][0]["threads"]) == 2
    threads = {t["name"]: t for t in report["stacks"]["threads"]}
    assert report["stacks"]["source"] == "py-spy" and set(threads) == {"MainThread", "server"}
    assert [f["function"] for f in threads["MainThread"]["frames"]][:2] == [
        "Thread._wait_for_tstate_lock", "Thread.join"]
    # Started in its own session: no terminal can send it a Ctrl-C -- worth knowing, not a fault.
    assert [(f["cause"], f["severity"]) for f in report["findings"]] == [
        ("not-foreground", "info")]


def test_a_process_that_ignores_sigint_and_has_a_child(sigkit, py311):
    with running(py311, "-c", IGNORING) as proc:
        text = sigkit("inspect", str(proc.pid))
        report = json.loads(sigkit("inspect", str(proc.pid), "--json").stdout)
    assert text.returncode == 0, text.stderr
    main = next(t for t in report["processes"][0]["threads"] if t["tid"] == proc.pid)
    assert "SIGINT" in main["masks"]["SigIgn"]
    assert [p["name"] for p in report["processes"][1:]] == ["sleep"]
    assert [f["cause"] for f in report["findings"]] == ["sigint-ignored", "not-foreground"]
    out = text.stdout
    assert "Threads (kernel view, /proc)" in out and f"{proc.pid} (main)" in out
    assert "Children: 1" in out and "(sleep)" in out
    assert "Python stacks (py-spy):" in out and '"MainThread"' in out
    assert "✗ sigint-ignored" in out and "Fix:" in out


def test_2_7_join_is_diagnosed_live_with_the_line_to_change(sigkit):
    python = require("2.7")
    with running(python, str(SCENARIOS / "blocked_join.py")) as proc:
        done = sigkit("inspect", str(proc.pid), "--json")
    findings = {f["cause"]: f for f in json.loads(done.stdout)["findings"]}
    assert "uninterruptible-wait" in findings
    assert "`worker.join()` at blocked_join.py" in findings["uninterruptible-wait"]["fix"]


def test_no_stacks_skips_py_spy(sigkit, py311):
    with running(py311, str(SCENARIOS / "idle.py")) as proc:
        report = json.loads(sigkit("inspect", str(proc.pid), "--json", "--no-stacks").stdout)
    assert report["stacks"]["threads"] == [] and "--no-stacks" in report["stacks"]["unavailable"]


def test_missing_py_spy_is_said_plainly(py311, monkeypatch):
    monkeypatch.setattr(stacks, "py_spy_path", lambda: None)
    with running(py311, str(SCENARIOS / "idle.py")) as proc:
        evidence = from_live(proc.pid)
    assert evidence.threads == [] and evidence.stacks_note is not None
    assert "py-spy is not installed" in evidence.stacks_note
    assert evidence.main_state is not None  # the kernel's view needs no py-spy


def gone_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("pid, message", [(str(gone_pid()), "no such process"),
                                          ("0", "not a process id"),
                                          ("abc", "Invalid value for 'PID'")])
def test_bad_pid_is_one_line_and_exit_2(sigkit, pid, message):
    done = sigkit("inspect", pid)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert message in done.stderr


def test_another_users_process_is_not_permitted(py311):
    """A process that dropped to nobody inspects one of root's: one clear sentence."""
    probe = ("import os, sys; from sigkit.diagnose.evidence import from_live; "
             "from sigkit.errors import UsageError; "
             "os.setgroups([]); os.setgid(65534); os.setuid(65534)\n"
             "try:\n    from_live(int(sys.argv[1]))\n"
             "except UsageError as error:\n    print(error); sys.exit(2)")
    if os.geteuid() != 0:
        pytest.fail("this test needs root, to own a process nobody may inspect")
    with running(py311, str(SCENARIOS / "idle.py")) as proc:
        done = subprocess.run([sys.executable, "-c", probe, str(proc.pid)], capture_output=True,
                              text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stdout.strip() == (f"not permitted to inspect pid {proc.pid}: it belongs to "
                                   "another user (run sigkit as that user, or as root)")


PROGRAMS = Path(__file__).resolve().parent / "programs"


def test_signal_to_a_program_that_catches_everything_names_the_catch(sigkit, py311):
    with running(py311, str(PROGRAMS / "catches_everything.py")) as proc:
        done = sigkit("inspect", str(proc.pid), "--signal", "INT", "--wait", "1", "--json")
        still_running = proc.poll() is None
    assert done.returncode == 0, done.stderr
    assert still_running
    report = json.loads(done.stdout)
    assert report["signal"] == {"name": "SIGINT", "to": "main", "wait_s": 1.0, "exited": False,
                                "exit_after_us": None}
    findings = {f["cause"]: f for f in report["findings"]}
    swallowed = findings["swallowed-interrupt"]
    assert any("SIGINT is caught (SigCgt) and no longer pending" in e for e in swallowed["evidence"])
    assert any(e.startswith("catches_everything.py:14: SK102") for e in swallowed["evidence"])
    assert "At catches_everything.py:14" in swallowed["fix"]
    assert report["before"]["stacks"]["threads"][0]["frames"][0]["function"] == "main"


def test_signal_that_ends_the_program_reports_how_long_it_took(sigkit, py311):
    with running(py311, str(PROGRAMS / "sleeps.py")) as proc:
        done = sigkit("inspect", str(proc.pid), "--signal", "TERM", "--wait", "5")
        status = proc.wait(timeout=10)
    assert done.returncode == 0, done.stderr
    assert status == -signal.SIGTERM  # ground truth: SIGTERM's default action ended it
    line = next(x for x in done.stdout.splitlines() if x.startswith("Sent SIGTERM"))
    assert line.startswith(f"Sent SIGTERM to pid {proc.pid} (the process alone): exited after ")
    assert "Diagnosis" not in done.stdout


def test_signal_to_the_group_reaches_the_children_too(sigkit):
    script = "sleep 30 & echo ready; wait"
    with running("sh", "-c", script) as proc:
        child = psutil.Process(proc.pid).children()[0]
        done = sigkit("inspect", str(proc.pid), "--signal", "TERM", "--to", "group", "--json")
        child_gone = not child.is_running() or child.status() == psutil.STATUS_ZOMBIE
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["signal"]["exited"] and child_gone


def test_an_unknown_signal_is_one_line_and_exit_2(sigkit, py311):
    with running(py311, str(PROGRAMS / "sleeps.py")) as proc:
        done = sigkit("inspect", str(proc.pid), "--signal", "USR1")
        assert proc.poll() is None
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "--signal must be one of INT, TERM, HUP, QUIT" in done.stderr


def test_a_refused_ptrace_says_what_to_do(sigkit, py311):
    """Without CAP_SYS_PTRACE, root may not read another user's process: one line of advice."""
    if os.geteuid() != 0:
        pytest.fail("this test needs root, to drop CAP_SYS_PTRACE and own a process as nobody")
    nobody = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
    with running(*nobody, py311, str(PROGRAMS / "sleeps.py")) as proc:
        done = subprocess.run(
            ["setpriv", "--bounding-set=-sys_ptrace", sys.executable, "-m", "sigkit", "inspect",
             str(proc.pid), "--json"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    note = json.loads(done.stdout)["stacks"]["unavailable"]
    assert note.startswith("ptrace not permitted") and "--cap-add SYS_PTRACE" in note


def test_signal_to_a_parent_says_the_wait_is_in_its_stubborn_child(sigkit, py311):
    """The parent takes the SIGINT and goes back to ``child.wait()``; the child ignores SIGINT
    and sleeps. inspect must look into the child too and say the wait is there."""
    with running(py311, str(PROGRAMS / "waits_for_a_stubborn_child.py")) as proc:
        [child] = psutil.Process(proc.pid).children()
        done = sigkit("inspect", str(proc.pid), "--signal", "INT", "--wait", "1", "--json")
        text = sigkit("inspect", str(proc.pid))
        both_running = proc.poll() is None and child.status() != psutil.STATUS_ZOMBIE
    assert done.returncode == 0, done.stderr
    assert both_running  # the ground truth: the SIGINT ended neither
    report = json.loads(done.stdout)
    child_main = next(t for t in report["tree_stacks"][str(child.pid)] if t["native_id"] == child.pid)
    assert child_main["frames"][0]["filename"] == "<string>"  # the child's time.sleep line
    swallowed = next(f for f in report["findings"] if f["cause"] == "swallowed-interrupt")
    said = " ".join(swallowed["evidence"])
    assert "Popen.wait" in said and "waits_for_a_stubborn_child.py:13" in said
    assert f"the wait is in child pid {child.pid} (python" in said and "ignores SIGINT" in said
    assert f"Python stacks of pid {child.pid} (python" in text.stdout
    assert f"The wait is in child pid {child.pid} (python" in " ".join(text.stdout.split())
