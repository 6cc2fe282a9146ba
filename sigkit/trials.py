"""Many trials of one probe, with a progress bar: latency is a distribution, not a number."""

from __future__ import annotations

import dataclasses
import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sigkit.launch import ProbeOptions, probe
from sigkit.timeline import Trial


def run_trials(options: ProbeOptions, count: int, label: str = "probing") -> list[Trial]:
    """``count`` fresh trials in sequence (never in parallel: they would compete for the cores).

    The bar is refreshed by hand after each trial: an auto-refresh thread in sigkit would share
    the machine with the very latencies being measured.
    """
    if count < 1:
        from sigkit.errors import UsageError

        raise UsageError("--trials must be at least 1")
    if count == 1:
        return [probe(options)]
    trials = []
    console = Console(file=sys.stderr)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, auto_refresh=False, transient=True) as bar:
        task = bar.add_task(label, total=count)
        for _ in range(count):
            trials.append(probe(dataclasses.replace(options)))
            bar.advance(task)
            bar.refresh()
    return trials
