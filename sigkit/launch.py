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
import secrets
import select
import shutil
import signal
import tempfile
import termios
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

import pexpect

from sigkit import (
    delivery,
    interrupts,
    managed,
    orphans,
    procinfo,
    settings,
    stacks,
    stops,
    tree,
    validate,
)
from sigkit import ladder as ladder_mod
from sigkit.errors import UsageError
from sigkit.inject import INJECT_DIR
from sigkit.listener import ProbeListener, to_event
from sigkit.output import strip_ansi
from sigkit.timeline import (
    ARRIVAL,
    EXIT,
    HANDLER,
    PROBE,
    READY,
    SEND,
    SPAWN,
    STACKS,
    Event,
    Interpreter,
    LateProcess,
    Press,
    Trial,
)

_OUTPUT_LIMIT = 256 * 1024  # keep the last 256 KiB of what the target printed
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

    def shimmed(self) -> bool:
        return self.pid1 or not self.with_terminal()

    def rungs(self) -> tuple[ladder_mod.Rung, ...]:
        return ladder_mod.build(self.ladder, self.deadline, self.interval)

    def delay_after_ready(self) -> float:
        if self.after is not None:
            return self.after
        return SETTLE_AFTER_EXPECT if self.expect else DEFAULT_AFTER


LIBRARY_CALL = validate.Origin("call", "ProbeOptions")


def check_command(command: list[str]) -> None:
    """Bad commands are usage errors (exit 2), found before anything is spawned."""
    if not command:
        raise UsageError("no command given (usage: sigkit probe [OPTIONS] -- CMD [ARGS...])")
    program = command[0]
    if os.sep in program:
        if not os.path.exists(program):
            raise UsageError(f"command not found: {program}")
        if os.path.isdir(program) or not os.access(program, os.X_OK):
            raise UsageError(f"not executable: {program}")
    elif shutil.which(program) is None:
        raise UsageError(f"command not found: {program}")


def _reset_signals_in_child() -> None:
    """Runs between fork and exec: give the target the signal state a fresh terminal gives it.

    Ignored signals survive exec.  A CI agent or a ``nohup``/``&`` parent often starts us with
    SIGINT ignored, and Python then never installs its KeyboardInterrupt handler.  (sigkit's own
    Python also ignores SIGPIPE, which would leak into the target the same way.)
    """
    for number in range(1, signal.NSIG):
        if number in (signal.SIGKILL, signal.SIGSTOP):
            continue
        try:
            signal.signal(number, signal.SIG_DFL)
        except (OSError, ValueError, RuntimeError):
            pass
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


