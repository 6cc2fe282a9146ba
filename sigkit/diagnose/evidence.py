"""Everything a rule may look at, gathered once: from a finished Trial, or from a live process.

A trial brings a timeline (when the Ctrl-C was sent, when CPython's C handler ran, when the
Python handler ran, how the program ended) and, if the first press missed its deadline, a
snapshot taken while the program was stuck: every thread's stack and kernel state.  A live
process (``sigkit inspect``) brings only the snapshot.  Rules read this object and nothing else,
so they can be tested on evidence built by hand for cases too hard to stage (a thread in state D).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

from sigkit import procinfo, stacks
from sigkit.errors import UsageError
from sigkit.inject import INJECT_DIR
from sigkit.interpreters import CPYTHON, PYPY, implementation_of
from sigkit.ladder import TTY_KEYS
from sigkit.procinfo import ProcessState, ThreadState
from sigkit.stacks import Frame, ThreadStack, user_frame
from sigkit.stops import MAIN, Stop
from sigkit.timeline import (
    ATEXIT,
    HANDLER,
    HANDLER_SET,
    KEYBOARD_INTERRUPT,
    PROBE,
    SHUTDOWN,
    WAKEUP_REPLACED,
    Event,
    LateProcess,
    Orphan,
    Trial,
    latencies_us,
)
from sigkit.tree import Connection
from sigkit.tree import take as look_at_tree

# CPython 3's default sys.getswitchinterval(): how long a thread waits for the GIL before it asks
# the holder to drop it.  The target's own setting is not visible from outside.
SWITCH_INTERVAL_US = 5000.0
# A delay a person notices at the keyboard -- and twenty switch intervals, more than busy pure-
# Python threads cause in practice: a handler this late was held up by something that does not
# take turns (a C call holding the GIL, a main thread that never reaches a bytecode boundary).
NOTICEABLE_US = 100_000.0

_PYTHON_VERSION = re.compile(r"(python|pypy)(\d)\.(\d+)")


def is_probe_frame(frame: Frame) -> bool:
    """sigkit's own frames inside the target (the handler wrapper, the probe's emit)."""
    return frame.filename == "<sigkit probe>" or os.path.dirname(frame.filename) == INJECT_DIR


def chain(frames: list[Frame]) -> str:
    """``wait (threading.py:340) ← join (threading.py:940) ← main (app.py:12) ← …``: innermost
    first, through the first frame of the user's own code (where the wait was asked for)."""
    site = user_frame(frames)
    shown = frames[: frames.index(site) + 1] if site is not None else frames[:4]
    text = " ← ".join(f"{f.function} ({f.where()})" for f in shown)
    if len(frames) > len(shown):
        text += " ← …"
    return text or "(no Python frames)"


def calls(frames: list[Frame], path_suffix: str, functions: frozenset[str]) -> bool:
    """Whether some frame runs one of ``functions`` (plain names: py-spy's ``Popen.wait`` is
    ``wait``) in a file ending with ``path_suffix``."""
    suffix = path_suffix.replace("/", os.sep)
    return any(f.short_name in functions and f.filename.endswith(suffix) for f in frames)


