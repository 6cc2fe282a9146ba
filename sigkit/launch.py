"""Run a command in a pseudo-terminal, press a real Ctrl-C, escalate, reap — and time it all.

Why a pty: Ctrl-C is not a signal a program receives from "someone"; the terminal's line
discipline turns the keystroke into SIGINT for the *foreground process group*, children
included.  Writing the interrupt character to a pty master reproduces exactly that.

One loop watches three file descriptors at once (``select``): the pty (drained all the time — a
full pty buffer would block the target's writes and fake latency), the probe socket (events from
inside the target, kernel-stamped), and a pidfd (readable the instant the target exits; EOF on the
pty can come much later when a grandchild holds the terminal open).
"""

from __future__ import annotations

import os
import re
import select
import termios
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from sigkit import delivery, managed, orphans, procinfo, settings, stops, validate
from sigkit import ladder as ladder_mod
from sigkit.errors import UsageError
from sigkit.target import Target, check_command, reset_signals_in_child
from sigkit.timeline import READY, SEND, Event, Press, Trial

__all__ = ["ProbeOptions", "check_command", "probe"]

DEFAULT_AFTER = 0.5  # seconds to wait before Ctrl-C when no --expect is given
# After --expect matches, the target still has to get from its print() into the blocking call.
# A SIGINT landing in between (after the last eval-breaker check, before the syscall starts) sets
# CPython's flag but wakes nothing: the handler then waits for the whole blocking call.  That is
# a real race a user can hit too, but a probe should not provoke it on every press.
SETTLE_AFTER_EXPECT = 0.002
# A first look at the whole tree when the first signal has not ended the program after this long
# (and the deadline is longer): a server that drains for 13 s and then exits by itself is described
# by what it was doing, not only by how long it took.
EARLY_LOOK = 1.0
# Readiness for process trees: a reloader prints its "Running on" line and only then starts the
# server child.  sigkit waits this long for the tree to stop growing before it presses, and while
# processes that appeared after the ready line are still busy (at most MAX_TREE_SETTLE).
TREE_SETTLE = 0.1
MAX_TREE_SETTLE = 5.0
NEWCOMER_AGE = 0.5  # a process born this long before the ready line may still be starting


@dataclass
class ProbeOptions:
    """How to run one probe; the CLI, the checks and the pytest fixture all fill this in."""

    command: list[str]
    expect: Optional[str] = settings.EXPECT.default  # regex on the output that means "ready"
    after: Optional[float] = settings.AFTER.default  # seconds to wait (after expect matched)
    ready_timeout: float = settings.READY_TIMEOUT.default
    deadline: float = settings.DEADLINE.default  # how long the first press has to end the target
    ladder: tuple[str, ...] = ladder_mod.DEFAULT_LADDER
    interval: float = settings.INTERVAL.default  # wait after each later rung
    inherit_signals: bool = False  # keep ignored signals/mask from sigkit's own parent
    inject: bool = True
    capture_stacks: bool = True
    orphan_settle: float = 0.25
    tree_settle: float = TREE_SETTLE  # 0: press as soon as ready, even while the tree grows
    env: dict[str, str] = field(default_factory=dict)
    cwd: Optional[str] = None
    to: str = stops.MAIN  # who gets a signal sigkit sends itself (not typed, not the final KILL)
    pid1: bool = False  # run the target as PID 1 of a new PID namespace, as in a container
    stop: Optional[stops.Stop] = None  # the contract the run replays (None: what rung 1 implies)

    def contract(self) -> stops.Stop:
        return self.stop or stops.for_signal(self.ladder[0])

    def with_terminal(self) -> bool:
        """A key is typed at some rung: the target keeps the pty as its controlling terminal.
        Otherwise it runs as a manager starts it, in a session with no terminal (no SIGHUP
        from a terminal that hangs up when sigkit's child dies)."""
        return any(name in ladder_mod.TTY_KEYS for name in self.ladder)

    def rungs(self) -> tuple[ladder_mod.Rung, ...]:
        return ladder_mod.build(self.ladder, self.deadline, self.interval)

    def delay_after_ready(self) -> float:
        if self.after is not None:
            return self.after
        return SETTLE_AFTER_EXPECT if self.expect else DEFAULT_AFTER


