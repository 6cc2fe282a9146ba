"""The probe engine on real processes: timelines, escalation, stacks, orphans, odd targets."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import jsonschema
import psutil
import pytest
from conftest import require

from sigkit.errors import UsageError
from sigkit.launch import ProbeOptions, probe
from sigkit.report.json_report import load_schema, run_to_dict
from sigkit.timeline import ARRIVAL, EXIT, HANDLER, SEND, WAKEUP_REPLACED

FAST = {"deadline": 0.6, "interval": 0.4}

IDLE = """
import sys, time
print("ready"); sys.stdout.flush()
time.sleep(30)
"""

STUBBORN = """
import signal, sys, threading, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
def sleeper():
    while True:
        time.sleep(1)
threading.Thread(target=sleeper, name="sleeper").start()
print("ready"); sys.stdout.flush()
while True:
    time.sleep(1)
"""

ESCAPER = """
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
print("ready"); sys.stdout.flush()
time.sleep(30)
"""


def script(tmp_path: Path, source: str, name: str = "target.py") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return str(path)


def first_time(trial, kind):
    return next(e.t_ns for e in trial.events if e.kind == kind and e.pid in (trial.pid, None))


def test_idle_python_timeline_is_ordered(tmp_path, py311):
    trial = probe(ProbeOptions([py311, script(tmp_path, IDLE)], expect="ready", **FAST))
    assert trial.verdict == "ki"
    assert trial.ended_by == "KeyboardInterrupt"
    assert trial.exit_signal == "SIGINT"  # 3.8+: unhandled KeyboardInterrupt ends by SIGINT
    assert trial.interpreter is not None and trial.interpreter.version.startswith("3.11")
    sent, arrival, handler, exited = (first_time(trial, k) for k in (SEND, ARRIVAL, HANDLER, EXIT))
    assert sent <= arrival <= handler <= exited
    press = trial.first_press
    assert press.arrival_ns == arrival and press.handler_ns == handler and press.ended_it
    assert trial.presses_to_exit == 1
    assert not trial.orphans


def test_target_ignoring_int_and_term_ends_by_sigkill_with_stacks(tmp_path, py311):
    trial = probe(ProbeOptions([py311, script(tmp_path, STUBBORN)], expect="ready", **FAST))
    assert trial.verdict == "kill"
    assert trial.exit_signal == "SIGKILL"
    assert [p.signal for p in trial.presses] == ["INT", "INT", "TERM", "KILL"]
    assert all(p.handler_ns is None for p in trial.presses)  # SIG_IGN: no handler ever ran
    assert trial.stacks_source == "faulthandler"
    assert "in sleeper" in trial.stacks and "in <module>" in trial.stacks
    main = trial.proc_snapshot[0]["threads"][0]
    assert "SIGINT" in main["masks"]["SigIgn"]


def test_setsid_grandchild_is_found_killed_and_reported(tmp_path, py311):
    trial = probe(ProbeOptions([py311, script(tmp_path, ESCAPER)], expect="ready", **FAST))
    assert trial.verdict == "ki"
    assert len(trial.orphans) == 1
    orphan = trial.orphans[0]
    assert orphan.escaped_session
    assert "time.sleep(60)" in orphan.cmdline
    assert not psutil.pid_exists(orphan.pid) or psutil.Process(orphan.pid).status() == "zombie"


def test_shell_script_target_has_no_handler_events(tmp_path):
    path = tmp_path / "wait.sh"
    # exec: a press landing while sh forks its child (2 ms after "ready") would otherwise meet
    # sh between fork and wait, and sometimes take a second press; either process dies by SIGINT.
    path.write_text("echo ready\nexec sleep 30\n")
    trial = probe(ProbeOptions(["sh", str(path)], expect="ready", **FAST))
    assert trial.interpreter is None
    assert trial.exit_signal == "SIGINT"
    assert trial.verdict == "exit"  # ended by the first Ctrl-C, but not through KeyboardInterrupt
    assert trial.first_press.handler_ns is None and trial.exit_latency_ns is not None


@pytest.mark.parametrize("version", ["2.7", "3.6", "3.10", "3.13"])
def test_other_interpreters(tmp_path, version):
    """Each clock path of the in-target probe: 2.7 sends CLOCK_REALTIME, 3.6 float monotonic(),
    3.7+ monotonic_ns(); the stamps must still line up with sigkit's own."""
    python = require(version)
    trial = probe(ProbeOptions([python, script(tmp_path, IDLE)], expect="ready", **FAST))
    assert trial.interpreter.version.startswith(version + ".")
    assert trial.verdict == "ki"
    press = trial.first_press
    assert press.sent_ns <= press.arrival_ns <= press.handler_ns <= trial.exit_ns
    if version in ("2.7", "3.6"):
        # Before 3.8 an unhandled KeyboardInterrupt prints the traceback and exits 1.
        assert (trial.exit_code, trial.exit_signal) == (1, None)
    else:
        assert (trial.exit_code, trial.exit_signal) == (None, "SIGINT")


