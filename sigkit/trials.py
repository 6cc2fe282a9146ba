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
            advance(label)
    return trials
