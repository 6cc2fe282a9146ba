"""``sigkit lab gil`` on a small N: the structure, and the orderings the GIL promises on 3.11."""

from __future__ import annotations

import pytest
from conftest import require

from sigkit.lab import gil, machine

N = 3_000_000  # ~0.2 s per count on 3.11: large enough to dwarf fork and thread start-up


@pytest.fixture(scope="module")
def measured() -> tuple[gil.GilResult, float]:
    """3.11's result, and how many CPUs other programs kept busy just before it."""
    python = require("3.11")
    busy = machine.busy_cpus()
    (result,) = gil.run([python], n=N, repeat=3, max_repeat=3)
    return result, busy


def test_every_mode_is_timed_under_the_named_interpreter(measured):
    result, _ = measured
    assert result.python.startswith("3.11.")
    assert result.gil is True
    assert result.n == N
    assert set(result.runs) == set(gil.MODES)
    assert all(run.wall > 0 and run.cpu > 0 for run in result.runs.values())


def test_two_counting_threads_never_keep_more_than_one_core_busy(measured):
    """One GIL: however the machine's load stretches the wall clock, the threaded run's CPU time
    stays within one core's worth of its wall time (processes, with a GIL each, may use two)."""
    result, _ = measured
    threads = result.runs["threads"]
    assert threads.cpu <= 1.2 * threads.wall, (threads.cpu, threads.wall)


def test_processes_beat_threads_on_two_free_cores(measured):
    """Needs a second core that is mostly free: otherwise the two processes take turns too."""
    result, busy = measured
    if result.cpus - busy < 1.5:
        pytest.skip(f"no second free core: {busy:.1f} of {result.cpus} CPUs busy before the run")
    assert result.runs["processes"].wall < result.runs["threads"].wall


def test_the_verdict_names_the_interpreter_and_is_withheld_on_too_few_runs(measured):
    """Three runs give figures but cannot show a spread: no conclusion is stated."""
    result, _ = measured
    assert result.verdict().startswith(result.python + ": ")
    assert "processes" in result.verdict()
    assert "too few runs to tell" in result.verdict()  # 3 runs: figures, but no verdict
