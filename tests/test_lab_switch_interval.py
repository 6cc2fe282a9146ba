"""``sigkit lab switch-interval`` on a tiny sweep: a busy thread delays the Ctrl-C handler."""

from __future__ import annotations

import sys

import pytest
from conftest import require

from sigkit.errors import UsageError
from sigkit.lab import switch_interval


@pytest.fixture(scope="module")
def cells() -> list[switch_interval.Cell]:
    python = require("3.11")
    return switch_interval.run(python, intervals=(0.005,), threads=(0, 1), trials=3)


def test_one_cell_per_point_with_every_trial_measured(cells):
    assert [(c.switch_interval, c.threads) for c in cells] == [(0.005, 0), (0.005, 1)]
    for cell in cells:
        assert cell.version.startswith("3.11.")
        assert len(cell.handler_us) + cell.missing == 3
        assert cell.summary is not None


def test_a_busy_thread_delays_the_handler_by_a_switch_interval(cells):
    """One busy thread: main gets the GIL only after asking for a whole switch interval (5 ms).
    Load only adds to that; a ratio to the idle case would not survive a loaded machine (the
    idle case slows down too), so the bound is on the busy cell alone."""
    _, busy = cells
    assert busy.summary.p50 >= 0.5 * 5_000, busy.summary.p50  # µs


def test_python_2_is_refused_in_one_line():
    python = require("2.7")
    with pytest.raises(UsageError, match="setswitchinterval"):
        switch_interval.run(python, intervals=(0.005,), threads=(1,), trials=1)


@pytest.mark.parametrize(
    ("intervals", "threads", "trials", "message"),
    [((0.0,), (1,), 1, "switch intervals must be positive"),
     ((float("nan"),), (1,), 1, "switch intervals must be positive"),
     ((0.005,), (-1,), 1, "thread counts must be 0 or more"),
     ((0.005,), (1,), 0, "--trials must be at least 1")],
)
def test_impossible_sweeps_are_usage_errors(intervals, threads, trials, message):
    """A working interpreter, so that only the impossible value can be what is refused."""
    with pytest.raises(UsageError, match=message):
        switch_interval.run(sys.executable, intervals, threads, trials)
