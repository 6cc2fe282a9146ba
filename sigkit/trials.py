"""Running trials and judging them: a probe's result leaves here with its findings attached.

Every orchestrator (``probe``, ``run``, ``check``, the pytest fixture) gets its trials from here,
so the diagnosis is made once per trial and reporters only read ``trial.findings``.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

from sigkit.diagnose import diagnose
from sigkit.errors import UsageError
from sigkit.launch import ProbeOptions, probe
from sigkit.progress import Progress, silent
from sigkit.timeline import Trial


def judged(options: ProbeOptions, budget_us: Optional[float] = None) -> Trial:
    """One fresh probe, diagnosed: ``budget_us`` (sent → handler) arms the timing rules."""
    trial = probe(dataclasses.replace(options))
    trial.findings = diagnose(trial, budget_us)
    return trial


def after_first(options: ProbeOptions, first: Trial) -> ProbeOptions:
    """The options for the next trials of a series: if the first one found the process tree
    complete at its ready line, the others need not spend a window watching it grow."""
    return options if first.grew_after_ready else dataclasses.replace(options, tree_settle=0.0)


def run_trials(
    options: ProbeOptions,
    count: int,
    budget_us: Optional[float] = None,
    progress: Progress = silent,
    label: str = "probing",
) -> list[Trial]:
    """``count`` fresh trials in sequence (never in parallel: they would compete for the cores)."""
    if count < 1:
        raise UsageError("--trials must be at least 1")
    trials = []
    with progress(count, label) as advance:
        for _ in range(count):
            trials.append(judged(options, budget_us))
            options = after_first(options, trials[0])
            advance(label)
    return trials
