"""What a sleeping thread waits for, from ``/proc/PID/task/TID/syscall``: the system call and the
file it waits on.

A program at its prompt sleeps in ``read(0, ...)`` or in a ``select``/``poll`` that watches only
fd 0 -- the terminal.  That is the kernel's proof that it is waiting for the user to type, even
when its stack holds no Python frame (CPython's own REPL loop is C).  The call's arguments are
registers: ``read``'s first one is the fd; ``select``'s is the number of fds it watches (1: only
fd 0); ``poll``'s is an array in the program's memory, read through ``/proc/PID/mem`` (allowed
to the process's parent, which sigkit is, and to root).
"""

from __future__ import annotations

import os
import platform
import struct
from typing import Optional

# The numbers of the calls a prompt waits in, per architecture (they differ).
_CALLS = {
    "x86_64": {0: "read", 7: "poll", 23: "select", 270: "pselect6", 271: "ppoll"},
    "aarch64": {63: "read", 72: "pselect6", 73: "ppoll"},
}.get(platform.machine(), {})
_SELECTS = ("select", "pselect6")
_POLLS = ("poll", "ppoll")


def terminal_wait(pid: int, tid: int) -> str:
    """``read(fd 0, /dev/pts/3)``, ``pselect6(fd 0 only, /dev/pts/3)``: the thread sleeps
    waiting for one file that is a terminal; "" when it does not, or /proc will not say."""
    args = _syscall(pid, tid)
    if args is None or args[0] not in _CALLS:
        return ""
    call = _CALLS[args[0]]
    fd = None
    if call == "read":
        fd = args[1]
    elif call in _SELECTS and args[1] == 1:
        fd = 0  # select(nfds=1, ...) can watch fd 0 alone
    elif call in _POLLS and args[2] == 1:
        fd = _first_poll_fd(pid, args[1])
    if fd is None:
        return ""
    target = _fd_target(pid, fd)
    if target is None or not _is_terminal(target):
        return ""
    only = " only" if call != "read" else ""
    return f"{call}(fd {fd}{only}, {target})"


def _syscall(pid: int, tid: int) -> Optional[list[int]]:
    """``0 0x0 0x7ff...``: the call's number and its arguments; None while running, or unreadable."""
    try:
        with open(f"/proc/{pid}/task/{tid}/syscall") as handle:
            words = handle.read().split()
    except OSError:
        return None
    if len(words) < 4 or not words[0].lstrip("-").isdigit():
        return None  # "running", or "-1 ..." (not in a system call)
    try:
        return [int(words[0])] + [int(word, 16) for word in words[1:4]]
    except ValueError:
        return None


def _first_poll_fd(pid: int, address: int) -> Optional[int]:
    """The fd of the first ``struct pollfd`` at ``address`` in the process's memory."""
    try:
        with open(f"/proc/{pid}/mem", "rb") as memory:
            memory.seek(address)
            data = memory.read(4)
    except (OSError, ValueError, OverflowError):
        return None
    return struct.unpack("i", data)[0] if len(data) == 4 else None


def _fd_target(pid: int, fd: int) -> Optional[str]:
    try:
        return os.readlink(f"/proc/{pid}/fd/{fd}")
    except OSError:
        return None


def _is_terminal(path: str) -> bool:
    return path.startswith(("/dev/pts/", "/dev/tty"))
