"""Send a signal the way a process manager does: to one process, or to its process group.

``kill PID``, ``docker stop`` and supervisord signal one process (a container's PID 1, the
program they started); systemd's default ``KillMode=control-group`` signals every process of
the unit, for which a process group is sigkit's stand-in (so is a terminal's Ctrl-C, which the
line discipline sends to the foreground group).  The difference decides who gets the chance to
shut down gracefully: a parent that waits for its children behaves differently when the children
got the signal too.  ``probe`` and ``inspect --signal`` both send through here.
"""

from __future__ import annotations

import os
import time
from typing import Optional

from sigkit.errors import UsageError
from sigkit.stops import GROUP, MAIN, TARGETS


def send(pid: int, number: int, to: str) -> Optional[int]:
    """Signal ``pid`` (``to="main"``) or its whole process group (``to="group"``).

    Returns when it was sent (CLOCK_MONOTONIC ns, taken just before the syscall), or None when
    there was nobody left to signal.  Refuses to signal sigkit's own process group: a target that
    shares it would take sigkit down with it.
    """
    if to not in TARGETS:
        raise UsageError(f"--to must be main or group (got {to!r})")
    try:
        if to == MAIN:
            sent = time.monotonic_ns()
            os.kill(pid, number)
            return sent
        group = os.getpgid(pid)
        if group == os.getpgrp():
            raise UsageError(f"pid {pid} is in sigkit's own process group {group}: "
                             "signal it with --to main")
        sent = time.monotonic_ns()
        os.killpg(group, number)
        return sent
    except ProcessLookupError:
        return None


__all__ = ["GROUP", "MAIN", "send"]
