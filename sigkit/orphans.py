"""Find and kill what a target left behind, even processes that escaped its process group.

Killing the process group misses children that called ``setsid()`` or double-forked; they are
re-parented to init and look unrelated.  But they inherit the environment: sigkit gives every
target a unique ``SIGKIT_RUN`` token and looks for it in ``/proc/PID/environ``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

import psutil

from sigkit.timeline import Orphan

RUN_TOKEN_VARIABLE = "SIGKIT_RUN"


def carrying_token(token: str, started_after: float) -> list[psutil.Process]:
    """Live (non-zombie) processes whose environment holds ``SIGKIT_RUN=token``."""
    me = os.getpid()
    found = []
    for proc in psutil.process_iter(["create_time"]):
        try:
            if proc.pid == me or proc.info["create_time"] < started_after:
                continue
            if proc.status() == psutil.STATUS_ZOMBIE:
                continue
            if proc.environ().get(RUN_TOKEN_VARIABLE) == token:
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


def describe(proc: psutil.Process, target_session: int) -> Orphan:
    try:
        with proc.oneshot():
            name = proc.name()
            cmdline = " ".join(proc.cmdline())
            session = os.getsid(proc.pid)
    except (psutil.Error, OSError):
        name, cmdline, session = "?", "?", target_session
    return Orphan(proc.pid, name, cmdline, escaped_session=session != target_session)


def _gone(proc: psutil.Process) -> bool:
    """Dead is enough: a killed orphan's zombie is init's to reap, not ours to wait for."""
    try:
        return proc.status() == psutil.STATUS_ZOMBIE
    except psutil.Error:
        return True


def kill_all(procs: Iterable[psutil.Process], timeout: float = 2.0) -> None:
    """SIGKILL, then wait until each is dead: a process that ignores every signal dies here."""
    procs = list(procs)
    for proc in procs:
        try:
            proc.kill()
        except psutil.Error:
            pass
    deadline = time.monotonic() + timeout
    while not all(_gone(p) for p in procs) and time.monotonic() < deadline:
        time.sleep(0.005)


def sweep(token: str, started_after: float, target_session: int, settle: float) -> list[Orphan]:
    """Give descendants ``settle`` seconds to exit on their own, then kill and report the rest."""
    deadline = time.monotonic() + settle
    left = carrying_token(token, started_after)
    while left and time.monotonic() < deadline:
        time.sleep(0.02)
        left = carrying_token(token, started_after)
    orphans = [describe(proc, target_session) for proc in left]
    kill_all(left)
    return orphans
