"""The GIL experiment: the same CPU work done sequentially, in two threads, in two processes.

The experiment from David Beazley's GIL talk; ``EXPLANATION`` is what it teaches.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from sigkit.lab import programs
from sigkit.lab.child import run_json
from sigkit.lab.verdict import (
    FEWEST_RUNS,
    MOST_RUNS,
    Band,
    Verdict,
    check_repeats,
    judge,
    rounds,
)
from sigkit.progress import Progress, silent

EXPLANATION = """\
Threads share one GIL, so two counting threads never run at the same time. What to expect with
two free cores: on Python 2.7 threads are slower than doing both counts in turn -- every 100
ticks the holder drops the GIL and takes it straight back, while the other thread, woken on
another core, fights for it (signals, context switches, lost races). Since 3.2 a waiting thread
asks for the GIL only after the switch interval (5 ms), so threads cost about what sequential
costs. Processes have one GIL each and take about half the time. When another program keeps a
core busy, both effects shrink: the lines above say what these runs support. "CPU thr" is the
CPU time of the threaded run: above its wall time, both cores were busy at once."""

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


THREAD_BANDS = (
    Band("two threads ran in parallel: no GIL between them", high=0.8),
    Band("the GIL takes turns: no gain from threads, and little loss", low=0.8, high=1.2),
    Band("the GIL battle: two threads are slower than one doing both counts", low=1.2),
)
PROCESS_BANDS = (
    Band("processes: one GIL each, the cores work in parallel", high=0.8),
    Band("processes gained little here (start-up cost, or no free core)", low=0.8),
)


@dataclass
class GilResult:
    """One interpreter's timings: every round's three runs, and the median of each mode."""

    executable: str
    python: str
    n: int
    gil: bool  # False only on a free-threaded build with the GIL disabled
    cpus: int
    rounds: list[dict[str, CountRun]] = field(default_factory=list)

    @property
    def runs(self) -> dict[str, CountRun]:
        """Each mode's median run (by wall time) over the rounds."""
        medians = {}
        for mode in MODES:
            ordered = sorted((one[mode] for one in self.rounds), key=lambda run: run.wall)
            medians[mode] = ordered[(len(ordered) - 1) // 2]
        return medians

    def ratios(self, mode: str) -> list[float]:
        """Wall time of ``mode`` ÷ sequential, round by round (the runs of a round are
        neighbours in time, so they met about the same outside load)."""
        return [one[mode].wall / one["sequential"].wall for one in self.rounds]

    def ratio(self, mode: str) -> float:
        """The median of the rounds' ratios (>1: slower than sequential)."""
        return statistics.median(self.ratios(mode))

    def verdicts(self) -> tuple[Verdict, Verdict]:
        """What the threads' and the processes' ratios say, when their spread supports it."""
        return judge(self.ratios("threads"), THREAD_BANDS), judge(
            self.ratios("processes"), PROCESS_BANDS)

    def verdict(self) -> str:
        """One line, in words, of what this interpreter's figures support about its GIL."""
        threads, processes = self.verdicts()
        figure = "{:.2f}x".format
        return (f"{self.python}: threads {figure(self.ratio('threads'))}: "
                f"{threads.says(figure)}; processes {figure(self.ratio('processes'))}: "
                f"{processes.says(figure)}")


def run(
    pythons: Sequence[str],
    n: int = DEFAULT_N,
    repeat: int = FEWEST_RUNS,
    max_repeat: int = MOST_RUNS,
    progress: Progress = silent,
) -> list[GilResult]:
    """Time every mode under every interpreter (in turn: never two experiments at once), at
    least ``repeat`` rounds and more, up to ``max_repeat``, until every verdict is settled.

    Each round runs seq, thr, proc back to back, so a burst of load elsewhere on the machine
    meets all three modes of one round rather than spoiling one mode; the verdict is drawn
    from the rounds' ratios.  Outside load does not only add time here, it can also *hide* the
    GIL battle (with the other core busy, the two threads are back on one core and stop
    fighting): the spread of the rounds shows when that happened.
    """
    check_repeats(repeat, max_repeat)
    timeout = 60 + n * 1e-5  # 10 s per million: ~50x what 2.7 needs for two counts
    results: dict[str, GilResult] = {}

    def settled() -> bool:
        return all(v.settled for result in results.values() for v in result.verdicts())

    with progress(len(pythons) * max_repeat * len(MODES), "lab gil") as advance:
        for _ in rounds(repeat, max_repeat, settled):
            for python in pythons:
                raws = {}
                for mode in MODES:
                    argv = [python, programs.path("count"), "--mode", mode, "--n", str(n)]
                    raws[mode] = run_json(argv, timeout)
                    advance(f"lab gil: {python} {mode}")
                first = raws[MODES[0]]
                result = results.setdefault(python, GilResult(
                    python, str(first["python"]), n, bool(first["gil"]), int(first["cpus"])))
                result.rounds.append({mode: CountRun(mode, float(raw["wall"]), float(raw["cpu"]))
                                      for mode, raw in raws.items()})
    return [results[python] for python in pythons]
