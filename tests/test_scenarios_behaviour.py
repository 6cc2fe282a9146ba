"""Every scenario does on a real interpreter what its header says (3.11; 2.7 where installed)."""

from __future__ import annotations

import statistics
from dataclasses import replace

import pytest
from conftest import require

from sigkit import scenarios
from sigkit.interpreters import identify
from sigkit.launch import ProbeOptions, probe
from sigkit.scenario_run import scenario_options
from sigkit.timeline import latencies_us

NAMES = [s.name for s in scenarios.discover()]


@pytest.mark.parametrize("fixed", [False, True], ids=["broken", "fixed"])
@pytest.mark.parametrize("name", NAMES)
def test_scenario_matches_its_header_on_311(name, fixed, scenario_trial, py311):
    scenario = scenarios.get(name)
    identity = identify(py311)
    version = identity.label
    expected = scenario.expected("fixed" if fixed else "broken", identity.version,
                                 identity.implementation)
    if expected is None:
        pytest.skip(f"{name} promises nothing for {version}")
    trial = scenario_trial(name, fixed, py311)
    assert trial.verdict in expected.split("|"), (
        f"{name} ({'fixed' if fixed else 'broken'}) on {version}: observed {trial.verdict}, "
        f"header expects {expected}\n{trial.output[-2000:]}"
    )
    assert not trial.orphans or name == "orphan-child"


def handler_latencies(name: str, fixed: bool, python: str, count: int,
                      args: tuple[str, ...] = ()) -> list[float]:
    scenario = scenarios.get(name)
    options = scenario_options(scenario, python, fixed, args, ProbeOptions([], deadline=2.0,
                                                                           interval=0.5))
    values = []
    for _ in range(count):
        handler = latencies_us(probe(replace(options)))["handler"]
        assert handler is not None
        values.append(handler)
    return values


def test_a_busy_worker_delays_the_handler_by_a_switch_interval(py311):
    """Main waits for the GIL one busy thread holds: the holder drops it only when main has
    asked for a whole switch interval (5 ms here).  A loaded machine only adds to that, so the
    bound holds under load, where a comparison with the idle program's latency does not.  (With
    two busy threads the GIL also changes hands between them, and main may get it sooner.)"""
    busy = statistics.median(handler_latencies("busy-workers", True, py311, 3, ("--threads", "1")))
    assert busy >= 0.5 * 5_000, busy  # µs: at least half a switch interval, whatever the load


def test_blocked_join_on_27_needs_more_than_ctrl_c_and_the_fix_works(scenario_trial):
    python = require("2.7")
    broken = scenario_trial("blocked-join", False, python)
    fixed = scenario_trial("blocked-join", True, python)
    assert broken.presses_to_exit is None or broken.presses[broken.presses_to_exit - 1].signal != "INT"
    assert broken.first_press.handler_ns is None  # join() without timeout is uninterruptible
    assert fixed.verdict == "ki"