@dataclass
class Evidence:
    """What sigkit knows about one program; rules read it, nothing else."""

    pid: int  # the Python process (for a trial: the one the probe reported on)
    live: bool = False
    probed: bool = True  # sigkit's probe ran inside it (False: not Python, or -I/-E)
    version: tuple[int, int] | None = None
    implementation: str | None = None  # "cpython" or "pypy", as the probe reported it
    threads: list[ThreadStack] = field(default_factory=list)
    approximate_lines: bool = False  # PyPy's faulthandler: a frame's line may be its first line
    stacks_source: str | None = None
    stacks_note: str | None = None  # why there are no stacks
    processes: list[ProcessState] = field(default_factory=list)  # the process, then descendants
    cwd: str | None = None  # resolves relative file names in stacks
    # The timeline of a trial (None for a live process); latencies in µs from the first press.
    arrival_us: float | None = None
    handler_us: float | None = None
    after_arrival_us: float | None = None
    exit_us: float | None = None
    deadline_missed: bool = False
    presses: int = 0
    handled_presses: int = 0
    raised_in_time: bool = False  # KeyboardInterrupt reached the top level before press 2
    presses_to_exit: int | None = None
    lost_threads: list[str] = field(default_factory=list)
    orphans: list[Orphan] = field(default_factory=list)
    threads_at_exit: int | None = None
    threads_at_press: int | None = None  # the probed Python's threads when the signal went out
    wakeup_replaced: bool = False  # the program took over the wakeup fd (asyncio does)
    probe_failures: list[str] = field(default_factory=list)  # what the probe could not set up
    unseen: frozenset[str] = frozenset()  # event kinds it could not watch for (Trial.unseen)
    budget_us: float | None = None
    # The whole tree, from the latest look after the first press (servers wait in children).
    tree: dict[int, list[ThreadStack]] = field(default_factory=dict)  # pid -> its threads
    connections: list[Connection] = field(default_factory=list)
    connections_at_press: list[Connection] = field(default_factory=list)
    names_at_press: list[str] = field(default_factory=list)  # process names in the tree then
    command: list[str] = field(default_factory=list)
    look_us: float | None = None  # when that look was taken, after the first press
    ender_us: float | None = None  # when the rung that ended the program was sent
    said: str = ""  # what the program printed from the first press on
    printed: str = ""  # everything it printed (a bounded tail): banners tell servers apart
    signals: list[str] = field(default_factory=list)  # the rungs sent: INT, INT, TERM, KILL
    late_processes: list[LateProcess] = field(default_factory=list)
    # The stop: what was sent first, to which process (the one sigkit started: for a shell
    # wrapper not the Python process), and how that process ended.
    first_signal: str = "INT"
    stop: Stop | None = None
    to: str = MAIN
    pid1: bool = False
    grace: float | None = None
    signalled_pid: int | None = None
    exit_signal: str | None = None
    python_is_child: bool = False  # the probed Python is a child of the signalled process
    python_handled: bool = False  # a Python handler ran in the probed process after a press
    atexit_pending: list[str] = field(default_factory=list)  # registered, per the probe
    atexit_ran: bool = False  # the interpreter's exit (atexit) ran
    handlers_set: list[tuple[str, str, str]] = field(default_factory=list)  # (signal, by, where)
    # A live process sigkit sent a signal to (``inspect --signal``): which, and that the process
    # was still running when this snapshot was taken after the wait.
    sent_signal: str | None = None

    @property
    def sent(self) -> str:
        """The first signal as a user names it: ``Ctrl-C`` or ``SIGTERM``."""
        return TTY_KEYS.get(self.first_signal, "SIG" + self.first_signal)

    @property
    def typed(self) -> bool:
        """The first signal was a key typed at the terminal (its foreground group got it)."""
        return self.first_signal in TTY_KEYS

    @property
    def signalled(self) -> ProcessState | None:
        """The process sigkit sent the first signal to, as the snapshot saw it."""
        return next((p for p in self.processes if p.pid == self.signalled_pid), None)

    # -- what the rules ask ----------------------------------------------------------------
    @property
    def threads_seen(self) -> tuple[int | None, str]:
        """How many threads the program had, and when they were counted: when the signal went
        out if sigkit looked then, else at exit (which says less about the press)."""
        if self.threads_at_press is not None:
            return self.threads_at_press, "when the signal went out"
        return self.threads_at_exit, "at exit"

    @property
    def stuck(self) -> bool:
        """The snapshot shows the program where Ctrl-C failed (a live one: where it is now)."""
        return self.live or self.deadline_missed

    @property
    def process(self) -> ProcessState | None:
        return next((p for p in self.processes if p.pid == self.pid), None)

    @property
    def children(self) -> list[ProcessState]:
        return [p for p in self.processes if p.pid != self.pid]

    @property
    def main_state(self) -> ThreadState | None:
        """The main thread as the kernel sees it (its tid is the pid)."""
        process = self.process
        if process is None:
            return None
        return next((t for t in process.threads if t.tid == self.pid), None)

    @property
    def other_states(self) -> list[ThreadState]:
        process = self.process
        return [t for t in process.threads if t.tid != self.pid] if process else []

    @property
    def main_stack(self) -> ThreadStack | None:
        by_tid = next((t for t in self.threads if t.native_id == self.pid), None)
        return by_tid or next((t for t in self.threads if t.is_main), None)

    @property
    def worker_stacks(self) -> list[ThreadStack]:
        main = self.main_stack
        return [t for t in self.threads if t is not main]

    @property
    def main_frames(self) -> list[Frame]:
        """The main thread's frames, innermost first, without sigkit's own probe frames."""
        main = self.main_stack
        return [f for f in main.frames if not is_probe_frame(f)] if main else []

    def delivered_to_handler(self) -> bool:
        """The signal sigkit sent to a live process reached a handler: the process catches it
        (SigCgt), the main thread does not block it, and no thread has it pending any more."""
        state = self.main_state
        name = self.sent_signal
        if state is None or name is None or name not in state.masks.get("SigCgt", []):
            return False
        process = self.process
        threads = process.threads if process else ()
        pending = any(name in t.masks.get(key, []) for t in threads for key in ("SigPnd", "ShdPnd"))
        return not pending and name not in state.masks.get("SigBlk", [])

    def main_running(self) -> bool:
        """The kernel saw the main thread on a CPU (state R) when the snapshot was taken."""
        state = self.main_state
        return state is not None and state.state == "R"

    def running_workers(self) -> list[str]:
        """Other threads on a CPU, described: kernel state R, or py-spy saw them hold the GIL."""
        running = {t.tid: "state R" for t in self.other_states if t.state == "R"}
        for stack in self.worker_stacks:
            if stack.state == "active+gil" and stack.native_id not in running:
                running[stack.native_id or 0] = "holds the GIL"
        return [f"thread {tid} ({how})" for tid, how in running.items()]

    @property
    def responsiveness_us(self) -> float | None:
        """Sent → Python handler (what the user feels); sent → exit when no handler ran."""
        return self.handler_us if self.handler_us is not None else self.exit_us

    @property
    def ended_by_itself(self) -> bool:
        """The first signal ended the program: no later rung was needed."""
        return self.presses_to_exit == 1

    @property
    def ender(self) -> str | None:
        """The rung that ended the program when the first did not: ``the 2nd Ctrl-C``, ``SIGKILL``."""
        n = self.presses_to_exit
        if n is None or n < 2 or n > len(self.signals):
            return None
        name = self.signals[n - 1]
        if name != "INT":
            return "SIG" + name
        nth = sum(1 for s in self.signals[:n] if s == "INT")
        return f"the {ordinal(nth)} Ctrl-C"

    def stacks_of(self, pid: int) -> list[ThreadStack]:
        """The threads of one process of the tree (the main Python process's are ``threads``)."""
        return self.threads if pid == self.pid and self.threads else self.tree.get(pid, [])

    def name_of(self, pid: int) -> str:
        process = next((p for p in self.processes if p.pid == pid), None)
        return f"pid {pid} ({process.name})" if process else f"pid {pid}"

    @property
    def budget_broken(self) -> bool:
        figure = self.responsiveness_us
        return self.budget_us is not None and figure is not None and figure > self.budget_us

    def resolve(self, filename: str) -> str:
        """A stack's file name as a path sigkit can open (stacks may hold relative names)."""
        if os.path.isabs(filename) or self.cwd is None:
            return filename
        return os.path.join(self.cwd, filename)


