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


def handler_latencies(name: str, fixed: bool, python: str, count: int) -> list[float]:
    scenario = scenarios.get(name)
    options = scenario_options(scenario, python, fixed, (), ProbeOptions([], deadline=2.0,
                                                                         interval=0.5))
    values = []
    for _ in range(count):
        handler = latencies_us(probe(replace(options)))["handler"]
        assert handler is not None
        values.append(handler)
    return values


def test_busy_workers_delay_the_handler_beyond_idle(py311):
    idle = statistics.median(handler_latencies("idle", False, py311, 3))
    busy = statistics.median(handler_latencies("busy-workers", True, py311, 3))
    # One busy thread makes the main thread wait for a GIL hand-off (5 ms switch interval);
    # idle answers in well under a millisecond. A 3× margin leaves room for a noisy machine.
    assert busy > 3 * idle, (idle, busy)


def test_blocked_join_on_27_needs_more_than_ctrl_c_and_the_fix_works(scenario_trial):
    python = require("2.7")
    broken = scenario_trial("blocked-join", False, python)
    fixed = scenario_trial("blocked-join", True, python)
    assert broken.presses_to_exit is None or broken.presses[broken.presses_to_exit - 1].signal != "INT"
    assert broken.first_press.handler_ns is None  # join() without timeout is uninterruptible
    assert fixed.verdict == "ki"
