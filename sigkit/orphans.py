"""Find and kill what a target left behind, even processes that escaped its process group.

Killing the process group misses children that called ``setsid()`` or double-forked; without
help they are re-parented to init and look unrelated.  Two ways to keep sight of them:

* **The kernel's way.**  sigkit makes itself a *child subreaper* (``PR_SET_CHILD_SUBREAPER``,
  Linux 3.4+) while a target runs: every orphaned descendant is re-parented to sigkit instead of
  init, whatever it does to its environment, session or pid.  They are sigkit's children from
  then on — so sigkit must also reap their zombies.
* **A marker.**  Every target gets a unique ``SIGKIT_RUN`` token in its environment, and
  descendants inherit it, so ``/proc/PID/environ`` names them even where no subreaper exists.
  A daemon that clears its environment defeats this one, not the first.

A process re-parented to sigkit is told apart from sigkit's own children by its session: the
target runs in a new session (its pty's), and a process can only stay in its parent's session
or start a new one, so no descendant of the target can be in sigkit's own session.

Killing is repeated until a scan finds nothing new (bounded): a daemon that forks and lets its
parent exit every few milliseconds has a new pid by the time a one-shot list is killed.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import os
import time
from collections.abc import Iterable, Iterator

import psutil

from sigkit.timeline import Orphan

RUN_TOKEN_VARIABLE = "SIGKIT_RUN"
_PR_SET_CHILD_SUBREAPER = 36
_PR_GET_CHILD_SUBREAPER = 37
KILL_ROUNDS = 200  # kill-and-rescan rounds before giving up on a process that keeps forking
KILL_ROUNDS_SECONDS = 5.0

# What a report may claim it looked at ("Orphans: none" means nothing unless it says how).
SEEN_BY_SUBREAPER = "descendants re-parented to sigkit (child subreaper) and the run's token"
SEEN_BY_TOKEN = (
    "the run's token in each process's environment only (no child subreaper here: a daemon "
    "that clears its environment would not be seen)"
)


@functools.lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def is_subreaper() -> bool:
    flag = ctypes.c_int(0)
    try:
        return _libc().prctl(_PR_GET_CHILD_SUBREAPER, ctypes.byref(flag), 0, 0, 0) == 0 and bool(
            flag.value)
    except (OSError, AttributeError):  # no libc prctl (not Linux)
        return False


def set_subreaper(enabled: bool) -> bool:
    """Make this process a child subreaper (or stop being one); False where the kernel says no."""
    try:
        return _libc().prctl(_PR_SET_CHILD_SUBREAPER, ctypes.c_ulong(int(enabled)), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


@contextlib.contextmanager
def adopting() -> Iterator[str]:
    """Be a child subreaper for the duration (restoring the previous state after); yields
    what a sweep inside can see: :data:`SEEN_BY_SUBREAPER` or :data:`SEEN_BY_TOKEN`."""
    before = is_subreaper()
    enabled = before or set_subreaper(True)
    try:
        yield SEEN_BY_SUBREAPER if enabled else SEEN_BY_TOKEN
    finally:
        if enabled and not before:
            set_subreaper(False)


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


def adopted(started_after: float) -> list[psutil.Process]:
    """Live processes re-parented to this one from outside its own session (descendants of a
    target, when this process is a subreaper), with their own descendants."""
    return [proc for proc in _adopted_trees(started_after) if _alive(proc)]


def _adopted_trees(started_after: float) -> list[psutil.Process]:
    own_session = os.getsid(0)
    found = []
    for child in psutil.Process().children():
        try:
            if os.getsid(child.pid) == own_session or child.create_time() < started_after:
                continue
            found.append(child)
            found.extend(child.children(recursive=True))
        except (psutil.Error, OSError):
            continue
    return found


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def left_behind(token: str, started_after: float) -> list[psutil.Process]:
    """Every live process this run can know as its own: adopted ones and token carriers."""
    found = {p.pid: p for p in adopted(started_after)}
    for proc in carrying_token(token, started_after):
        found.setdefault(proc.pid, proc)
    return list(found.values())


def reap_adopted(started_after: float, spare: int = 0) -> None:
    """Collect the exit status of adopted zombies (only theirs: a blanket ``waitpid(-1)``
    would steal the status of children other code in this process waits for, and ``spare``,
    the target itself, is its pty wrapper's to reap)."""
    own_session = os.getsid(0)
    for child in psutil.Process().children():
        try:
            if (child.pid != spare and child.status() == psutil.STATUS_ZOMBIE
                    and os.getsid(child.pid) != own_session
                    and child.create_time() >= started_after):
                os.waitpid(child.pid, os.WNOHANG)
        except (psutil.Error, OSError):
            continue


def describe(proc: psutil.Process, target_session: int) -> Orphan:
    try:
        with proc.oneshot():
            name = proc.name()
            cmdline = " ".join(proc.cmdline())
            session = os.getsid(proc.pid)
    except (psutil.Error, OSError):
        name, cmdline, session = "?", "?", target_session
    return Orphan(proc.pid, name, cmdline, escaped_session=session != target_session)


def kill_all(procs: Iterable[psutil.Process], timeout: float = 2.0) -> None:
    """SIGKILL, then wait until each is dead: a process that ignores every signal dies here."""
    procs = list(procs)
    for proc in procs:
        try:
            proc.kill()
        except psutil.Error:
            pass
    deadline = time.monotonic() + timeout
    while any(_alive(p) for p in procs) and time.monotonic() < deadline:
        time.sleep(0.005)


def sweep(token: str, started_after: float, target_session: int, settle: float) -> list[Orphan]:
    """Give descendants ``settle`` seconds to exit on their own, then kill and report the rest.

    Kill, reap, look again — until a scan finds nothing alive, or the rounds run out.
    ``target_session`` is the target's pid too (it leads the session of its pty).
    """
    deadline = time.monotonic() + settle
    left = left_behind(token, started_after)
    while left and time.monotonic() < deadline:
        time.sleep(0.02)
        reap_adopted(started_after, spare=target_session)
        left = left_behind(token, started_after)
    orphans: dict[int, Orphan] = {}
    give_up = time.monotonic() + KILL_ROUNDS_SECONDS
    for _ in range(KILL_ROUNDS):
        for proc in left:
            if proc.pid not in orphans:
                orphans[proc.pid] = describe(proc, target_session)
        kill_all(left)
        reap_adopted(started_after, spare=target_session)
        left = left_behind(token, started_after)
        if not left or time.monotonic() > give_up:
            break
    return list(orphans.values())
