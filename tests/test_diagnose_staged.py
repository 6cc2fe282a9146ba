"""Diagnosis of staged programs and latency budgets: causes the scenario library does not stage,
and the timing rules, on real processes."""

from __future__ import annotations

import pytest

from sigkit import scenarios
from sigkit.diagnose import diagnose
from sigkit.diagnose.evidence import NOTICEABLE_US, SWITCH_INTERVAL_US
from sigkit.launch import ProbeOptions, probe
from sigkit.timeline import latencies_us

# Main blocks SIGINT *after* starting a worker: the worker leaves it unblocked, so the kernel
# delivers Ctrl-C there, and main's sleep is never interrupted.
SIGMASK_PROGRAM = """
import signal, threading, time
threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
print("ready", flush=True)
time.sleep(30)
"""


def causes(findings) -> list[str]:
    return [f.cause for f in findings]


def test_sigint_blocked_in_main_is_named_with_the_thread_that_gets_it(py311):
    trial = probe(ProbeOptions([py311, "-c", SIGMASK_PROGRAM], expect="^ready", deadline=0.5,
                               interval=0.3))
    findings = diagnose(trial)
    assert causes(findings) == ["sigint-blocked"]
    evidence = " ".join(findings[0].evidence)
    assert f"SigBlk of the main thread (tid {trial.pid})" in evidence
    assert "leave it unblocked" in evidence  # the worker received it instead
    assert findings[0].fix.startswith("Unblock SIGINT in the main thread")  # -c: no file to cite
    assert "SIG_UNBLOCK" in findings[0].fix


def test_gil_holder_found_in_the_snapshot_when_the_hog_outlasts_the_deadline(py311):
    """With a 3 s C call the first Ctrl-C misses a 0.5 s deadline: the snapshot shows main
    asleep and the worker on a CPU, and the fix quotes the worker's line."""
    scenario = scenarios.get("gil-hog")
    trial = probe(ProbeOptions(scenario.command(py311, extra_args=["--hold", "3"]),
                               expect=scenario.ready, deadline=0.5, interval=0.3))
    findings = diagnose(trial)
    assert causes(findings) == ["gil-held-by-worker"]
    evidence = " ".join(findings[0].evidence)
    assert "on a CPU while main waits" in evidence
    assert "`sum(numbers(n))`" in findings[0].fix


def test_a_busy_worker_breaks_a_budget_by_a_switch_interval(py311):
    """One pure-Python thread spinning, main in join(): main waits one switch interval for the
    GIL, then forces the hand-over. (With several busy threads main may also win the GIL at one
    of their own switches, so its wait is anywhere from 0 to k intervals.)"""
    scenario = scenarios.get("busy-workers")
    trial = probe(ProbeOptions(scenario.command(py311, extra_args=["--threads", "1"]),
                               expect=scenario.ready, after=0.3, deadline=0.5, interval=0.3))
    waited = latencies_us(trial)["handler_after_arrival"]
    assert waited is not None and SWITCH_INTERVAL_US / 2 <= waited < NOTICEABLE_US
    findings = {f.cause: f for f in diagnose(trial, budget_us=1000)}
    assert "busy-workers" in findings
    assert "x the 5.00 ms switch interval" in " ".join(findings["busy-workers"].evidence)
    assert "busy-workers" not in causes(diagnose(trial))  # no budget, no latency finding


def test_idle_judged_against_budgets_around_its_own_latency(scenario_trial, py311):
    """The same trial against two budgets: the rules judge the figures, not the program (the
    budgets come from the trial, so a slow machine does not change the answer)."""
    trial = scenario_trial("idle", False, py311)
    handler = latencies_us(trial)["handler"]
    assert handler is not None
    assert diagnose(trial, budget_us=2 * handler) == []
    findings = diagnose(trial, budget_us=handler / 2)
    assert causes(findings) == ["slow-handler"]
    assert "--deadline" in findings[0].fix


@pytest.mark.parametrize("factor", [None, 2.0])
def test_a_healthy_trial_has_no_findings(scenario_trial, py311, factor):
    trial = scenario_trial("lock-wait", True, py311)
    handler = latencies_us(trial)["handler"]
    assert handler is not None
    assert diagnose(trial, budget_us=factor and factor * handler) == []
