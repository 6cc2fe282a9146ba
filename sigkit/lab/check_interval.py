"""Ticks, not time: Python 2's check interval beside Python 3's switch interval.

For each check interval (``sys.setcheckinterval``, in ticks) on Python 2, and once for each
Python 3 at its switch interval (a time), two figures from ``programs/check_interval.py``:

- how often the GIL changes hands between two counting threads, and how fast they count;
- Ctrl-C latency, C handler → Python handler, with one busy thread beside a main thread that
  waits in ``time.sleep()`` (interruptible on 2.7 too), through the probe engine.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from sigkit.errors import UsageError
from sigkit.lab import programs
from sigkit.lab.child import LabError, interpreter_version, run_json
from sigkit.launch import ProbeOptions, probe
from sigkit.progress import Progress, silent
from sigkit.stats import Summary, summarize
from sigkit.timeline import latencies_us
from sigkit.units import fmt

EXPLANATION = """\
Python 2 counts ticks: every N bytecodes (sys.setcheckinterval, 100 by default) the running
thread drops the GIL and retakes it, so another thread may run, and the main thread runs pending
signal handlers. Ticks are not time: a tick of "n -= 1" takes nanoseconds, a tick that calls
into C can take seconds. More checks cost the counting threads time, and most hand nothing over:
the thread that dropped the GIL takes it straight back before the woken one gets there. With the
other core free, the woken thread still wins more often the smaller the interval; with that core
busy, the two threads share one core and change hands only when the OS preempts one, whatever
the interval (so the hand-overs swing between runs). A signal changes the rhythm: once one is
pending, 2.7 checks after every tick until the main thread has run the handler, so with main in
an interruptible wait the handler typically comes within a fraction of a millisecond of the C
handler, whatever the interval (the tail: main, woken on the other core, loses the race for the
GIL, or waits for a CPU). Python 3.2+ counts time instead: a thread that wants the GIL waits one
switch interval (5 ms), then asks the holder to drop it -- so the same Ctrl-C waits about 5 ms,
and the GIL changes hands at most about 200 times a second per waiting thread."""

INTERVALS = (10, 100, 1000)
SECONDS = 1.0  # how long two threads count, per switching run
SETTLE = 0.1  # seconds between "ready" and Ctrl-C: the busy thread is spinning by then


@dataclass
class Row:
    """One interpreter at one check interval (2.x) or at its switch interval (3.x)."""

    python: str
    version: str
    check_interval: int | None  # ticks; None on 3.x
    switch_interval: float | None = None  # seconds; None on 2.x
    handoffs_per_s: list[float] = field(default_factory=list)  # one per switching run
    counts_per_s: list[float] = field(default_factory=list)
    handler_us: list[float] = field(default_factory=list)  # C handler → Python handler
    missing: int = 0  # presses after which no Python handler ran before the process was killed

    @property
    def label(self) -> str:
        if self.check_interval is not None:
            return f"{self.version} · every {self.check_interval} ticks"
        interval = "?" if self.switch_interval is None else fmt(self.switch_interval * 1e6)
        return f"{self.version} · every {interval}"

    @property
    def latency(self) -> Summary | None:
        return summarize(self.handler_us)

    @property
    def handoffs(self) -> float:
        """Median hand-overs per second over the switching runs."""
        return statistics.median(self.handoffs_per_s)

    @property
    def counts(self) -> float:
        """Median loop iterations per second (both threads) over the switching runs."""
        return statistics.median(self.counts_per_s)


def wait_options(row: Row) -> ProbeOptions:
    """One press on the ``wait`` program: no stacks, a short ladder (only the first press counts)."""
    command = [row.python, programs.path("check_interval"), "wait", "--threads", "1"]
    if row.check_interval is not None:
        command += ["--check-interval", str(row.check_interval)]
    return ProbeOptions(
        command=command, expect="^ready", after=SETTLE, deadline=0.5, interval=0.5,
        capture_stacks=False, orphan_settle=0.0, ladder=("INT", "INT", "KILL"),
    )


def switching(row: Row) -> None:
    """One switching run: two threads count for ``SECONDS``; adds its rates to ``row``."""
    argv = [row.python, programs.path("check_interval"), "switches", "--seconds", repr(SECONDS)]
    if row.check_interval is not None:
        argv += ["--check-interval", str(row.check_interval)]
    raw = run_json(argv, timeout=SECONDS + 60)
    if raw["check_interval"] != row.check_interval:
        raise LabError(f"{row.python} ran with check interval {raw['check_interval']}, "
                       f"not {row.check_interval}")
    row.version, row.switch_interval = str(raw["python"]), raw["switch_interval"]
    row.handoffs_per_s.append(raw["switches"] / raw["seconds"])
    row.counts_per_s.append(raw["iterations"] / raw["seconds"])


def pressing(row: Row) -> None:
    """One Ctrl-C on the ``wait`` program; adds its C handler → Python handler latency."""
    handler = latencies_us(probe(wait_options(row)))["handler_after_arrival"]
    if handler is None:
        row.missing += 1
    else:
        row.handler_us.append(handler)


def rows_for(pythons: Sequence[str], intervals: Sequence[int]) -> list[Row]:
    """A row per check interval for each Python 2, one row for each Python 3."""
    rows = []
    for python in pythons:
        version = interpreter_version(python)
        ticks: Sequence[int | None] = intervals if version.startswith("2.") else (None,)
        rows += [Row(python, version, interval) for interval in ticks]
    if all(row.check_interval is None for row in rows):
        raise UsageError("--python: name a Python 2 (e.g. 2.7): only it has a check interval")
    return rows


def run(
    pythons: Sequence[str],
    intervals: Sequence[int] = INTERVALS,
    trials: int = 10,
    repeat: int = 3,
    progress: Progress = silent,
) -> list[Row]:
    """``repeat`` switching runs and ``trials`` presses per row, interleaved round by round."""
    if trials < 1 or repeat < 1:
        raise UsageError("--trials and --repeat must be at least 1")
    if any(value < 1 for value in intervals):
        raise UsageError("check intervals are whole numbers of ticks, at least 1")
    rows = rows_for(pythons, intervals)
    steps = [
        (row, job)
        for number in range(max(trials, repeat))
        for row in rows
        for job, runs in ((switching, repeat), (pressing, trials))
        if number < runs
    ]
    with progress(len(steps), "lab check-interval") as advance:
        for row, job in steps:
            job(row)
            advance(f"lab check-interval: {row.label}")
    return rows

