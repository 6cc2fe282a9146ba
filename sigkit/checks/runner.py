"""Turn checks into probes, run them, judge them.

Everything that can be wrong with a config — an unknown scenario, a missing interpreter, a command
that does not exist — is found by :func:`plan` before the first probe starts: a CI job should fail
in a second with one line, not after ten minutes of probing with a traceback.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sigkit import interpreters, scenarios
from sigkit.checks.budgets import BudgetResult, evaluate
from sigkit.checks.config import Check, Config
from sigkit.checks.load import MachineLoad, cpu_count, load_average, overload_warning
from sigkit.errors import UsageError
from sigkit.ladder import DEFAULT_LADDER
from sigkit.launch import ProbeOptions, check_command
from sigkit.scenario_run import scenario_options
from sigkit.timeline import Trial
from sigkit.trials import after_first, judged


@dataclass(frozen=True)
class Case:
    """One check on one interpreter (a scenario on three Pythons is three cases)."""

    check: Check
    label: str  # "app", or "app[3.11]" for a scenario run on several interpreters
    interpreter: str | None  # the spec from ``interpreters``; None for a command
    options: ProbeOptions


@dataclass(frozen=True)
class CaseResult:
    case: Case
    trials: list[Trial]
    budgets: list[BudgetResult]
    seconds: float
    load: MachineLoad | None = None

    @property
    def passed(self) -> bool:
        return all(budget.passed for budget in self.budgets)

    @property
    def load_warning(self) -> str | None:
        """Set when a latency budget was judged while the machine had more work than CPUs."""
        judged_latency = any(budget.limit_ms is not None for budget in self.budgets)
        if self.load is None or not judged_latency or not self.load.overloaded:
            return None
        return overload_warning(self.load, self.case.label)

def plan(config: Config, only: Sequence[str] = ()) -> list[Case]:
    """The cases to run: every check, or those named by ``only`` (a check name or a case label).

    Selection comes before resolution, so a CI job running ``--only 'join[3.11]'`` does not need
    the other checks' interpreters or commands installed.
    """
    wanted = [(check, spec) for check in config.checks for spec in check.interpreters or (None,)]
    if only:
        known = {check.name for check in config.checks} | {_label(c, s) for c, s in wanted}
        for name in only:
            if name not in known:
                names = ", ".join(check.name for check in config.checks)
                raise UsageError(
                    f"--only: no check named {name!r} in {config.shown} (checks: {names})")
        wanted = [(c, s) for c, s in wanted if c.name in only or _label(c, s) in only]
    cases = []
    for check, spec in wanted:
        try:
            cases.append(_case(check, spec))
        except UsageError as error:
            raise UsageError(f"{config.shown}: check {check.name!r}: {error}") from None
    return cases


def _label(check: Check, spec: str | None) -> str:
    return f"{check.name}[{spec}]" if spec else check.name


def _case(check: Check, spec: str | None) -> Case:
    if check.command is not None:
        command = _anchored(list(check.command), check)
        check_command(command)
        return Case(check, check.name, None, _options(check, command, check.expect, None))
    assert check.scenario is not None
    scenario = scenarios.get(check.scenario)
    python = str(interpreters.resolve(spec)) if spec else sys.executable
    base = _options(check, [], check.expect, None)
    options = scenario_options(scenario, python, check.fixed, check.args, base, check.ladder)
    return Case(check, _label(check, spec), spec, options)


def _anchored(command: list[str], check: Check) -> list[str]:
    """``./app.sh`` in a config means next to the config (the check's cwd), not sigkit's cwd."""
    program = command[0]
    if os.sep in program and not os.path.isabs(program):
        command[0] = str(check.cwd / program)
    return command


def _options(check: Check, command: list[str], expect: str | None,
             fallback_ladder: tuple[str, ...] | None) -> ProbeOptions:
    return ProbeOptions(
        command=command,
        expect=expect,
        after=check.after,
        ready_timeout=check.ready_timeout,
        deadline=check.deadline,
        ladder=check.ladder or fallback_ladder or DEFAULT_LADDER,
        interval=check.interval,
        env=dict(check.env),
        cwd=str(check.cwd),
        stop=check.stop,
        to=check.to,
        pid1=check.pid1,
    )


def run_case(case: Case, on_trial: Callable[[], None] = lambda: None) -> CaseResult:
    """``trials`` fresh probes in sequence (never in parallel: they would share the cores)."""
    started, load_before = time.monotonic(), load_average()
    trials: list[Trial] = []
    options = case.options
    for _ in range(case.check.trials):
        trials.append(judged(options))
        options = after_first(options, trials[0])
        on_trial()
    load = MachineLoad(cpu_count(), load_before, load_average())
    return CaseResult(case, trials, evaluate(case.check.budgets, trials),
                      time.monotonic() - started, load)
