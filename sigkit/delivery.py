"""Send a signal the way a process manager does: to one process, or to its process group.

``kill PID``, ``docker stop`` and supervisord signal one process (a container's PID 1, the
program they started); systemd's default ``KillMode=control-group`` signals every process of
the unit, for which a process group is sigkit's stand-in.  The difference decides who gets the
chance to shut down gracefully: a parent that waits for its children behaves differently when
the children got the signal too.
"""

from __future__ import annotations

import os

from sigkit.errors import UsageError
from sigkit.stops import GROUP, MAIN


def send(pid: int, number: int, to: str) -> bool:
    """Signal ``pid`` (``to="main"``) or its whole process group (``to="group"``).

    Returns False when there was nobody left to signal.  Refuses to signal sigkit's own
    process group: a target that shares it would take sigkit down with it.
    """
    if to not in (MAIN, GROUP):
        raise UsageError(f"--to must be main or group (got {to!r})")
    try:
        if to == MAIN:
            os.kill(pid, number)
            return True
        group = os.getpgid(pid)
        if group == os.getpgrp():
            raise UsageError(f"pid {pid} is in sigkit's own process group {group}: "
                             "signal it with --to main")
        os.killpg(group, number)
    except ProcessLookupError:
        return False
    return True
