"""Is the machine quiet enough for the lab's figures to mean what they say?

Every experiment here is about two threads or processes competing for cores.  If something
else already keeps a core busy, processes stop being faster than threads and the GIL battle
disappears (the threads end up taking turns on one core).  So the lab looks before it measures.
"""

from __future__ import annotations

import psutil

SAMPLE_SECONDS = 0.3


def busy_warning() -> str | None:
    """A one-line warning if less than ~all CPUs were idle just now (None: quiet)."""
    cpus = psutil.cpu_count() or 1
    busy = psutil.cpu_percent(interval=SAMPLE_SECONDS) / 100 * cpus
    if busy < 0.5:
        return None
    return (
        f"the machine was busy before the run ({busy:.1f} of {cpus} CPUs in use by other "
        "programs): these figures include waiting for a CPU; rerun on a quiet machine"
    )