def ordinal(n: int) -> str:
    return f"{n}{'tsnrhtdd'[(n // 10 % 10 != 1) * (n % 10 < 4) * n % 10::4]}"


def from_trial(trial: Trial, budget_us: float | None = None) -> Evidence:
    """Evidence from a finished probe."""
    pid = trial.python_pid or trial.pid
    figures = latencies_us(trial)
    first = trial.first_press
    look = trial.looks[-1] if trial.looks else None
    tree = {s.pid: s.threads for s in look.stacks if s.text} if look else {}
    snapshot = trial.proc_snapshot or (look.processes if look else [])
    at_exit = next(
        (e.detail.get("os_threads") for e in trial.events if e.kind == SHUTDOWN and e.pid == pid),
        None,
    )
    mine = [e for e in trial.events if e.pid == pid]
    registered = [e for e in mine if e.kind == ATEXIT]
    started = next((e for e in mine if e.kind == PROBE), None)
    parent = started.detail.get("ppid") if started is not None else None
    return Evidence(
        pid=pid,
        probed=trial.python_pid is not None,
        version=trial.interpreter.version_tuple if trial.interpreter else None,
        implementation=implementation_of(trial.interpreter.implementation)
        if trial.interpreter else None,
        threads=stacks.parse(trial.stacks, trial.stacks_source or "") if trial.stacks
        else tree.get(pid, []),
        approximate_lines=stacks.APPROXIMATE_LINES in (trial.stacks or ""),
        stacks_source=trial.stacks_source if trial.stacks else None,
        stacks_note=None if trial.stacks else trial.stacks_source,
        processes=[process_from_dict(d) for d in snapshot],
        arrival_us=figures["arrival"],
        handler_us=figures["handler"],
        after_arrival_us=figures["handler_after_arrival"],
        exit_us=figures["exit"],
        deadline_missed=trial.problem is None and first is not None and not first.ended_it,
        presses=len(trial.presses),
        handled_presses=sum(1 for p in trial.presses if p.handler_ns is not None),
        raised_in_time=_raised_before_second_press(trial, pid),
        presses_to_exit=trial.presses_to_exit,
        lost_threads=trial.lost_threads,
        orphans=list(trial.orphans),
        threads_at_exit=at_exit if isinstance(at_exit, int) and at_exit > 0 else None,
        threads_at_press=_threads_at_press(trial, pid),
        budget_us=budget_us,
        wakeup_replaced=any(e.kind == WAKEUP_REPLACED and e.pid == pid for e in trial.events),
        probe_failures=trial.probe_failures,
        unseen=trial.unseen,
        tree=tree,
        connections=list(look.connections) if look else [],
        connections_at_press=list(trial.at_press.connections) if trial.at_press else [],
        command=list(trial.command),
        names_at_press=[str(p["name"]) for p in trial.at_press.processes] if trial.at_press else [],
        look_us=(look.t_ns - first.sent_ns) / 1000 if look and first else None,
        ender_us=(trial.presses[trial.presses_to_exit - 1].sent_ns - first.sent_ns) / 1000
        if trial.presses_to_exit and first else None,
        said=trial.output_after_press,
        printed=trial.output,
        signals=[p.signal for p in trial.presses],
        late_processes=list(trial.late_processes),
        first_signal=first.signal if first is not None else
        (trial.stop.signal if trial.stop is not None else "INT"),
        stop=trial.stop,
        to=trial.to,
        pid1=trial.pid1,
        grace=trial.grace,
        signalled_pid=trial.pid,
        exit_signal=trial.exit_signal,
        python_is_child=pid != trial.pid and parent in (trial.pid, 1 if trial.pid1 else None),
        python_handled=first is not None and any(
            e.kind == HANDLER and e.t_ns >= first.sent_ns for e in mine),
        atexit_pending=_names(registered[-1].detail.get("names")) if registered else [],
        atexit_ran=any(e.kind == SHUTDOWN for e in mine),
        handlers_set=[_handler_set(e) for e in mine if e.kind == HANDLER_SET
                      and (first is None or e.t_ns < first.sent_ns)],
    )


