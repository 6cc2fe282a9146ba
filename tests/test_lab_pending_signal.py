"""``sigkit lab pending-signal`` on 2.7 and 3.11: where the Ctrl-C lands, and the worker's pace.

What a noisy two-core machine cannot move is asserted: whether KeyboardInterrupt reached main
during the join, and counts on both sides of the press.  The pace per CPU second is asserted
with a wide margin only: 2.7 measured 0.16-0.25x after the press and 3.11 0.94-1.13x, over some
thirty runs with the machine's CPUs fully taken by other programs.
"""

from __future__ import annotations

import json
import signal

import pytest
from conftest import interpreter

from sigkit.lab import pending_signal


@pytest.fixture(scope="module")
def results() -> dict[str, pending_signal.Result]:
    pythons = {version: interpreter(version) for version in ("2.7", "3.11")}
    missing = [version for version, path in pythons.items() if path is None]
    if missing:
        pytest.skip(f"Python {', '.join(missing)} is not installed (pyenv install)")
    measured = pending_signal.run(
        [str(path) for path in pythons.values()], repeat=2, max_repeat=2, before=0.7, after=0.8
    )
    return dict(zip(pythons, measured))


def test_the_worker_counts_on_both_sides_of_the_press(results):
    for version, result in results.items():
        assert result.python.startswith(version + ".")
        assert len(result.runs) == 2
        for run in result.runs:
            assert run.before.count > 0 and run.after.count > 0
            assert run.before.cpu_seconds > 0 and run.after.cpu_seconds > 0
            assert run.samples[0].at < run.pressed_at < run.samples[-1].at


def test_on_311_ctrl_c_interrupts_the_join(results):
    for run in results["3.11"].runs:
        assert run.during_join
        assert run.answered_after is not None and run.answered_after > 0


def test_on_27_the_join_is_not_interrupted_until_the_worker_ends(results):
    for run in results["2.7"].runs:
        assert not run.during_join
        assert run.answered_after is not None  # it came, once join() returned


def test_the_pending_signal_slows_27_and_not_311(results):
    assert results["2.7"].verdict.median < 0.6
    assert results["3.11"].verdict.median > 0.75


def test_two_runs_are_too_few_for_a_verdict(results):
    for result in results.values():
        assert not result.verdict.settled
        assert "too few runs to tell" in result.saying()


def test_json_on_stdout_has_before_and_after_per_interpreter(sigkit):
    python = interpreter("2.7")
    if python is None:
        pytest.skip("Python 2.7 is not installed (pyenv install 2.7)")
    done = sigkit("lab", "pending-signal", "--python", "2.7", "--repeat", "1",
                  "--max-repeat", "1", "--json", "-")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)  # nothing but the JSON on stdout
    assert document["schema"] == "sigkit.lab.pending-signal/1"
    (entry,) = document["interpreters"]
    assert entry["python"].startswith("2.7.")
    for window in ("before", "after"):
        assert entry[window]["count"] > 0 and entry[window]["rate"] > 0
    assert entry["verdict"] is None  # one run states no verdict
    assert entry["runs"][0]["during_join"] is False


def test_the_press_lands_even_when_sigkit_was_started_with_sigint_ignored():
    """A background job of a non-interactive shell starts with SIGINT ignored, and children
    inherit that: Python would then install no KeyboardInterrupt handler at all."""
    python = interpreter("3.11")
    if python is None:
        pytest.skip("Python 3.11 is not installed (pyenv install 3.11)")
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        run = pending_signal.measure(python, before=0.5, after=0.5)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert run.during_join


def test_the_report_shows_table_chart_verdict_and_explanation(sigkit, tmp_path):
    python = interpreter("2.7")
    if python is None:
        pytest.skip("Python 2.7 is not installed (pyenv install 2.7)")
    written = tmp_path / "pending.json"
    done = sigkit("lab", "pending-signal", "--python", "2.7", "--repeat", "1",
                  "--max-repeat", "1", "--json", str(written))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "after ÷ before (CPU)" in out and "after join()" in out
    assert "┃" in out  # the press, on the worker's pace over time
    assert ": too few runs to tell (1 run: " in out
    assert "runs slow as hell" in out
    assert json.loads(written.read_text())["interpreters"][0]["python"].startswith("2.7.")


def synthetic(cpu_ratio: float, wall_ratio: float) -> pending_signal.Run:
    """A run whose worker counted 100 before the press and ``100 * cpu_ratio`` after, in one
    CPU second each, over ``cpu_ratio / wall_ratio`` wall seconds after."""
    sample = pending_signal.Sample
    after = pending_signal.Window(round(100 * cpu_ratio), cpu_ratio / wall_ratio, 1.0)
    return pending_signal.Run("3.11.7", (sample(0, 0, 0), sample(1, 1, 1)), 0.5,
                              pending_signal.Window(100, 1.0, 1.0), after, 0.005, True)


def test_a_noisy_wall_clock_is_named_beside_a_settled_cpu_verdict():
    steady = pending_signal.Result("python", [synthetic(1.0, 1.0) for _ in range(5)])
    assert "wall" not in steady.saying()
    noisy = pending_signal.Result("python", [synthetic(1.0, w) for w in (0.6, 1.1, 1, 0.7, 1)])
    said = noisy.saying()
    assert said.startswith("3.11.7: the same pace after the press: 1.00x")
    assert "per wall second the runs ranged 0.60-1.10x: the machine was too busy to tell" in said
