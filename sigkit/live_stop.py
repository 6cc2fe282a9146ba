"""Stop a process sigkit did not start: look, send one signal, watch for the exit, look again.

From outside, the exit is the one instant sigkit can time exactly: a pidfd becomes readable when
the process ends -- any process, not only sigkit's children.  Whether the handler ran is not
visible from outside; what /proc shows afterwards (the signal caught and no longer pending,
still pending, ignored) and where the threads are is the evidence ``diagnose`` reads.
"""

from __future__ import annotations

import dataclasses
import os
import select
import signal
import time
from dataclasses import dataclass
from typing import Optional

import psutil

from sigkit import delivery
from sigkit.diagnose.evidence import Evidence, from_live
from sigkit.errors import UsageError
from sigkit.ladder import signal_short_name

SIGNALS = ("INT", "TERM", "HUP", "QUIT")


@dataclass
class StopAttempt:
    """One signal sent to a live process, and what came of it within ``waited`` seconds."""

    pid: int
    signal: str  # "SIGTERM"
    to: str  # "main": the process alone (kill PID); "group": its whole process group
    waited: float
    before: Evidence
    sent_ns: int = 0
    exit_ns: Optional[int] = None  # None: still running when the wait ended
    after: Optional[Evidence] = None  # the second look, when it was still running
    exited_late: bool = False  # gone between the end of the wait and the second look

    @property
    def exited(self) -> bool:
        return self.exit_ns is not None or self.exited_late

    @property
    def exit_after_us(self) -> Optional[float]:
        return None if self.exit_ns is None else (self.exit_ns - self.sent_ns) / 1000


def signal_number(name: str) -> signal.Signals:
    """``INT`` / ``sigint`` / ``SIGINT`` / ``2`` → SIGINT (the names every command takes); a stop
    signal only: KILL or STOP would tell nothing about the program's own shutdown."""
    short = signal_short_name(name)
    if short not in SIGNALS:
        raise UsageError(f"--signal must be one of {', '.join(SIGNALS)} (got {name!r})")
    return signal.Signals["SIG" + short]


def wait_for_exit(pid: int, seconds: float) -> Optional[int]:
    """When the process ended (monotonic ns), or None if it was still running after ``seconds``."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return time.monotonic_ns()
    except (AttributeError, OSError):
        return _poll_for_exit(pid, seconds)
    try:
        readable, _, _ = select.select([pidfd], [], [], seconds)
        return time.monotonic_ns() if readable else None
    finally:
        os.close(pidfd)


def _poll_for_exit(pid: int, seconds: float) -> Optional[int]:
    """Old kernels: a zombie has exited too (its parent just has not reaped it yet)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return time.monotonic_ns()
        except psutil.NoSuchProcess:
            return time.monotonic_ns()
        time.sleep(0.001)
    return None


def try_stop(pid: int, signal_name: str, to: str, wait: float, want_stacks: bool) -> StopAttempt:
    """Look, send, wait up to ``wait`` seconds for the exit; look again if it is still running."""
    number = signal_number(signal_name)
    if wait < 0:
        raise UsageError("--wait must be 0 seconds or more")
    attempt = StopAttempt(pid, number.name, to, wait, from_live(pid, want_stacks))
    sent = delivery.send(pid, number, to)
    # None: it ended before the signal went out (the wait below then sees it gone at once)
    attempt.sent_ns = sent if sent is not None else time.monotonic_ns()
    attempt.exit_ns = wait_for_exit(pid, wait)
    if attempt.exit_ns is None:
        try:
            after = from_live(pid, want_stacks)
        except UsageError:  # it ended between the wait and the second look
            attempt.exited_late = True
            return attempt
        before = attempt.before
        attempt.after = dataclasses.replace(
            after, deadline_missed=True, presses=1, probed=False, sent_signal=number.name,
            signals=[number.name.removeprefix("SIG")],
            look_us=(time.monotonic_ns() - attempt.sent_ns) / 1000,
            connections_at_press=before.connections,
            names_at_press=[process.name for process in before.processes],
        )
    return attempt
