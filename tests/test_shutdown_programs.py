"""Programs that are on their way out when the deadline passes: a slow clean-up, asyncio waiting
for its default executor, a process pool's queue.  Each is probed for real; the test knows the
true behaviour from the program's design and checks the cause sigkit names -- and that none of its
claims contradicts its evidence."""

from __future__ import annotations

import programs
import pytest

from sigkit import ladder, scenarios
from sigkit.diagnose import diagnose
from sigkit.launch import ProbeOptions
from sigkit.timeline import Trial
from sigkit.trials import judged


def probe(name: str, python: str, **options) -> Trial:
    return judged(ProbeOptions(command=[python, programs.path(name)], expect="ready", **options))


def causes_of(trial: Trial) -> list[str]:
    return [f.cause for f in trial.findings]


def test_slow_finally_cut_by_the_second_press_is_a_clean_up_not_a_swallowed_interrupt(
        py311, unbacked_claims):
    trial = probe("slow_finally", py311)
    assert trial.presses_to_exit == 2  # the finally block (3 s) outlasted the 2 s deadline
    assert causes_of(trial) == ["slow-cleanup"]
    (found,) = trial.findings
    assert found.severity == "warning"
    assert any("still cleaning up at slow_finally.py:13 when the deadline passed" in line
               for line in found.evidence), found.evidence
    assert "the 2nd Ctrl-C cut the clean-up short" in found.evidence
    assert unbacked_claims(trial) == []


def test_slow_finally_within_a_long_deadline_is_information(py311, unbacked_claims):
    trial = probe("slow_finally", py311, deadline=8)
    assert trial.presses_to_exit == 1 and trial.ended_by == "KeyboardInterrupt"
    assert causes_of(trial) == ["slow-cleanup"]
    assert trial.findings[0].severity == "info"
    assert unbacked_claims(trial) == []


def test_a_sigterm_handler_that_sleeps_is_cleaning_up(py311, unbacked_claims):
    trial = probe("sleepy_sigterm_handler", py311, ladder=ladder.starting_with("TERM"))
    assert trial.exit_signal == "SIGKILL"
    # `kill -TERM`'s grace ran out (the stop contract), and the handler was cleaning up.
    assert causes_of(trial) == ["grace-overrun", "slow-cleanup"]
    cleanup = next(f for f in trial.findings if f.cause == "slow-cleanup")
    assert any("in the signal handler `on_term`" in line for line in cleanup.evidence)
    assert unbacked_claims(trial) == []


def test_asyncio_run_waits_in_shutdown_default_executor(py311, unbacked_claims):
    trial = probe("asyncio_executor_blocking", py311, ladder=("INT", "INT", "INT", "KILL"))
    assert trial.presses_to_exit == 3  # cancel, shutdown_default_executor, _python_exit
    assert "asyncio-executor-shutdown" in causes_of(trial)
    assert "swallowed-interrupt" not in causes_of(trial)
    found = next(f for f in trial.findings if f.cause == "asyncio-executor-shutdown")
    assert "Python 3.11: without a time limit" in " ".join(found.evidence)
    assert "`blocking` (asyncio_executor_blocking.py:10)" in found.fix
    assert unbacked_claims(trial) == []


def test_process_pool_exit_waits_for_the_queue(py311, unbacked_claims):
    trial = probe("process_pool_queued", py311, after=0.5)
    assert trial.presses_to_exit != 1
    assert "process-pool-shutdown" in causes_of(trial)
    assert "executor-shutdown" not in causes_of(trial)  # the thread pool's story is not this one
    found = next(f for f in trial.findings if f.cause == "process-pool-shutdown")
    assert "terminate_workers()" in found.fix and "3.14" in found.fix
    assert any(line.startswith("worker pid") for line in found.evidence)
    assert unbacked_claims(trial) == []


@pytest.mark.parametrize("fixed", [False, True], ids=["broken", "fixed"])
@pytest.mark.parametrize("name", [s.name for s in scenarios.discover()])
def test_scenario_findings_are_backed_by_their_evidence(scenario_trial, name, fixed,
                                                        unbacked_claims):
    """Every scenario on 3.11 (probes shared with the diagnosis tests): no finding's claim is
    contradicted by what the same trial measured (the mp-pool text once said workers got
    KeyboardInterrupt while they ignored SIGINT)."""
    trial = scenario_trial(name, fixed=fixed)
    trial.findings = diagnose(trial)
    assert unbacked_claims(trial) == []
