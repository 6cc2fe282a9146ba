"""What one trial saw: timestamped events on CLOCK_MONOTONIC and the latencies derived from them.

Every timestamp is nanoseconds on CLOCK_MONOTONIC.  On Linux that clock is system-wide, so a stamp
taken inside the target (its Python handler) and one taken by sigkit (the Ctrl-C it sent) sit on
one axis and subtract directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from sigkit.findings import Finding
from sigkit.stops import MAIN, Stop
from sigkit.tree import Look

# Event kinds, in the order a healthy trial produces them.
SPAWN = "spawn"  # sigkit started the target
PROBE = "probe"  # the injected probe loaded inside a Python process
READY = "ready"  # readiness reached (--expect matched, or --after elapsed)
SEND = "send"  # sigkit pressed Ctrl-C / sent a signal (one per ladder step)
ARRIVAL = "arrival"  # CPython's C-level handler wrote the wakeup byte (kernel timestamp)
HANDLER = "handler"  # a Python-level handler started running, in the main thread
KEYBOARD_INTERRUPT = "keyboard-interrupt"  # KeyboardInterrupt reached the top level unhandled
WAKEUP_REPLACED = "wakeup-replaced"  # the program installed its own wakeup fd (asyncio)
SHUTDOWN = "shutdown"  # interpreter shutdown (atexit): which threads were still running
STACKS = "stacks"  # sigkit captured every thread's stack
ATEXIT = "atexit"  # the program registered/removed atexit handlers: how many are pending
HANDLER_SET = "handler-set"  # the program set a handler for SIGINT/SIGTERM/SIGHUP/SIGQUIT
PROBE_FAILED = "probe-failed"  # part of the probe could not set itself up: what it misses is unknown
EXIT = "exit"  # the target process ended (seen through a pidfd, not EOF)


# What each stage of a failed probe set-up leaves unwatched (the stage names the probe sends);
# any other stage failed before the handlers were wrapped, so both are unknown.
_UNSEEN = {"stack dump": (), "wakeup fd": (ARRIVAL,)}

_KEYS = {"INT": "Ctrl-C", "QUIT": "Ctrl-\\"}


def key_label(signal: str) -> str:
    """What a person calls a press: ``Ctrl-C``, ``Ctrl-\\``; other signals by name (``SIGTERM``)."""
    return _KEYS.get(signal, "SIG" + signal)


@dataclass(frozen=True)
class Event:
    """One thing that happened, when (CLOCK_MONOTONIC ns), and in which process."""

    kind: str
    t_ns: int
    pid: int
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Interpreter:
    """The Python that ran the target, as its injected probe reported it."""

    implementation: str
    version: str
    executable: str

    @property
    def name(self) -> str:
        """``Python 3.11.7`` or ``PyPy 3.9.16`` (the language version PyPy implements)."""
        return f"{'PyPy' if self.implementation.lower() == 'pypy' else 'Python'} {self.version}"

    @property
    def version_tuple(self) -> tuple[int, int]:
        major, minor = self.version.split(".")[:2]
        return int(major), int(minor)


@dataclass
class Press:
    """One rung of the ladder: what was sent, and what the target did about it."""

    signal: str
    sent_ns: int
    arrival_ns: Optional[int] = None
    handler_ns: Optional[int] = None
    ended_it: bool = False

    def arrival_latency_ns(self) -> Optional[int]:
        return None if self.arrival_ns is None else self.arrival_ns - self.sent_ns

    def handler_latency_ns(self) -> Optional[int]:
        """Sent → Python handler in the main thread: what a user feels as "Ctrl-C responsiveness"."""
        return None if self.handler_ns is None else self.handler_ns - self.sent_ns


@dataclass(frozen=True)
class Orphan:
    """A descendant still alive after the target ended (sigkit killed it)."""

    pid: int
    name: str
    cmdline: str
    escaped_session: bool


@dataclass(frozen=True)
class LateProcess:
    """A process of the tree that started after the first press: sigkit pressed too early."""

    pid: int
    name: str
    after_press_ns: int  # when its probe reported in, after the first press


@dataclass
class Trial:
    """Everything one probe of one command observed."""

    command: list[str]
    pid: int
    events: list[Event] = field(default_factory=list)
    presses: list[Press] = field(default_factory=list)
    interpreter: Optional[Interpreter] = None
    python_pid: Optional[int] = None
    ready: Optional[str] = None  # how readiness was reached; None: it never was
    problem: Optional[str] = None  # "not-ready" / "exited-before-interrupt" / None
    exit_code: Optional[int] = None
    exit_signal: Optional[str] = None
    exit_ns: Optional[int] = None
    orphans: list[Orphan] = field(default_factory=list)
    orphans_seen_by: str = ""  # how orphans were looked for: "none" is only as good as this
    stacks: Optional[str] = None
    stacks_source: Optional[str] = None
    proc_snapshot: list[dict[str, object]] = field(default_factory=list)
    # Looks at the whole tree after the first press (an early one, then at the deadline).
    looks: list[Look] = field(default_factory=list)
    at_press: Optional[Look] = None  # processes and sockets just before the first press
    late_processes: list[LateProcess] = field(default_factory=list)
    grew_after_ready: bool = False  # processes were still starting when the ready line came
    output: str = ""
    output_after_press: str = ""  # what it printed from the first press on
    stop: Optional[Stop] = None  # the stop contract replayed (docker, k8s, kill, terminal...)
    to: str = MAIN  # who got the signals sigkit sent itself: main or group
    pid1: bool = False  # the target ran as PID 1 of its own PID namespace
    grace: Optional[float] = None  # seconds the first signal had before the next rung
    # The judgment, made once by whoever ran the trial (``sigkit.trials.judged``) and only read
    # by reporters: text, JSON, JUnit and pictures all show the same findings.
    findings: list[Finding] = field(default_factory=list)

    # -- derived figures -------------------------------------------------------------------
    @property
    def first_press(self) -> Optional[Press]:
        return self.presses[0] if self.presses else None

    @property
    def presses_to_exit(self) -> Optional[int]:
        """Which rung ended the target (1 = the first Ctrl-C); None if nothing sigkit sent did."""
        for index, press in enumerate(self.presses, start=1):
            if press.ended_it:
                return index
        return None

    @property
    def keyboard_interrupt(self) -> bool:
        """Did KeyboardInterrupt end the Python program (seen by the probe, or its traceback)?"""
        if any(e.kind == KEYBOARD_INTERRUPT and e.pid == self.python_pid for e in self.events):
            return True
        return self.exit_signal == "SIGINT" and self.python_pid is not None

    @property
    def ended_by(self) -> str:
        """How the target ended, in words a user checks against: KeyboardInterrupt, exit, SIGTERM…"""
        if self.problem == "exited-before-interrupt" or self.exit_ns is None:
            return self.problem or "running"
        ender = self.presses[self.presses_to_exit - 1] if self.presses_to_exit else None
        if ender is not None and ender.signal == "INT" and self.keyboard_interrupt:
            return "KeyboardInterrupt"
        if self.exit_signal is not None:
            return self.exit_signal
        return "exit"

    @property
    def verdict(self) -> str:
        """The outcome vocabulary scenarios declare (or a problem): ``ki`` / ``exit`` when the first
        signal ended it (through KeyboardInterrupt or otherwise), ``presses=N`` for N Ctrl-Cs,
        ``term`` when a later TERM/HUP/QUIT did, ``kill`` when only SIGKILL did."""
        if self.problem is not None:
            return self.problem
        n = self.presses_to_exit
        if n is None:
            return "never"
        if n == 1:  # the first signal sent (Ctrl-C, or TERM for a container-style probe) did it
            return "ki" if self.ended_by == "KeyboardInterrupt" else "exit"
        last = self.presses[n - 1].signal
        if last == "KILL":
            return "kill"
        if last != "INT":
            return "term"
        return f"presses={n}"

    @property
    def exit_latency_ns(self) -> Optional[int]:
        first = self.first_press
        if first is None or self.exit_ns is None:
            return None
        return self.exit_ns - first.sent_ns

    @property
    def probe_failures(self) -> list[str]:
        """What the injected probe could not set up, in its own words (``stack dump: OSError:
        ...``): the events it would have sent are unknown, not absent."""
        return [str(e.detail.get("what", "")) for e in self.events if e.kind == PROBE_FAILED]

    @property
    def unseen(self) -> frozenset[str]:
        """The event kinds the probe could not watch for (its set-up failed there): for these,
        no event means sigkit did not see one, not that none happened."""
        return frozenset().union(*(_UNSEEN.get(what.split(":", 1)[0], (ARRIVAL, HANDLER))
                                   for what in self.probe_failures))

    @property
    def lost_threads(self) -> list[str]:
        """Non-daemon threads still running at interpreter shutdown: their work dies unfinished."""
        for event in self.events:
            if event.kind == SHUTDOWN and event.pid == self.python_pid:
                names = event.detail.get("nondaemon", [])
                return list(names) if isinstance(names, list) else []
        return []


# The latencies sigkit reports, each measured from the first press (µs).
LATENCY_NAMES = {
    "arrival": "sent → C handler",
    "handler": "sent → Python handler",
    "handler_after_arrival": "C handler → Python handler",
    "exit": "sent → exit",
}


def latencies_us(trial: Trial) -> dict[str, Optional[float]]:
    """The first press's latencies in microseconds (None where the trial has no such event)."""
    press = trial.first_press

    def us(ns: Optional[int]) -> Optional[float]:
        return None if ns is None else ns / 1000.0

    if press is None:
        return dict.fromkeys(LATENCY_NAMES)
    between = None
    if press.handler_ns is not None and press.arrival_ns is not None:
        between = press.handler_ns - press.arrival_ns
    return {
        "arrival": us(press.arrival_latency_ns()),
        "handler": us(press.handler_latency_ns()),
        "handler_after_arrival": us(between),
        "exit": us(trial.exit_latency_ns),
    }
