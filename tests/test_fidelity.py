"""Real-world fidelity: any signal, presses to exit, version-aware lost work, output classes."""

from __future__ import annotations

import textwrap

import pytest
from conftest import require

from sigkit.launch import ProbeOptions, probe
from sigkit.output import CLEAN, SHUTDOWN_NOISE, SILENT, TRACEBACK, classify

FAST = {"deadline": 0.8, "interval": 0.4}

GRACEFUL_TERM = """
import signal, sys, time
def stop(signum, frame):
    print("shutting down cleanly"); sys.stdout.flush()
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print("ready"); sys.stdout.flush()
time.sleep(30)
"""

NEEDS_THREE = """
import signal, sys, time
presses = []
def count(signum, frame):
    presses.append(signum)
    if len(presses) == 3:
        raise KeyboardInterrupt
signal.signal(signal.SIGINT, count)
print("ready"); sys.stdout.flush()
while True:
    time.sleep(0.05)
"""


def write(tmp_path, source, name="app.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return str(path)


def test_sigterm_inside_the_grace_period(tmp_path, py311):
    app = write(tmp_path, GRACEFUL_TERM)
    trial = probe(ProbeOptions([py311, app], expect="ready", ladder=("TERM", "KILL"), **FAST))
    assert trial.verdict == "exit" and trial.exit_code == 0
    assert trial.presses[0].signal == "TERM" and trial.presses[0].handler_ns is not None
    assert "shutting down cleanly" in trial.output_after_press


def test_sighup_to_the_group_like_a_closing_terminal(tmp_path, py311):
    trial = probe(ProbeOptions([py311, write(tmp_path, GRACEFUL_TERM)], expect="ready",
                               ladder=("HUP", "KILL"), **FAST))
    assert trial.exit_signal == "SIGHUP" and trial.ended_by == "SIGHUP"
    assert trial.verdict == "exit"  # the first signal sent ended it


def test_presses_to_exit_counts_each_press_and_its_latency(tmp_path, py311):
    trial = probe(ProbeOptions([py311, write(tmp_path, NEEDS_THREE)], expect="ready",
                               ladder=("INT", "INT", "INT", "TERM", "KILL"), **FAST))
    assert trial.presses_to_exit == 3 and trial.verdict == "presses=3"
    assert [p.ended_it for p in trial.presses] == [False, False, True]
    assert all(p.handler_ns is not None and p.handler_ns > p.sent_ns for p in trial.presses)


@pytest.mark.parametrize("version, presses", [("3.11", 1), ("3.12", 1), ("3.13", 2)])
def test_interrupted_join_kills_workers_on_39_to_312(version, presses, scenario_trial):
    """python/cpython#90882: on 3.9-3.12 an interrupted join() marks the thread finished, so one
    Ctrl-C exits at once; 3.13 joins the worker again at shutdown and needs a second press. Either
    way the worker dies mid-work, and the probe inside the target sees it at exit."""
    python = require(version)
    trial = scenario_trial("blocked-join", False, python)
    assert trial.presses_to_exit == presses
    assert trial.lost_threads == ["server"]


def test_output_classes():
    assert classify("") == [SILENT]
    assert classify("^C\r\nbye\r\n") == [CLEAN]
    traceback = "Traceback (most recent call last):\n  File \"x\", line 1\nKeyboardInterrupt\n"
    assert classify(traceback) == [TRACEBACK]
    noise = "Exception ignored in: <module 'threading'>\nTraceback (most recent call last):\n"
    assert classify(noise) == [TRACEBACK, SHUTDOWN_NOISE]
    coloured = "\x1b[35mTraceback (most recent call last):\x1b[0m\nKeyboardInterrupt"
    assert classify(coloured) == [TRACEBACK]


def test_313_traceback_is_not_coloured_in_the_pty(tmp_path):
    python = require("3.13")
    app = write(tmp_path, "import sys, time\nprint('ready'); sys.stdout.flush()\ntime.sleep(9)\n")
    trial = probe(ProbeOptions([python, app], expect="ready", **FAST))
    assert "\x1b[" not in trial.output_after_press
    assert classify(trial.output_after_press) == [TRACEBACK]
