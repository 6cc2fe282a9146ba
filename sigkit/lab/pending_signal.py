"""A pending signal and a blocked main thread: does the worker slow down after Ctrl-C?

A worker counts while the main thread waits in an untimed ``join()`` (the seed's program,
``programs/pending_signal.py``); sigkit presses Ctrl-C mid-run and compares the worker's pace
before and after.  ``EXPLANATION`` is what it teaches.

The pace is counted two ways.  Per second of wall time is what a user sees, but on a shared
machine other programs take the worker's CPU away at random, which moves it by tens of
percent from one run to the next.  Per second of the worker's own CPU time is what the
interpreter does with the CPU it gets: other programs do not move it, so the verdict is
drawn from it.
"""

from __future__ import annotations

import os
import signal
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sigkit.lab import programs
from sigkit.lab.child import LabError, last_json, spawned, wait_ready
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
from sigkit.units import fmt

EXPLANATION = """\
Python 2.7: Ctrl-C's C handler only sets a flag and asks for a "check" at the next tick. Signal
handlers run in the main thread only, so in the worker the check fails and 2.7 asks again after
every tick instead of every 100, each time dropping and retaking the GIL, until the main thread
runs. But main is blocked in join(), an uninterruptible lock wait: it never runs, and the worker
pays for a GIL release and acquire on every tick until the join ends -- "not only can you not
interrupt the program, it runs slow as hell". The KeyboardInterrupt comes when the worker is
done. Python 3.2+: waits on locks are interruptible (the signal wakes join() and main runs the
handler within about one switch interval), and the new GIL is handed over on request after a
time (the switch interval), not polled every N ticks: the worker's pace does not change."""

BEFORE = 1.0  # seconds of counting before the press (from "ready")
AFTER = 1.5  # seconds of counting after it
WARM_UP = 0.2  # left out at the start: a fresh process counts slower at first
SETTLE = 0.1  # left out after the press: the signal's arrival and, on 3.x, the handler
PERIOD = 0.05  # seconds between the worker's samples
BANDS = (
    Band("slower after the press", high=0.8),
    Band("the same pace after the press", low=0.8, high=1.25),
    Band("faster after the press", low=1.25),
)


@dataclass(frozen=True)
class Sample:
    """The worker's running total at one moment (``time.time()`` and CPU seconds)."""

    at: float
    cpu: float
    count: int


@dataclass(frozen=True)
class Window:
    """The worker's counting over one stretch of a run: before or after the press."""

    count: int
    seconds: float
    cpu_seconds: float

    @classmethod
    def between(cls, samples: Sequence[Sample]) -> Window:
        first, last = samples[0], samples[-1]
        return cls(last.count - first.count, last.at - first.at, last.cpu - first.cpu)

    @property
    def rate(self) -> float:
        """Counts per second of wall time: what a user sees."""
        return self.count / self.seconds

    @property
    def cpu_rate(self) -> float:
        """Counts per second of the worker's CPU time: what the interpreter does with it."""
        return self.count / self.cpu_seconds

    def to_dict(self) -> dict[str, float]:
        return {"count": self.count, "seconds": self.seconds, "cpu_seconds": self.cpu_seconds,
                "rate": self.rate, "cpu_rate": self.cpu_rate}


@dataclass(frozen=True)
class Run:
    """One run: the windows around the press, and when KeyboardInterrupt reached main."""

    version: str  # the interpreter's X.Y.Z, as the program reported it
    samples: tuple[Sample, ...]
    pressed_at: float
    before: Window
    after: Window
    answered_after: float | None  # seconds from the press to KeyboardInterrupt in main
    during_join: bool  # it reached main while the worker was still counting

    @property
    def cpu_ratio(self) -> float:
        return self.after.cpu_rate / self.before.cpu_rate

    @property
    def rate_ratio(self) -> float:
        return self.after.rate / self.before.rate

    def rates(self) -> list[tuple[float, float]]:
        """(seconds after the press, counts per wall second) for each sample period."""
        return [((b.at + a.at) / 2 - self.pressed_at, (b.count - a.count) / (b.at - a.at))
                for a, b in zip(self.samples, self.samples[1:]) if b.at > a.at]

    def to_dict(self) -> dict[str, Any]:
        return {"before": self.before.to_dict(), "after": self.after.to_dict(),
                "answered_after": self.answered_after, "during_join": self.during_join}