class _Session:
    """One trial's resources: temp dir, probe socket, the spawned child; always cleaned up."""

    def __init__(self, options: ProbeOptions) -> None:
        self.options = options
        self.workdir = tempfile.mkdtemp(prefix="sigkit-")
        self.listener = ProbeListener(os.path.join(self.workdir, "probe.sock"))
        self.token = secrets.token_hex(8)
        self.started_wall = time.time() - 1.0  # psutil create_time has clock-tick resolution
        self.child: Optional[pexpect.spawn] = None
        self.pidfd: Optional[int] = None
        # A shimmed target is not our child: its own pidfd times its exit, the shim's status
        # tells how it ended.
        self.target_pidfd: Optional[int] = None
        self.target_gone_ns: Optional[int] = None
        self.output = bytearray()
        self.pty_open = True
        self.output_at_first_press = 0
        self.trial: Optional[Trial] = None
        self.session = 0  # the target's session: a descendant outside it escaped
        self.tree_at_press: set[int] = set()

    # -- set-up ------------------------------------------------------------------------------
    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.options.env)
        env[orphans.RUN_TOKEN_VARIABLE] = self.token
        env.setdefault("TERM", "xterm")
        env["PYTHON_COLORS"] = "0"  # 3.13+ colours tracebacks on a tty
        env["NO_COLOR"] = "1"
        if self.options.inject:
            previous = env.get("PYTHONPATH")
            env["PYTHONPATH"] = INJECT_DIR + (os.pathsep + previous if previous else "")
            env["SIGKIT_SOCK"] = self.listener.path
            env["SIGKIT_STACKS_DIR"] = self.workdir
            env["SIGKIT_STACK_SIGNAL"] = str(stacks.STACK_SIGNAL)
        return env

    def spawn(self) -> Trial:
        options = self.options
        command = options.command
        if options.shimmed():
            command = managed.command(command, options.pid1, not options.with_terminal())
        t_spawn = time.monotonic_ns()
        try:
            child = pexpect.spawn(
                command[0],
                command[1:],
                env=self.environment(),
                cwd=options.cwd,
                dimensions=(24, 120),
                preexec_fn=None if options.inherit_signals else _reset_signals_in_child,
                timeout=None,
            )
        except (pexpect.ExceptionPexpect, OSError) as error:
            raise UsageError(f"cannot run {options.command[0]}: {error}") from None
        # pexpect sleeps 0.1 s after close/terminate "for slow systems": we reap by pid instead.
        child.delayafterclose = child.ptyproc.delayafterclose = 0.0
        child.delayafterterminate = child.ptyproc.delayafterterminate = 0.0
        self.child = child
        try:
            self.pidfd = os.pidfd_open(child.pid)
        except (AttributeError, OSError):
            self.pidfd = None  # old kernel: fall back to polling waitpid every millisecond
        target = (managed.child_of(child.pid) if options.shimmed() else None) or child.pid
        self.watch_target(target)
        self.trial = Trial(command=list(options.command), pid=target,
                           stop=options.contract(), to=options.to, pid1=options.pid1,
                           grace=options.deadline)
        self.trial.events.append(Event(SPAWN, t_spawn, self.trial.pid,
                                       {"namespace_pid": managed.namespace_pid(self.trial.pid)}
                                       if options.pid1 else {}))
        return self.trial

    def watch_target(self, target: int) -> None:
        """The target's session (descendants outside it escaped), and for a target behind the
        shim a pidfd of its own: its exit, not the shim's a moment later, is the one timed."""
        assert self.child is not None
        try:
            self.session = os.getsid(target)
        except ProcessLookupError:
            self.session = self.child.pid
        if target != self.child.pid:
            try:
                self.target_pidfd = os.pidfd_open(target)
            except (AttributeError, OSError):
                self.target_pidfd = None  # the shim's exit stands in for it

    # -- the loop ------------------------------------------------------------------------------
    def exited(self) -> bool:
        return self.trial is not None and self.trial.exit_ns is not None

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
            if self.target_pidfd in readable and self.target_gone_ns is None:
                self.target_gone_ns = time.monotonic_ns()
            if self.listener.fileno() in readable:
                self.collect_events()
            if self.pty_open and self.child.child_fd in readable:
                self.read_output()
            if self.pidfd in readable or polling:
                self.check_exit()

    def collect_events(self) -> None:
        assert self.trial is not None
        for datagram in self.listener.receive():
            event = to_event(datagram, self.listener.offset_ns)
            if event is not None:
                self.trial.events.append(event)

    def read_output(self) -> None:
        assert self.child is not None
        try:
            chunk = os.read(self.child.child_fd, 65536)
        except OSError:  # EIO: every process that had the terminal open has closed it
            chunk = b""
        if not chunk:
            self.pty_open = False
        self.output += chunk
        overflow = len(self.output) - _OUTPUT_LIMIT
        if overflow > 0:
            del self.output[:overflow]
            self.output_at_first_press = max(0, self.output_at_first_press - overflow)

    def check_exit(self) -> None:
        """Reap through waitpid (pexpect's isalive): the verdict never waits for EOF."""
        assert self.child is not None and self.trial is not None
        if self.exited() or self.child.isalive():
            return
        now = self.target_gone_ns or time.monotonic_ns()
        self.trial.exit_ns = now
        if self.child.signalstatus is not None:
            self.trial.exit_signal = procinfo.signal_name(self.child.signalstatus)
        else:
            self.trial.exit_code = self.child.exitstatus
        self.trial.events.append(
            Event(EXIT, now, self.trial.pid, {"code": self.trial.exit_code,
                                               "signal": self.trial.exit_signal})
        )

    def text(self) -> str:
        return strip_ansi(self.output.decode("utf-8", "replace"))

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
            to, sent = self.options.to, time.monotonic_ns()
            delivery.send(self.trial.pid, rung.number, to)
        self.trial.events.append(Event(SEND, sent, self.trial.pid, {
            "signal": rung.signal, "via": rung.label(), "to": to}))
        return Press(rung.signal, sent)

    def climb(self) -> None:
        """Send each rung and wait; capture evidence once, when the first press has failed."""
        assert self.trial is not None
        for index, rung in enumerate(self.options.rungs()):
            if index == 0:
                self.output_at_first_press = len(self.output)
                self.trial.at_press = tree.take(self.trial.pid, {}, self.workdir,
                                                time.monotonic_ns(), want_stacks=False)
                self.tree_at_press = {int(p["pid"]) for p in self.trial.at_press.processes}  # type: ignore[call-overload]
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

    def look(self) -> tree.Look:
        """Every process of the tree, its Python stacks and its sockets, now."""
        assert self.trial is not None
        self.collect_events()
        probed = {e.pid: bool(e.detail.get("stacks")) for e in self.trial.events if e.kind == PROBE}
        seen = tree.take(self.trial.pid, probed, self.workdir, time.monotonic_ns(),
                         want_stacks=self.options.capture_stacks)
        self.trial.looks.append(seen)
        return seen

    def capture_evidence(self) -> None:
        """The target outlived its deadline: record thread states and every thread's stack."""
        trial = self.trial
        assert trial is not None
        seen = self.look()
        trial.proc_snapshot = seen.processes
        if not self.options.capture_stacks:
            return
        python_pid = self.python_pid()
        if python_pid is None:
            if not _runs_python(trial.pid):
                return
            python_pid = trial.pid  # a Python without our probe (-I, -E, -S): py-spy read it
        mine = next((s for s in seen.stacks if s.pid == python_pid), None)
        if mine is None:
            return
        trial.stacks = mine.text
        trial.stacks_source = mine.source if mine.text else mine.note
        trial.events.append(Event(STACKS, seen.t_ns, python_pid, {"source": trial.stacks_source}))

    def python_pid(self) -> Optional[int]:
        """The Python process the probe reports on: the target itself, else its first child."""
        assert self.trial is not None
        probes = [e for e in self.trial.events if e.kind == PROBE]
        for event in probes:
            if event.pid == self.trial.pid:
                return event.pid
        return probes[0].pid if probes else None

    # -- tear-down -------------------------------------------------------------------------------
    def kill_target(self) -> None:
        """SIGKILL the process group and reap; works whatever the target ignores."""
        if self.child is None:
            return
        if not self.exited():
            self.kill_groups()
            if self.trial is not None:
                self.pump(2.0, self.exited)
            else:
                self.child.wait()

    def kill_groups(self) -> None:
        """SIGKILL the target's process group and sigkit's child's (a shim's) group."""
        assert self.child is not None
        groups = [self.child.pid]
        if self.trial is not None and self.trial.pid != self.child.pid:
            try:
                groups.insert(0, os.getpgid(self.trial.pid))
            except ProcessLookupError:
                pass
        for group in dict.fromkeys(groups):
            try:
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def close(self, settle: float) -> None:
        """Kill and reap everything this trial started; record what outlived the target."""
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, interrupts.STOP_SIGNALS)
        try:
            self.kill_target()
            # Swept even without a child object: an interrupt inside the spawn, after the fork,
            # leaves a target running whose pid only the token or the process tree knows.
            session = self.session or (self.child.pid if self.child is not None else 0)
            left = orphans.sweep(self.token, self.started_wall, session, settle)
            if self.trial is not None:
                self.trial.orphans = left
            if self.child is not None:
                self.child.close(force=True)
        finally:
            for fd in (self.pidfd, self.target_pidfd):
                if fd is not None:
                    os.close(fd)
            self.listener.close()
            shutil.rmtree(self.workdir, ignore_errors=True)
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)

    def finish(self) -> Trial:
        """Attribute events to presses and fill in the interpreter: the trial's final shape."""
        trial = self.trial
        assert trial is not None
        trial.output = self.text()
        after = bytes(self.output[self.output_at_first_press :]) if trial.presses else b""
        trial.output_after_press = strip_ansi(after.decode("utf-8", "replace"))
        trial.python_pid = self.python_pid()
        for event in trial.events:
            if event.kind == PROBE and event.pid == trial.python_pid:
                d = event.detail
                trial.interpreter = Interpreter(
                    str(d["implementation"]), str(d["version"]), str(d["executable"])
                )
        trial.events.sort(key=lambda e: e.t_ns)
        _attribute(trial)
        trial.late_processes = self.late_processes()
        return trial

    def late_processes(self) -> list[LateProcess]:
        """Python processes exec'd after the first press (their probe reported in later): the
        tree was still starting.  Forked workers run no probe, so a pool replacing the workers a
        Ctrl-C killed is not mistaken for a start-up."""
        trial = self.trial
        assert trial is not None
        first = trial.first_press
        if first is None:
            return []
        return [
            LateProcess(e.pid, os.path.basename(str(e.detail.get("executable", ""))),
                        e.t_ns - first.sent_ns)
            for e in trial.events
            if e.kind == PROBE and e.t_ns > first.sent_ns and e.pid not in self.tree_at_press
        ]


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


def _runs_python(pid: int) -> bool:
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe")).startswith("python")
    except OSError:
        return False


def _attribute(trial: Trial) -> None:
    """Give each press the first C arrival and Python handler that followed it, and the exit."""
    for index, press in enumerate(trial.presses):
        end = trial.presses[index + 1].sent_ns if index + 1 < len(trial.presses) else None
        for event in trial.events:
            if event.pid != trial.python_pid or event.t_ns < press.sent_ns:
                continue
            if end is not None and event.t_ns >= end:
                break
            if event.kind == ARRIVAL and press.arrival_ns is None:
                press.arrival_ns = event.t_ns
            elif event.kind == HANDLER and press.handler_ns is None:
                press.handler_ns = event.t_ns
        if trial.exit_ns is not None and trial.exit_ns >= press.sent_ns:
            press.ended_it = end is None or trial.exit_ns < end


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
            session.spawn()
            if session.wait_ready():
                session.climb()
            settle = options.orphan_settle
        finally:
            session.close(settle)
    trial = session.finish()
    trial.orphans_seen_by = seen_by
    return trial
