"""What /proc says about a process and its threads: signal masks, states, process groups.

These are the facts the kernel keeps and Python cannot hide: a SIGINT that is *ignored* (SigIgn),
*blocked* in one thread (SigBlk), *pending* and undelivered (SigPnd/ShdPnd), a thread asleep in
the kernel where no signal reaches it (state D), a process outside the terminal's foreground group.
"""

from __future__ import annotations

import os
import signal
from dataclasses import asdict, dataclass
from typing import Optional

from sigkit import syscalls

_MASK_FIELDS = ("SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt")


def decode_mask(hex_mask: str) -> list[str]:
    """``"0000000000000002"`` → ``["SIGINT"]``: bit N-1 set means signal N is in the set."""
    value = int(hex_mask, 16)
    names = []
    for number in range(1, 65):
        if value & (1 << (number - 1)):
            names.append(signal_name(number))
    return names


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        rtmin = int(signal.SIGRTMIN)
        return f"SIGRTMIN+{number - rtmin}" if number >= rtmin else f"SIG{number}"


@dataclass(frozen=True)
class ThreadState:
    """One kernel thread of a process, as ``/proc/PID/task/TID/status`` and ``wchan`` show it."""

    tid: int
    name: str
    state: str  # R running, S sleeping, D uninterruptible, T stopped, Z zombie
    wchan: str
    masks: dict[str, list[str]]  # SigPnd/ShdPnd/SigBlk/SigIgn/SigCgt → signal names
    terminal_wait: str = ""  # asleep waiting for a terminal alone: "read(fd 0, /dev/pts/3)"


@dataclass(frozen=True)
class ProcessState:
    """One process: identity, groups versus the terminal's foreground group, its threads."""

    pid: int
    ppid: int
    name: str
    pgrp: int
    session: int
    tty_foreground_pgrp: int
    threads: tuple[ThreadState, ...]
    namespace_pid: int = 0  # its pid in its own PID namespace (NSpid): 1 for a namespace's init

    @property
    def main_thread(self) -> Optional[ThreadState]:
        """The thread whose tid is the pid."""
        return next((t for t in self.threads if t.tid == self.pid), None)

    def ignores(self, name: str) -> bool:
        """Whether the signal's disposition is SIG_IGN (dispositions belong to the process)."""
        main = self.main_thread
        return main is not None and name in main.masks.get("SigIgn", [])

    @property
    def in_foreground(self) -> bool:
        """Ctrl-C reaches only the terminal's foreground process group."""
        return self.tty_foreground_pgrp > 0 and self.pgrp == self.tty_foreground_pgrp

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["in_foreground"] = self.in_foreground
        return data


def _read(path: str) -> Optional[str]:
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return None


def _status_fields(text: str) -> dict[str, str]:
    fields = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def read_thread(pid: int, tid: int) -> Optional[ThreadState]:
    base = f"/proc/{pid}/task/{tid}"
    status = _read(f"{base}/status")
    if status is None:
        return None
    fields = _status_fields(status)
    masks = {key: decode_mask(fields[key]) for key in _MASK_FIELDS if key in fields}
    state = fields.get("State", "?").split(" ")[0]
    waits = syscalls.terminal_wait(pid, tid) if state == "S" else ""
    return ThreadState(tid, fields.get("Name", "?"), state, _read(f"{base}/wchan") or "", masks,
                       waits)


def read_process(pid: int) -> Optional[ProcessState]:
    """Snapshot one process; None if it is gone (or not ours to read)."""
    stat = _read(f"/proc/{pid}/stat")
    if stat is None:
        return None
    # The name (field 2) may hold spaces and parentheses: split after the last ')'.
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    rest = stat[stat.rindex(")") + 2 :].split()
    ppid, pgrp, session, tpgid = int(rest[1]), int(rest[2]), int(rest[3]), int(rest[5])
    try:
        tids = sorted(int(t) for t in os.listdir(f"/proc/{pid}/task"))
    except OSError:
        tids = []
    threads = tuple(t for t in (read_thread(pid, tid) for tid in tids) if t is not None)
    status = _status_fields(_read(f"/proc/{pid}/status") or "")
    nspid = status.get("NSpid", "").split()
    inner = int(nspid[-1]) if nspid and nspid[-1].isdigit() else pid
    return ProcessState(pid, ppid, name, pgrp, session, tpgid, threads, inner)


def snapshot_tree(pid: int) -> list[ProcessState]:
    """The process and all its live descendants, parents first."""
    import psutil

    pids = [pid]
    try:
        pids += [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        pass
    return [state for state in (read_process(p) for p in pids) if state is not None]