def test_program_installing_its_own_handler_is_still_measured(tmp_path, py311):
    source = """
    import signal, sys, time
    def polite(signum, frame):
        print("bye"); sys.exit(3)
    signal.signal(signal.SIGINT, polite)
    assert signal.getsignal(signal.SIGINT) is polite  # the probe's wrapper stays invisible
    print("ready"); sys.stdout.flush()
    time.sleep(30)
    """
    trial = probe(ProbeOptions([py311, script(tmp_path, source)], expect="ready", **FAST))
    assert trial.exit_code == 3 and trial.verdict == "exit"
    assert trial.first_press.handler_ns is not None
    assert "bye" in trial.output_after_press


def test_asyncio_replacing_the_wakeup_fd_keeps_handler_events(tmp_path, py311):
    source = """
    import asyncio, signal, sys
    async def main():
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        loop.add_signal_handler(signal.SIGINT, lambda: done.set_result("stopped"))
        print("ready"); sys.stdout.flush()
        print(await done)
    asyncio.run(main())
    """
    trial = probe(ProbeOptions([py311, script(tmp_path, source)], expect="ready", **FAST))
    assert any(e.kind == WAKEUP_REPLACED for e in trial.events)
    assert trial.exit_code == 0 and "stopped" in trial.output_after_press
    assert trial.first_press.handler_ns is not None


def test_asyncio_runner_default_handler_is_measured(tmp_path, py311):
    source = """
    import asyncio, sys
    async def main():
        print("ready"); sys.stdout.flush()
        await asyncio.sleep(30)
    asyncio.run(main())
    """
    trial = probe(ProbeOptions([py311, script(tmp_path, source)], expect="ready", **FAST))
    assert trial.ended_by == "KeyboardInterrupt"
    assert trial.first_press.handler_ns is not None


def test_existing_sitecustomize_still_runs(tmp_path, py311):
    user_site = tmp_path / "usersite"
    user_site.mkdir()
    (user_site / "sitecustomize.py").write_text("import builtins\nbuiltins.MARK = 'chained'\n")
    target = script(tmp_path, "import sys, time\nprint('mark=' + MARK); sys.stdout.flush()\ntime.sleep(30)\n")
    options = ProbeOptions([py311, target], expect="mark=", env={"PYTHONPATH": str(user_site)}, **FAST)
    trial = probe(options)
    assert "mark=chained" in trial.output
    assert trial.first_press.handler_ns is not None


def test_inherited_ignored_sigint_is_reset_unless_asked(tmp_path, py311):
    target = script(tmp_path, IDLE)

    def run(inherit):
        code = (
            "import signal, sys\n"
            "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"  # like a CI agent or `nohup`
            "from sigkit.launch import ProbeOptions, probe\n"
            f"t = probe(ProbeOptions([{py311!r}, {target!r}], expect='ready', deadline=0.6,"
            f" interval=0.4, inherit_signals={inherit}))\n"
            "print(t.verdict, t.presses[-1].signal if t.presses else None)\n"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=30)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert run(False) == "ki INT"
    # SIGINT stays ignored: Python never installs its handler, both Ctrl-Cs do nothing, and
    # the ladder's SIGTERM (default action: die) is what ends it.
    assert run(True) == "term TERM"