LIBRARY_CALL = validate.Origin("call", "ProbeOptions")


class _Session(Target):
    """One probe: a Target driven by a scripted press and the escalation ladder."""

    def __init__(self, options: ProbeOptions) -> None:
        super().__init__(options.command, options.env, options.cwd, options.inject,
                         options.capture_stacks, no_tty=not options.with_terminal(),
                         pid1=options.pid1)
        self.options = options
        self.pty_open = True

    def start(self) -> Trial:
        trial = self.spawn(preexec=None if self.options.inherit_signals else reset_signals_in_child)
        trial.stop, trial.to, trial.grace = (self.options.contract(), self.options.to,
                                             self.options.deadline)
        return trial

    # -- the loop ------------------------------------------------------------------------------
    def pump(self, seconds: float, until: Optional[Callable[[], bool]] = None) -> bool:
        """Drain pty and socket, watch for exit, for up to ``seconds``; True if ``until()`` held."""
        assert self.child is not None
        end = time.monotonic() + seconds
        while True:
            if until is not None and until():
                return True
            remaining = end - time.monotonic()
            if remaining <= 0:
                return False
            fds = [self.listener.fileno()]
            if self.pty_open:
                fds.append(self.child.child_fd)
            if self.pidfd is not None and not self.exited():
                fds.append(self.pidfd)
            if self.target_pidfd is not None and self.target_gone_ns is None:
                fds.append(self.target_pidfd)
            polling = self.pidfd is None and not self.exited()
            readable, _, _ = select.select(fds, [], [], min(remaining, 0.001) if polling else remaining)
            self.note_target_exit(readable)
            if self.listener.fileno() in readable:
                self.collect_events()
            if self.pty_open and self.child.child_fd in readable:
                self.read_output()
            if self.pidfd in readable or polling:
                self.check_exit()

    def read_output(self) -> None:
        assert self.child is not None
        try:
            chunk = os.read(self.child.child_fd, 65536)
        except OSError:  # EIO: every process that had the terminal open has closed it
            chunk = b""
        if not chunk:
            self.pty_open = False
        self.keep_output(chunk)

    # -- the steps -------------------------------------------------------------------------------
    def wait_ready(self) -> bool:
        options, trial = self.options, self.trial
        assert trial is not None
        if options.expect:
            try:
                pattern = re.compile(options.expect, re.M)
            except re.error as error:
                raise UsageError(f"--expect is not a valid regex: {error}") from None
            matched = self.pump(
                options.ready_timeout, lambda: self.exited() or bool(pattern.search(self.text()))
            )
            if not matched or self.exited():
                trial.problem = "exited-before-interrupt" if self.exited() else "not-ready"
                return False
            trial.ready = f"expect {options.expect!r}"
        delay = options.delay_after_ready()
        if delay > 0:
            self.pump(delay, self.exited)
            if self.exited():
                trial.problem = "exited-before-interrupt"
                return False
            if self.options.after is not None or not options.expect:
                trial.ready = (trial.ready + " + " if trial.ready else "") + f"after {delay:g}s"
        if not self.settle_tree():
            trial.problem = "exited-before-interrupt"
            return False
        self.collect_events()
        trial.events.append(Event(READY, time.monotonic_ns(), trial.pid))
        return True

    def tree_pids(self) -> set[int]:
        assert self.trial is not None
        return {p.pid for p in procinfo.snapshot_tree(self.trial.pid)} | {self.trial.pid}

    def settle_tree(self) -> bool:
        """Do not press while the process tree is still growing; False if the target exited.

        Processes born shortly before the ready line (or after it) are newcomers: a reloader
        prints its banner and then starts its server.  Wait until no process has appeared for a
        window and the newcomers are all asleep (started up), at most MAX_TREE_SETTLE seconds;
        ``trial.ready`` says how long that took.
        """
        window, trial = self.options.tree_settle, self.trial
        assert trial is not None
        if window <= 0:
            return True
        started = time.monotonic()
        before = self.tree_pids()
        end = started + min(MAX_TREE_SETTLE, self.options.ready_timeout)
        while time.monotonic() < end:
            self.pump(window, self.exited)
            if self.exited():
                return False
            now = self.tree_pids()
            young = NEWCOMER_AGE + time.monotonic() - started
            newcomers = {pid for pid in now if pid != trial.pid and _younger(pid, young)}
            if now == before and all(_asleep(pid) for pid in newcomers):
                trial.grew_after_ready = bool(newcomers)
                if newcomers:
                    trial.ready = (trial.ready or "ready") + (
                        f" + {time.monotonic() - started:.1f}s for {len(newcomers)} new "
                        f"process{'es' if len(newcomers) > 1 else ''} to start")
                return True
            before = now
        trial.grew_after_ready = True
        return True

    def send(self, rung: ladder_mod.Rung) -> Press:
        assert self.child is not None and self.trial is not None
        fd = self.child.child_fd
        if rung.via_tty:
            control = termios.VINTR if rung.signal == "INT" else termios.VQUIT
            key = termios.tcgetattr(fd)[6][control]
            to, sent = stops.TTY, time.monotonic_ns()
            os.write(fd, key)
        elif rung.signal == "KILL":
            # The final SIGKILL reaches everything sigkit started, as a manager's does (the
            # container, the cgroup).
            to, sent = stops.GROUP, time.monotonic_ns()
            self.kill_groups()
        else:
            to = self.options.to
            sent = delivery.send(self.trial.pid, rung.number, to) or time.monotonic_ns()
        self.trial.events.append(Event(SEND, sent, self.trial.pid, {
            "signal": rung.signal, "via": rung.label(), "to": to}))
        return Press(rung.signal, sent)

    def climb(self) -> None:
        """Send each rung and wait; capture evidence once, when the first press has failed."""
        assert self.trial is not None
        for index, rung in enumerate(self.options.rungs()):
            if index == 0:
                self.output_at_first_press = len(self.output)
                self.note_the_tree_at_press()
            self.trial.presses.append(self.send(rung))
            if index == 0 and rung.wait > EARLY_LOOK:
                if self.pump(EARLY_LOOK, self.exited):
                    break
                self.look()
                deadline = self.trial.presses[0].sent_ns / 1e9 + rung.wait
                if self.pump(max(0.0, deadline - time.monotonic()), self.exited):
                    break
            elif self.pump(rung.wait, self.exited):
                break
            if index == 0:
                self.capture_evidence()
        # Everything the dead target sent is already queued; the pty may still hold its last
        # words (unless a grandchild keeps it open: then do not wait for EOF).
        self.pump(0.02, lambda: not self.pty_open)


