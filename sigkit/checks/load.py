"""How busy the machine was while a check ran: latency judged on an overloaded machine lies.

Trials of checks that run side by side (pytest-xdist ``-n auto``, several CI jobs on one host)
compete for the cores: a target that is runnable but waits for a CPU answers Ctrl-C late, and the
latency budget fails for a reason that is not in the program. So each result carries the load
average (runnable tasks, smoothed over a minute) before and after, next to the number of CPUs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class MachineLoad:
    """The 1-minute load average when a check started and when it ended, and the CPU count."""

    cpus: int
    before: float
    after: float

    @property
    def peak(self) -> float:
        return max(self.before, self.after)

    @property
    def overloaded(self) -> bool:
        """More runnable tasks than CPUs: some of them, the target's included, waited for a core."""
        return self.peak > self.cpus

    def describe(self) -> str:
        return f"load average {self.peak:.1f} on {self.cpus} CPU{'s' if self.cpus != 1 else ''}"

    def to_dict(self) -> dict[str, float]:
        return {"cpus": self.cpus, "load_before": self.before, "load_after": self.after}


def load_average() -> float:
    """The kernel's 1-minute load average (runnable and uninterruptible tasks)."""
    return os.getloadavg()[0]


def cpu_count() -> int:
    """The CPUs this process may run on (a container's or taskset's limit, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def overload_warning(load: MachineLoad, label: str) -> str:
    """The warning printed beside a latency budget that was judged on an overloaded machine."""
    return (f"{label}: latency budget judged on an overloaded machine ({load.describe()}): "
            "the trials waited for a CPU as well as for the program; rerun with fewer parallel "
            "checks (pytest -n, CI jobs per host) or on a quieter machine")
