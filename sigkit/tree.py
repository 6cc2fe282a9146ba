"""A look at the whole process tree at one moment: every process, every Python stack, every socket.

Servers and workers wait in more than one process: a supervisor joins its server process, an
arbiter waits for a worker that finishes a request, a prefork pool child runs the task its parent
waits for.  Looking only at the first process names the wrong cause in the wrong place, so a look
covers every descendant sigkit started.

Stacks come from the injected probe's faulthandler where it is armed.  A *forked* child (gunicorn
workers, prefork pools) inherits the registration and the open dump file of its parent, so its dump
is appended to the parent's file: the look reads only what each dump added.  A signal is sent only
to a process whose ``SigCgt`` shows the handler (an unhandled real-time signal would kill it);
other Python processes are read with py-spy.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Optional

from sigkit import procinfo, stacks
from sigkit.stacks import ProcessStacks

MAX_PYTHON_PROCESSES = 8  # a look must stay quick: a pool of 64 workers does not need 64 dumps


@dataclass(frozen=True)
class Connection:
    """One TCP socket of the tree: a listener, or an accepted/open connection."""

    pids: tuple[int, ...]
    status: str  # psutil's words: LISTEN, ESTABLISHED, CLOSE_WAIT...
    local: str  # "127.0.0.1:8000"
    remote: Optional[str]


@dataclass
class Look:
    """The tree at ``t_ns`` (CLOCK_MONOTONIC)."""

    t_ns: int
    processes: list[dict[str, object]] = field(default_factory=list)  # ProcessState.to_dict()
    stacks: list[ProcessStacks] = field(default_factory=list)
    connections: list[Connection] = field(default_factory=list)

    def stacks_of(self, pid: int) -> Optional[ProcessStacks]:
        return next((s for s in self.stacks if s.pid == pid and s.text), None)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def take(
    root: int, probed: dict[int, bool], workdir: str, t_ns: int, want_stacks: bool = True
) -> Look:
    """Look at ``root`` and its descendants.

    ``probed`` maps the pid of every process whose probe reported in to whether its stack dump is
    armed; dumps are written under ``workdir`` (``stacks-PID.txt``, the probe's naming).
    """
    states = procinfo.snapshot_tree(root)
    look = Look(t_ns, [state.to_dict() for state in states], [], connections([s.pid for s in states]))
    if not want_stacks:
        return look
    pythons = [s for s in states if s.pid in probed or _runs_python(s.pid)]
    by_pid = {s.pid: s for s in states}
    for state in pythons[:MAX_PYTHON_PROCESSES]:
        dump_file = _dump_file(state.pid, by_pid, probed, workdir)
        look.stacks.append(_stacks(state.pid, state.name, dump_file))
    return look


def _dump_file(
    pid: int, by_pid: dict[int, procinfo.ProcessState], probed: dict[int, bool], workdir: str
) -> Optional[str]:
    """The file this process's faulthandler writes to: its own, or (forked) its nearest probed
    ancestor's; None when no faulthandler is registered in it."""
    if not _catches(pid, stacks.STACK_SIGNAL):
        return None
    current: Optional[int] = pid
    while current is not None:
        parent = by_pid.get(current)
        if probed.get(current):
            # The probe names its file by the pid it sees: in its own PID namespace (--pid1)
            # that is not ours.
            own = parent.namespace_pid if parent is not None and parent.namespace_pid else current
            return os.path.join(workdir, f"stacks-{own}.txt")
        current = parent.ppid if parent is not None and parent.ppid in by_pid else None
    return None


def _stacks(pid: int, name: str, dump_file: Optional[str]) -> ProcessStacks:
    if dump_file is not None:
        text = stacks.dump_with_faulthandler(pid, dump_file)
        if text:
            return ProcessStacks(pid, "faulthandler", text, name=name)
    text, why = stacks.dump_with_py_spy(pid)
    if text:
        return ProcessStacks(pid, "py-spy", text, name=name)
    return ProcessStacks(pid, None, None, why, name)


def _catches(pid: int, signum: int) -> bool:
    """Whether the process has a handler for ``signum`` (SigCgt in /proc/PID/status)."""
    state = procinfo.read_thread(pid, pid)
    return state is not None and procinfo.signal_name(signum) in state.masks.get("SigCgt", [])


def _runs_python(pid: int) -> bool:
    """Named like Python; a process whose executable sigkit may not read (another user's) is
    handed to py-spy too, whose answer says why it cannot look (ptrace rights)."""
    try:
        name = os.path.basename(os.readlink(f"/proc/{pid}/exe"))
    except PermissionError:
        return True
    except OSError:
        return False
    return name.startswith(("python", "pypy"))


def connections(pids: list[int]) -> list[Connection]:
    """The TCP sockets the processes hold, each once (a listener shared by workers lists them all)."""
    import psutil

    seen: dict[tuple[str, str, Optional[str]], list[int]] = {}
    for pid in pids:
        try:
            process = psutil.Process(pid)
            # psutil 6 renamed connections() to net_connections()
            lister = getattr(process, "net_connections", None) or process.connections
            found = lister(kind="tcp")
        except (psutil.Error, OSError):
            continue
        for conn in found:
            local = _address(conn.laddr)
            if local is None:
                continue
            key = (conn.status, local, _address(conn.raddr))
            seen.setdefault(key, []).append(pid)
    return [Connection(tuple(pids), status, local, remote)
            for (status, local, remote), pids in seen.items()]


def _address(addr: tuple[str, int] | tuple[()]) -> Optional[str]:
    if not addr:
        return None
    ip, port = str(addr[0]), int(addr[1])
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"

