"""The GIL experiment: the same CPU work done sequentially, in two threads, in two processes.

The experiment from David Beazley's GIL talk; ``EXPLANATION`` is what it teaches.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sigkit.lab import programs
from sigkit.lab.child import run_json
from sigkit.progress import Progress, silent

EXPLANATION = """\
Threads share one GIL, so two counting threads never run at the same time. On Python 2.7 they
are slower than doing both counts in turn: every 100 ticks the holder drops the GIL and takes it
straight back, while the other thread, woken on another core, fights for it (signals, context
switches, lost races). Since 3.2 a waiting thread asks for the GIL only after the switch
interval (5 ms), so threads cost about what sequential costs. Processes have one GIL each: with
two free cores they take about half the time. "CPU thr" is the CPU time of the threaded run:
above its wall time, both cores were busy at once."""

MODES = ("sequential", "threads", "processes")
# The seed's run (Python 2, two cores, N = 10,000,000): the figures this lab reproduces.
SEED_SECONDS = {"sequential": 1.03, "threads": 1.71, "processes": 0.51}
DEFAULT_N = 10_000_000  # the talk's figure: ~0.3-0.7 s per count on a current machine


@dataclass(frozen=True)
class CountRun:
    """One mode's median run: wall and CPU seconds (CPU includes child processes)."""

    mode: str
    wall: float
    cpu: float


@dataclass
class GilResult:
    """One interpreter's three timings, the median of ``repeat`` runs each."""

    executable: str
    python: str
    n: int
    gil: bool  # False only on a free-threaded build with the GIL disabled
    cpus: int
    runs: dict[str, CountRun] = field(default_factory=dict)

    def ratio(self, mode: str) -> float:
        """Wall time of ``mode`` relative to sequential (>1: slower)."""
        return self.runs[mode].wall / self.runs["sequential"].wall

    def verdict(self) -> str:
        """One line, in words, of what this interpreter's figures say about its GIL."""
        threads, processes = self.ratio("threads"), self.ratio("processes")
        if not self.gil:
            said = "no GIL: the threads ran in parallel"
        elif threads > 1.2:
            said = "the GIL battle: two threads are slower than one doing both counts"
        else:
            said = "the GIL takes turns: no gain from threads, and little loss"
        if processes < 0.8:
            said += "; processes: one GIL each, the cores work in parallel"
        else:
            said += "; processes gained little here (start-up cost, or no free core)"
        return f"{self.python}: {said}"


def run(
    pythons: Sequence[str], n: int = DEFAULT_N, repeat: int = 3, progress: Progress = silent
) -> list[GilResult]:
    """Time every mode under every interpreter (in turn: never two experiments at once).

    The repeats are interleaved (seq, thr, proc, seq, ...) so that a burst of load elsewhere on
    the machine spreads over the modes instead of spoiling one.  The median run is kept, not the
    fastest: outside load does not only add time here, it can also *hide* the GIL battle (with
    the other core busy, the two threads are back on one core and stop fighting).
    """
    steps = list(itertools.product(pythons, range(repeat), MODES))
    timeout = 60 + n * 1e-5  # 10 s per million: ~50x what 2.7 needs for two counts
    raws: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with progress(len(steps), "lab gil") as advance:
        for python, _, mode in steps:
            argv = [python, programs.path("count"), "--mode", mode, "--n", str(n)]
            raws.setdefault((python, mode), []).append(run_json(argv, timeout))
            advance(f"lab gil: {python} {mode}")
    results = []
    for python in pythons:
        first = raws[(python, MODES[0])][0]
        result = GilResult(python, str(first["python"]), n, bool(first["gil"]), int(first["cpus"]))
        for mode in MODES:
            runs = sorted(raws[(python, mode)], key=lambda raw: float(raw["wall"]))
            middle = runs[(len(runs) - 1) // 2]
            result.runs[mode] = CountRun(mode, float(middle["wall"]), float(middle["cpu"]))
        results.append(result)
    return results