@dataclass
class Result:
    """One interpreter's runs and what they say."""

    executable: str
    runs: list[Run] = field(default_factory=list)

    @property
    def python(self) -> str:
        return self.runs[0].version if self.runs else self.executable

    @property
    def verdict(self) -> Verdict:
        """The per-CPU-second pace after the press ÷ before, over the runs."""
        return judge([run.cpu_ratio for run in self.runs], BANDS)

    @property
    def typical(self) -> Run:
        """The run whose CPU ratio is the median (the lower middle one): the one to draw."""
        ordered = sorted(self.runs, key=lambda run: run.cpu_ratio)
        return ordered[(len(ordered) - 1) // 2]

    def median(self, figure: str, window: str) -> float:
        """The median over runs of ``figure`` (``rate``, ``cpu_rate``, ``count``) of a window."""
        return statistics.median(getattr(getattr(run, window), figure) for run in self.runs)

    @property
    def answered_during_join(self) -> int:
        """In how many runs KeyboardInterrupt reached main while the worker still counted."""
        return sum(run.during_join for run in self.runs)

    def answered_after(self) -> float | None:
        """Median seconds from the press to KeyboardInterrupt in main (None: never came)."""
        delays = [run.answered_after for run in self.runs if run.answered_after is not None]
        return statistics.median(delays) if delays else None

    def saying(self) -> str:
        """The verdict in words, with the figures it stands on."""
        verdict = self.verdict
        said = verdict.says(lambda ratio: f"{ratio:.2f}x")
        if verdict.settled:
            low, high = verdict.interval or verdict.spread
            said += (f": {verdict.median:.2f}x the pace per CPU second "
                     f"(median of {len(self.runs)} runs, 90% interval {low:.2f}-{high:.2f}x)")
            wall = judge([run.rate_ratio for run in self.runs], BANDS)
            if wall.interval is not None and wall.band is not verdict.band:
                low, high = wall.spread
                said += (f"; per wall second the runs ranged {low:.2f}-{high:.2f}x: the machine "
                         "was too busy to tell from the wall clock (other programs took the "
                         "worker's CPU)")
        delay = self.answered_after()
        if delay is None:
            reached = "KeyboardInterrupt never reached the main thread"
        elif self.answered_during_join == len(self.runs):
            reached = f"Ctrl-C interrupted join() after {fmt(delay * 1e6)}"
        elif self.answered_during_join == 0:
            reached = (f"join() was not interrupted: KeyboardInterrupt came only when the worker "
                       f"was done, {fmt(delay * 1e6)} after the press")
        else:
            reached = (f"join() was interrupted in {self.answered_during_join} of "
                       f"{len(self.runs)} runs")
        return f"{self.python}: {said}; {reached}"

    def to_dict(self) -> dict[str, Any]:
        verdict = self.verdict
        return {
            "python": self.python,
            "executable": self.executable,
            **{window: {"count": self.median("count", window),
                        "rate": self.median("rate", window),
                        "cpu_rate": self.median("cpu_rate", window)}
               for window in ("before", "after")},
            "cpu_ratio": {"median": verdict.median, "interval": verdict.interval,
                          "runs": list(verdict.values)},
            "verdict": verdict.band.says if verdict.band else None,
            "saying": self.saying(),
            "runs": [run.to_dict() for run in self.runs],
        }


def _window(samples: Sequence[Sample], start: float, end: float, which: str) -> Window:
    inside = [s for s in samples if start <= s.at <= end]
    if len(inside) < 2 or inside[-1].cpu <= inside[0].cpu:
        raise LabError(f"the worker took too few samples {which} the press to measure its pace")
    return Window.between(inside)


def parse(raw: dict[str, Any], pressed_at: float) -> Run:
    """A run from the program's JSON line and the moment of the press (both ``time.time()``)."""
    samples = tuple(Sample(float(at), float(cpu), int(count)) for at, cpu, count in raw["samples"])
    interrupted = raw["interrupted"]
    return Run(
        version=str(raw["python"]),
        samples=samples,
        pressed_at=pressed_at,
        before=_window(samples, samples[0].at + WARM_UP, pressed_at, "before"),
        after=_window(samples, pressed_at + SETTLE, samples[-1].at, "after"),
        answered_after=None if interrupted is None else float(interrupted["at"]) - pressed_at,
        during_join=bool(interrupted and interrupted["worker_running"]),
    )


def measure(python: str, before: float = BEFORE, after: float = AFTER) -> Run:
    """One run: start the program, press Ctrl-C ``before`` s after "ready", collect its line.

    The press is SIGINT to the program's process group: what the terminal sends on Ctrl-C.
    """
    argv = [python, programs.path("pending_signal"), "--seconds", repr(before + after),
            "--period", repr(PERIOD)]
    with spawned(argv) as process:
        wait_ready(process, python)
        time.sleep(before)
        pressed_at = time.time()
        os.killpg(process.pid, signal.SIGINT)
        return parse(last_json(process, python, timeout=after + 60), pressed_at)


def run(
    pythons: Sequence[str],
    repeat: int = FEWEST_RUNS,
    max_repeat: int = MOST_RUNS,
    before: float = BEFORE,
    after: float = AFTER,
    progress: Progress = silent,
) -> list[Result]:
    """Runs for every interpreter, round by round (one run each per round, never two at once),
    at least ``repeat`` rounds and more, up to ``max_repeat``, until every verdict is settled."""
    check_repeats(repeat, max_repeat)
    if before <= WARM_UP + 2 * PERIOD or after <= SETTLE + 2 * PERIOD:
        raise LabError("each side of the press needs a few samples: use longer runs")
    results = [Result(python) for python in pythons]

    def settled() -> bool:
        return all(result.verdict.settled for result in results)

    with progress(len(pythons) * max_repeat, "lab pending-signal") as advance:
        for _ in rounds(repeat, max_repeat, settled):
            for result in results:
                result.runs.append(measure(result.executable, before, after))
                advance(f"lab pending-signal: Python {result.python}")
    return results
