"""How long a Ctrl-C waits for the GIL: handler latency by switch interval and busy threads.

Each cell of the sweep runs the ``busy-workers`` scenario -- the seed's program: main blocked in
an untimed ``join()`` -- under the probe engine; zero busy threads is the ``idle`` scenario, the
reference timeline.  (The fixed variant polls with timed joins: now and then its main thread is
already awake when Ctrl-C comes, which blurs the figure this sweep is after.)
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sigkit import scenarios
from sigkit.errors import UsageError
from sigkit.lab.child import run_json
from sigkit.launch import ProbeOptions, probe
from sigkit.progress import Progress, silent
from sigkit.scenario_run import scenario_options
from sigkit.stats import Summary, summarize
from sigkit.timeline import latencies_us
from sigkit.units import fmt

EXPLANATION = """\
The Python handler runs only in the main thread, and only while it holds the GIL. The Ctrl-C
wakes the main thread at once, but a busy thread holds the GIL: main waits one switch interval
(sys.setswitchinterval, 5 ms by default), then asks for it. With several busy threads it can
lose the hand-off to another worker and wait again. Expect about one interval with one busy
thread and more with more threads; a smaller interval answers sooner and costs more switches."""

INTERVALS = (0.001, 0.005, 0.02)
THREADS = (0, 1, 2, 4)
SETTLE = 0.1  # seconds between "ready" and Ctrl-C: the workers are spinning by then


@dataclass
class Cell:
    """One point of the sweep: its handler latencies (µs), one per trial that got that far."""

    switch_interval: float
    threads: int
    version: str = "?"  # the interpreter's X.Y.Z, as its probe reported it
    handler_us: list[float] = field(default_factory=list)
    missing: int = 0  # trials where no Python handler ran before the process was killed

    @property
    def summary(self) -> Summary | None:
        return summarize(self.handler_us)

    @property
    def label(self) -> str:
        busy = "idle" if self.threads == 0 else f"{self.threads} busy"
        return f"{fmt(self.switch_interval * 1e6)} · {busy}"


def base_options(python: str, threads: int, switch_interval: float) -> ProbeOptions:
    """One trial's probe: no stacks, and a short ladder -- only the first press is measured.

    After the first Ctrl-C the program's exit joins the other workers again; a second Ctrl-C
    ends that wait at once, and KILL is there for an interpreter that ignores both.
    """
    extra: tuple[str, ...] = ()
    if threads == 0:
        scenario = scenarios.get("idle")
    else:
        scenario = scenarios.get("busy-workers")
        extra = ("--threads", str(threads), "--switch-interval", repr(switch_interval))
    base = ProbeOptions(
        command=[], after=SETTLE, deadline=0.5, interval=0.5, capture_stacks=False,
        orphan_settle=0.0,
    )
    return scenario_options(scenario, python, False, extra, base, ladder=("INT", "INT", "KILL"))


def check_interpreter(python: str) -> None:
    """The sweep needs ``sys.setswitchinterval`` (3.2+); 2.7 counts ticks instead."""
    probe_code = (
        "import json, sys; print(json.dumps({'ok': hasattr(sys, 'setswitchinterval')}))"
    )
    if not run_json([python, "-c", probe_code], timeout=30)["ok"]:
        raise UsageError(
            f"{python} has no sys.setswitchinterval (Python 2 switches every 100 ticks): "
            "use Python 3"
        )


def run(
    python: str,
    intervals: Sequence[float] = INTERVALS,
    threads: Sequence[int] = THREADS,
    trials: int = 5,
    progress: Progress = silent,
) -> list[Cell]:
    """Every (interval, threads) cell, ``trials`` probes each, interleaved round by round.

    Interleaving (all cells once, then all again) spreads any burst of outside load over the
    whole sweep rather than over one cell.  The idle case does not depend on the interval:
    it is measured once per round and shared by the intervals.
    """
    if trials < 1:
        raise UsageError("--trials must be at least 1")
    if not all(math.isfinite(value) and value > 0 for value in intervals):
        raise UsageError("switch intervals must be positive (seconds, e.g. 0.005)")
    if any(count < 0 for count in threads):
        raise UsageError("thread counts must be 0 or more")
    check_interpreter(python)
    cells = {(si, n): Cell(si, n) for si in intervals for n in threads}
    keys = [(si, n) for si in intervals for n in threads if n > 0]
    keys += [(intervals[0], 0)] if 0 in threads else []
    options = {(si, n): base_options(python, n, si) for si, n in keys}
    steps = list(itertools.product(range(trials), keys))
    with progress(len(steps), "lab switch-interval") as advance:
        for _, (si, n) in steps:
            trial = probe(dataclasses.replace(options[(si, n)]))
            handler = latencies_us(trial)["handler"]
            shared = [cells[(other, 0)] for other in intervals] if n == 0 else [cells[(si, n)]]
            for cell in shared:
                if trial.interpreter is not None:
                    cell.version = trial.interpreter.version
                if handler is None:
                    cell.missing += 1
                else:
                    cell.handler_us.append(handler)
            advance(f"lab switch-interval: {cells[(si, n)].label}")
    return [cells[(si, n)] for si in intervals for n in threads]
