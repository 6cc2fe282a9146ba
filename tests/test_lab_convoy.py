"""``sigkit lab convoy``: a CPU-bound thread slows the I/O thread's answers; nothing is left."""

from __future__ import annotations

import pytest
from conftest import require

from sigkit.lab import convoy
from sigkit.lab.child import LabError


@pytest.fixture(scope="module")
def cells() -> list[convoy.Cell]:
    python = require("3.11")
    return convoy.run([python], threads=(0, 1), pings=30)


def test_every_ping_is_answered(cells):
    assert [c.threads for c in cells] == [0, 1]
    for cell in cells:
        assert cell.version.startswith("3.11.")
        assert len(cell.rtt_us) == 30


def test_a_cpu_bound_thread_delays_the_echo_by_a_switch_interval(cells):
    """With a CPU-bound thread, the woken I/O thread gets the GIL only after asking for a whole
    switch interval (5 ms); load only adds to it (a ratio to the idle case would not survive)."""
    _, busy = cells
    assert busy.summary.p50 >= 0.5 * 5_000, busy.summary.p50  # µs


def test_a_missing_interpreter_is_one_line():
    with pytest.raises(LabError, match="cannot run"):
        convoy.run(["/nonexistent/python"], threads=(0,), pings=1)