def probe(options: ProbeOptions) -> Trial:
    """One trial: spawn, wait until ready, climb the ladder, reap, sweep orphans."""
    check_command(options.command)
    validate.probe_options(options, LIBRARY_CALL)  # callers with an origin of their own check first
    stops.check_target(options.to)
    if options.pid1:
        managed.how_available()
    session = _Session(options)
    settle = 0.0
    with orphans.adopting() as seen_by:
        try:
            session.start()
            if session.wait_ready():
                session.climb()
            settle = options.orphan_settle
        finally:
            session.close(settle)
    trial = session.finish()
    trial.orphans_seen_by = seen_by
    return trial


def _younger(pid: int, seconds: float) -> bool:
    age = _age(pid)
    return age is not None and age <= seconds


def _age(pid: int) -> Optional[float]:
    """Seconds since the process started, from /proc/PID/stat's start time (clock ticks since
    boot) and CLOCK_BOOTTIME: precise to a tick, unlike a wall-clock create time."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            stat = handle.read()
    except OSError:
        return None
    ticks = int(stat[stat.rindex(")") + 2 :].split()[19])
    return time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")


def _asleep(pid: int) -> bool:
    """The process's main thread is waiting (S), not starting up on a CPU; gone counts too."""
    state = procinfo.read_thread(pid, pid)
    return state is None or state.state in ("S", "Z", "X", "I")
