"""The sample project of the check tests (tests/programs/check_apps): known Ctrl-C behaviour.

The tests here pin down that each app really behaves as its name says (on the engine alone), so
a failure elsewhere points at sigkit check, not at the app.  Each app prints its readiness line
only once it is where the Ctrl-C should land (inside the ``try``, after installing its handler):
pressed any earlier, the press would test something else.
"""

from __future__ import annotations

from pathlib import Path

from programs import write_apps

from sigkit.launch import ProbeOptions, probe


def run_app(folder: Path, python: str, name: str, deadline: float = 0.5):
    return probe(ProbeOptions([python, name], expect="ready",
                              deadline=deadline, interval=0.5, cwd=str(folder)))


def test_sample_apps_behave_as_named(tmp_path, py311):
    write_apps(tmp_path)
    good = run_app(tmp_path, py311, "good.py")
    assert (good.verdict, good.ended_by, good.exit_signal) == ("ki", "KeyboardInterrupt", "SIGINT")
    polite = run_app(tmp_path, py311, "polite.py")
    assert (polite.verdict, polite.exit_code) == ("exit", 130)
    stubborn = run_app(tmp_path, py311, "stubborn.py")
    assert stubborn.presses_to_exit == 2
    leaky = run_app(tmp_path, py311, "leaky.py")
    assert leaky.verdict == "ki"
    assert [o.name for o in leaky.orphans] == ["python"]
    slow = run_app(tmp_path, py311, "slow.py", deadline=5.0)
    latency_ms = (slow.presses[0].handler_ns - slow.presses[0].sent_ns) / 1e6
    assert slow.verdict == "ki" and latency_ms > 100
    lossy = run_app(tmp_path, py311, "lossy.py")
    assert (lossy.verdict, lossy.lost_threads) == ("ki", ["worker"])
