"""The convoy: how long an I/O-bound thread takes to answer while CPU-bound threads run.

sigkit pings the program's echo thread from its own process, so only the echo thread's wait
for the GIL is in the figure; ``EXPLANATION`` is what it teaches.
"""

from __future__ import annotations

import itertools
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from sigkit.lab import programs
from sigkit.lab.child import LabError, interpreter_version, spawned, wait_readable, wait_ready
from sigkit.progress import Progress, silent
from sigkit.stats import Summary, summarize

EXPLANATION = """\
The echo thread waits in recv() without the GIL. A byte arrives, the thread wakes at once -- and
then needs the GIL to run one line of Python. A CPU-bound thread holding it lets go only when
asked, after the switch interval (5 ms, 3.2+): each answer costs about one interval, and more
with more CPU threads. A low-priority number-cruncher holds up the high-priority I/O: a priority
inversion. On 2.7 the CPU thread drops the GIL every 100 ticks but usually takes it straight
back before the woken thread on the other core gets there: a fast median, a long tail."""

THREADS = (0, 1, 2, 4)
PINGS = 200
GAP = 0.002  # seconds between pings: the echo thread is back in recv, a CPU thread has the GIL
SETTLE = 0.1  # seconds after "ready" before the first ping: the CPU threads are spinning


@dataclass
class Cell:
    """Round trips (µs) of one interpreter with ``threads`` CPU-bound threads running."""

    python: str
    threads: int
    version: str = ""
    rtt_us: list[float] = field(default_factory=list)

    @property
    def summary(self) -> Summary | None:
        return summarize(self.rtt_us)


def measure(
    python: str, threads: int, pings: int = PINGS, switch_interval: float | None = None
) -> list[float]:
    """Start the program with ``threads`` CPU threads, ping its echo thread, return the RTTs."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    argv = [python, programs.path("convoy"), "--fd", str(theirs.fileno()),
            "--threads", str(threads)]
    if switch_interval is not None:
        argv += ["--switch-interval", repr(switch_interval)]
    rtts = []
    with ours, theirs, spawned(argv, pass_fds=[theirs.fileno()]) as process:
        theirs.close()  # the child's copy is the only one left: its exit means EOF for us
        wait_ready(process, python)
        time.sleep(SETTLE)
        for _ in range(pings):
            sent = time.perf_counter_ns()
            ours.sendall(b"x")
            wait_readable(ours.fileno(), 10.0, "answer a ping")
            if not ours.recv(64):
                raise LabError(f"the convoy program under {python} ended during the pings")
            rtts.append((time.perf_counter_ns() - sent) / 1000)
            time.sleep(GAP)
    return rtts


def run(
    pythons: Sequence[str],
    threads: Sequence[int] = THREADS,
    pings: int = PINGS,
    switch_interval: float | None = None,
    progress: Progress = silent,
) -> list[Cell]:
    """Every interpreter x thread count, one program run each (``pings`` round trips)."""
    if pings < 1:
        raise LabError("--pings must be at least 1")
    if any(count < 0 for count in threads):
        raise LabError("thread counts must be 0 or more")
    versions = {python: interpreter_version(python) for python in pythons}
    cells = []
    steps = list(itertools.product(pythons, threads))
    with progress(len(steps), "lab convoy") as advance:
        for python, count in steps:
            cell = Cell(python, count, versions[python])
            cell.rtt_us = measure(python, count, pings, switch_interval)
            cells.append(cell)
            advance(f"lab convoy: {versions[python]} with {count} CPU threads")
    return cells