def _handler_set(event: Event) -> tuple[str, str, str]:
    """A ``signal.signal()`` the probe saw: (``SIGTERM``, the handler, the caller's file:line)."""
    signum = event.detail.get("signum")
    name = procinfo.signal_name(signum) if isinstance(signum, int) else "?"
    return name, str(event.detail.get("handler", "")), str(event.detail.get("where", ""))


def _names(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _raised_before_second_press(trial: Trial, pid: int) -> bool:
    """Did the first press's KeyboardInterrupt reach the top level before sigkit pressed again?"""
    if not trial.presses:
        return False
    start = trial.presses[0].sent_ns
    end = trial.presses[1].sent_ns if len(trial.presses) > 1 else None
    return any(
        e.kind == KEYBOARD_INTERRUPT and e.pid == pid and e.t_ns >= start
        and (end is None or e.t_ns < end)
        for e in trial.events
    )


def process_from_dict(data: dict[str, Any]) -> ProcessState:
    """Rebuild a ``ProcessState`` from the dict a Trial stores (``ProcessState.to_dict``)."""
    fields = {key: value for key, value in data.items() if key not in ("threads", "in_foreground")}
    threads = tuple(ThreadState(**thread) for thread in data.get("threads", ()))
    return ProcessState(**fields, threads=threads)


def from_live(pid: int, want_stacks: bool = True) -> Evidence:
    """Evidence from a running process sigkit did not start (``sigkit inspect``), and from its
    whole tree: a parent may only be waiting for the child that does not stop.

    Python stacks come from py-spy, which reads each process's memory: it needs ptrace rights
    (the same user, or root) and may be missing; the kernel's view works without it.
    """
    check_access(pid)
    look = look_at_tree(pid, {}, "", time.monotonic_ns(), want_stacks)
    if not look.processes:
        raise UsageError(f"no such process: {pid}")
    by_pid = {s.pid: stacks.parse(s.text, s.source or "") for s in look.stacks if s.text}
    own = look.stacks_of(pid) or next((s for s in look.stacks if s.pid == pid), None)
    note = own.note if own is not None else ("not requested (--no-stacks)" if not want_stacks
                                             else "not a Python process")
    identity = live_identity(pid)
    if note == stacks.PYPY_UNREADABLE:
        note += (": run the program under `sigkit probe` or `sigkit watch` instead, whose "
                 "injected faulthandler dumps every thread's stack on PyPy too")
    return Evidence(
        pid=pid,
        live=True,
        version=identity[1] if identity else None,
        implementation=identity[0] if identity else None,
        threads=by_pid.get(pid, []),
        stacks_source=own.source if own is not None and own.text else None,
        stacks_note=None if pid in by_pid else note,
        processes=[process_from_dict(d) for d in look.processes],
        tree=by_pid,
        connections=list(look.connections),
        command=_cmdline(pid),
        cwd=_readlink(f"/proc/{pid}/cwd"),
    )


def check_access(pid: int) -> None:
    """A usage error, in one line, unless ``pid`` is a process sigkit may look into."""
    if pid <= 0:
        raise UsageError(f"not a process id: {pid}")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        raise UsageError(f"no such process: {pid}") from None
    except PermissionError:
        raise UsageError(
            f"not permitted to inspect pid {pid}: it belongs to another user "
            "(run sigkit as that user, or as root)"
        ) from None


def live_identity(pid: int) -> tuple[str, tuple[int, int]] | None:
    """Which Python runs in ``pid`` -- ("cpython", (3, 11)), ("pypy", (3, 9)) -- from /proc: the
    executable's or its shared library's name (``python3.11``, ``pypy3.9``, ``libpypy3.9-c.so``);
    when the name has no version (``pypy3``), the executable's own ``--version``."""
    exe = _readlink(f"/proc/{pid}/exe") or ""
    names = [exe, os.path.realpath(exe)] if exe else []
    try:
        with open(f"/proc/{pid}/maps") as maps:
            names += [line.split()[-1] for line in maps if "libpython" in line or "libpypy" in line]
    except OSError:
        pass
    for name in names:
        match = _PYTHON_VERSION.search(os.path.basename(name.strip()))
        if match:
            return _implementation(match.group(1)), (int(match.group(2)), int(match.group(3)))
    base = os.path.basename(exe)
    return ask_version(exe) if base.startswith(("python", "pypy")) else None


def _implementation(word: str) -> str:
    return PYPY if word.startswith("pypy") else CPYTHON


def ask_version(exe: str) -> tuple[str, tuple[int, int]] | None:
    """``Python 3.9.16 (...)\n[PyPy 7.3.11 ...]``: only for an executable named like Python
    (running an unknown program's ``--version`` could do anything)."""
    try:
        done = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    answer = done.stdout + done.stderr
    match = re.search(r"Python (\d)\.(\d+)", answer)
    if match is None:
        return None
    return (PYPY if "PyPy" in answer else CPYTHON), (int(match.group(1)), int(match.group(2)))


def _cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return [part.decode("utf-8", "replace") for part in handle.read().split(b"\0") if part]
    except OSError:
        return []


def _readlink(path: str) -> str | None:
    try:
        return os.readlink(path)
    except OSError:
        return None


def _threads_at_press(trial: Trial, pid: int | None) -> int | None:
    """How many threads the probed Python had when the first signal went out (the look taken
    then), None when there was no such look: the count at exit says nothing about the press."""
    if trial.at_press is None or pid is None:
        return None
    for process in trial.at_press.processes:
        if process.get("pid") == pid and isinstance(process.get("threads"), (list, tuple)):
            return len(process["threads"])  # type: ignore[arg-type]
    return None
