"""Is the machine quiet enough for the lab's figures to mean what they say?

Every experiment here is about two threads or processes competing for cores.  If something
else already keeps a core busy, processes stop being faster than threads and the GIL battle
disappears (the threads end up taking turns on one core).  So the lab looks before it measures.
"""

from __future__ import annotations

import psutil

SAMPLE_SECONDS = 0.3
QUIET_BELOW = 0.5  # CPUs' worth of other programs' work that still counts as a quiet machine


def busy_cpus() -> float:
    """How many CPUs' worth of work other programs did over the last ``SAMPLE_SECONDS``."""
    cpus = psutil.cpu_count() or 1
    return psutil.cpu_percent(interval=SAMPLE_SECONDS) / 100 * cpus


def busy_warning(before: float, after: float) -> str | None:
    """A one-line warning if other programs used a CPU just before or just after a run."""
    busy = max(before, after)
    if busy < QUIET_BELOW:
        return None
    when = "before" if before >= after else "right after"
    return (
        f"the machine was busy {when} the run ({busy:.1f} of {psutil.cpu_count()} CPUs in use "
        "by other programs): these figures include waiting for a CPU; rerun on a quiet machine"
    )
