"""Many trials of one probe, with a progress bar: latency is a distribution, not a number."""

from __future__ import annotations

import dataclasses

from sigkit.errors import UsageError
from sigkit.launch import ProbeOptions, probe
from sigkit.report.progress import progress_bar
from sigkit.timeline import Trial


def run_trials(options: ProbeOptions, count: int, label: str = "probing") -> list[Trial]:
    """``count`` fresh trials in sequence (never in parallel: they would compete for the cores)."""
    if count < 1:
        raise UsageError("--trials must be at least 1")
    trials = []
    with progress_bar(count, label) as advance:
        for _ in range(count):
            trials.append(probe(dataclasses.replace(options)))
            advance(label)
    return trials
