"""The shim between sigkit and a target started as a manager starts it (see ``shim.py``):
with no terminal (``--no-tty``), and for ``--pid1`` as PID 1 of a new PID namespace.

sigkit spawns the shim, which stays outside like a container runtime's shim; the target is the
shim's only child.  Signals go to that child by its pid in *sigkit's*
namespace (from outside, as ``docker stop`` sends them), and the probe's events name it by the
same pid: the kernel translates the sender's pid on the probe socket (SCM_CREDENTIALS).
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import time
from typing import Optional

from sigkit.errors import UsageError

SHIM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shim.py")


def command(target: list[str], pid1: bool, no_tty: bool) -> list[str]:
    """What sigkit spawns instead of ``target``: the shim, isolated from the probe
    and from site-packages (-I -S: it needs the standard library only, and starts in ~10 ms)."""
    flags = [flag for flag, on in (("--pid1", pid1), ("--no-tty", no_tty)) if on]
    return [sys.executable, "-I", "-S", SHIM, *flags, "--", *target]


@functools.cache
def how_available() -> str:
    """``privileged`` or ``user namespace``; a usage error (exit 2) where neither works."""
    try:
        done = subprocess.run([sys.executable, "-I", "-S", SHIM, "--check"], capture_output=True,
                              text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as error:
        raise UsageError(f"--pid1: cannot run the namespace helper: {error}") from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["unknown reason"])[-1]
        raise UsageError(f"--pid1 is not possible here: {reason}")
    return done.stdout.strip()


def child_of(helper_pid: int, timeout: float = 10.0) -> Optional[int]:
    """The shim's child -- the target, for --pid1 the namespace's PID 1 -- by its pid in our
    namespace; None if the shim ended first."""
    path = f"/proc/{helper_pid}/task/{helper_pid}/children"
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(path) as handle:
                children = handle.read().split()
        except OSError:
            return None
        if children:
            return int(children[0])
        time.sleep(0.001)
    return None


def namespace_pid(pid: int) -> Optional[int]:
    """The pid a process has in its own (innermost) PID namespace: 1 for a namespace's init."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("NSpid:"):
                    return int(line.split()[-1])
    except (OSError, ValueError):
        return None
    return None