def test_exit_is_seen_by_waitpid_while_a_grandchild_holds_the_pty(tmp_path, py311):
    source = """
    import subprocess, sys, time
    # The grandchild inherits the pty and ignores ^C; it says "ready" once its trap is set.
    subprocess.Popen(["sh", "-c", "trap '' INT HUP; echo ready; sleep 3"])
    time.sleep(30)
    """
    started = time.monotonic()
    target = script(tmp_path, source)
    trial = probe(ProbeOptions([py311, target], expect="ready", orphan_settle=0.0, **FAST))
    assert trial.exit_ns is not None
    assert trial.exit_latency_ns < 500_000_000  # far below the 3 s the grandchild holds the pty
    assert time.monotonic() - started < 3
    assert trial.orphans  # the background sleep outlived the script: reported and killed


def test_expect_never_matching_is_a_result(tmp_path, py311):
    trial = probe(
        ProbeOptions([py311, script(tmp_path, IDLE)], expect="never-printed", ready_timeout=0.5)
    )
    assert trial.problem == "not-ready" and trial.verdict == "not-ready"
    assert not trial.presses


def test_target_exiting_before_the_press_is_a_result(tmp_path, py311):
    trial = probe(ProbeOptions([py311, "-c", "print('bye')"], after=1.0))
    assert trial.verdict == "exited-before-interrupt"
    assert trial.exit_code == 0


def test_missing_command_is_a_usage_error():
    with pytest.raises(UsageError, match="command not found"):
        probe(ProbeOptions(["surely-not-a-command-here"]))


def test_json_validates_against_the_schema(tmp_path, py311):
    trials = [
        probe(ProbeOptions([py311, script(tmp_path, IDLE)], expect="ready", **FAST)),
        probe(ProbeOptions([py311, script(tmp_path, STUBBORN, "s.py")], expect="ready", **FAST)),
        probe(ProbeOptions([py311, "-c", "pass"], after=0.5)),
    ]
    document = json.loads(json.dumps(run_to_dict(trials)))
    jsonschema.validate(document, load_schema())
    assert document["summary_us"]["handler"]["n"] == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["probe"], "no command given"),
        (["probe", "--", "surely-not-a-command-here"], "command not found"),
        (["probe", "--", "/etc"], "not executable"),
        (["probe", "--bogus", "--", "true"], "No such option"),
        (["probe", "--signal", "NOPE", "--", "true"], "unknown signal"),
        (["probe", "--expect", "(", "--", "true"], "not a valid regex"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(sigkit, args, message):
    done = sigkit(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_cli_file_without_execute_permission_is_exit_2(sigkit, tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("not a program\n")
    plain.chmod(0o644)
    done = sigkit("probe", "--", str(plain))
    assert done.returncode == 2 and "not executable" in done.stderr


def test_cli_json_to_stdout_and_percentiles(sigkit, tmp_path, py311):
    done = sigkit("probe", "--expect", "ready", "-n", "3", "--json", "-", "--", py311,
                   script(tmp_path, IDLE))
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    jsonschema.validate(document, load_schema())
    assert len(document["trials"]) == 3
    summary = document["summary_us"]["handler"]
    assert summary["n"] == 3 and summary["p50"] <= summary["p95"] <= summary["max"]


def test_sigkit_interrupted_mid_run_exits_130_and_leaves_nothing(tmp_path, py311):
    sigkit = subprocess.Popen(
        [sys.executable, "-m", "sigkit", "probe", "--expect", "ready", "--deadline", "30",
         "--", py311, script(tmp_path, STUBBORN)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 20
        target = None
        while time.monotonic() < deadline and target is None:
            for child in psutil.Process(sigkit.pid).children(recursive=True):
                if "target.py" in " ".join(child.cmdline()):
                    target = child
            time.sleep(0.05)
        assert target is not None, "the target never started"
        time.sleep(0.5)  # let sigkit press Ctrl-C and start waiting out the long deadline
        os.killpg(sigkit.pid, signal.SIGINT)  # Ctrl-C in sigkit's own terminal
        pressed = time.monotonic()
        code = sigkit.wait(timeout=10)
        assert code == 130
        assert time.monotonic() - pressed < 3
        assert not target.is_running() or target.status() == psutil.STATUS_ZOMBIE
        assert b"Traceback" not in sigkit.stderr.read()
    finally:
        if sigkit.poll() is None:
            sigkit.kill()
            sigkit.wait()
