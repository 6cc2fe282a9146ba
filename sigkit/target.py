"""One spawned target and what every way of running it needs, whoever presses the keys.

``probe`` presses a scripted Ctrl-C; ``watch`` passes a person's keystrokes through.  Both need
the same things around the program: an environment that loads the injected probe, the socket it
reports to, a pidfd that says the instant it exited, the evidence taken while it is stuck, and
a tear-down that kills and reaps everything it started, escaped descendants included.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import signal
import tempfile
import time
from collections.abc import Sequence
from typing import Callable, Optional

import pexpect

from sigkit import interrupts, managed, orphans, procinfo, stacks, tree
from sigkit.errors import CouldNotMeasure, UsageError
from sigkit.inject import INJECT_DIR
from sigkit.listener import ProbeListener, to_event
from sigkit.output import strip_ansi
from sigkit.timeline import (
    ARRIVAL,
    EXIT,
    HANDLER,
    PROBE,
    SPAWN,
    STACKS,
    Event,
    Interpreter,
    LateProcess,
    Trial,
)

OUTPUT_LIMIT = 256 * 1024  # keep the last 256 KiB of what the target printed
# What exec(2) says about the program itself: the user's command cannot run (exit 2).  Any other
# failure to start it -- no pty left (EMFILE, ENFILE, ENOSPC), no process slot (EAGAIN), no memory
# -- is the machine's, and sigkit could not measure (exit 3).
_PROGRAM_ERRORS = frozenset({
    errno.ENOENT, errno.EACCES, errno.EPERM, errno.ENOEXEC, errno.ENOTDIR, errno.EISDIR,
    errno.ELOOP, errno.ENAMETOOLONG, errno.ETXTBSY, errno.E2BIG,
})


def check_command(command: Sequence[str], usage: str = "sigkit probe [OPTIONS] -- CMD [ARGS...]") -> None:
    """Bad commands are usage errors (exit 2), found before anything is spawned."""
    if not command:
        raise UsageError(f"no command given (usage: {usage})")
    program = command[0]
    if os.sep in program:
        if not os.path.exists(program):
            raise UsageError(f"command not found: {program}")
        if os.path.isdir(program) or not os.access(program, os.X_OK):
            raise UsageError(f"not executable: {program}")
    elif shutil.which(program) is None:
        raise UsageError(f"command not found: {program}")


def _probe_socket() -> tuple[str, ProbeListener]:
    """A private folder and the socket the in-target probe reports to; a failure here (no space,
    a $TMPDIR too long for a socket path, no file descriptors left) is the machine's."""
    try:
        workdir = tempfile.mkdtemp(prefix="sigkit-")
    except OSError as error:
        raise CouldNotMeasure(f"could not create a temporary folder: {error}") from None
    path = os.path.join(workdir, "probe.sock")
    try:
        return workdir, ProbeListener(path)
    except OSError as error:
        shutil.rmtree(workdir, ignore_errors=True)
        raise CouldNotMeasure(f"could not bind the probe socket {path}: {error}") from None


def reset_signals_in_child() -> None:
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


class Target:
    """A target's resources (temp dir, probe socket, child, pidfd) and its Trial; always closed.

    ``plain_output`` asks the target for uncoloured output (a probe parses it); a watched program
    keeps the user's colours.  ``no_tty`` and ``pid1`` start it as a process manager does, behind
    a shim (``sigkit/shim.py``): in a session with no terminal, or as PID 1 of a new PID namespace.
    """

    def __init__(
        self,
        command: Sequence[str],
        env: Optional[dict[str, str]] = None,
        cwd: Optional[str] = None,
        inject: bool = True,
        capture_stacks: bool = True,
        plain_output: bool = True,
        no_tty: bool = False,
        pid1: bool = False,
    ) -> None:
        self.command = list(command)
        self.extra_env = dict(env or {})
        self.cwd = cwd
        self.inject = inject
        self.capture_stacks = capture_stacks
        self.plain_output = plain_output
        self.no_tty = no_tty
        self.pid1 = pid1
        self.workdir, self.listener = _probe_socket()
        self.token = secrets.token_hex(8)
        self.started_wall = time.time() - 1.0  # psutil create_time has clock-tick resolution
        self.child: Optional[pexpect.spawn] = None
        self.pidfd: Optional[int] = None
        # A target behind the shim is not our child: its own pidfd times its exit, the shim's
        # status tells how it ended.
        self.target_pidfd: Optional[int] = None
        self.target_gone_ns: Optional[int] = None
        self.session = 0  # the target's session: a descendant outside it escaped
        self.output = bytearray()
        self.output_at_first_press = 0
        self.trial: Optional[Trial] = None
        self.tree_at_press: set[int] = set()

    # -- set-up ------------------------------------------------------------------------------
    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.extra_env)
        env[orphans.RUN_TOKEN_VARIABLE] = self.token
        env.setdefault("TERM", "xterm")
        if self.plain_output:
            env["PYTHON_COLORS"] = "0"  # 3.13+ colours tracebacks on a tty
            env["NO_COLOR"] = "1"
        if self.inject:
            previous = env.get("PYTHONPATH")
            env["PYTHONPATH"] = INJECT_DIR + (os.pathsep + previous if previous else "")
            env["SIGKIT_SOCK"] = self.listener.path
            env["SIGKIT_STACKS_DIR"] = self.workdir
            env["SIGKIT_STACK_SIGNAL"] = str(stacks.STACK_SIGNAL)
        return env

    def spawn(
        self,
        dimensions: tuple[int, int] = (24, 120),
        preexec: Optional[Callable[[], None]] = reset_signals_in_child,
    ) -> Trial:
        """Start the command on a new pty (its own session, the pty its controlling terminal),
        or behind the shim (no terminal, or PID 1)."""
        shimmed = self.no_tty or self.pid1
        command = managed.command(self.command, self.pid1, self.no_tty) if shimmed else self.command
        t_spawn = time.monotonic_ns()
        try:
            child = pexpect.spawn(
                command[0],
                command[1:],
                env=self.environment(),
                cwd=self.cwd,
                dimensions=dimensions,
                preexec_fn=preexec,
                timeout=None,
            )
        except pexpect.ExceptionPexpect as error:  # not found after all (PATH in env= differs)
            raise UsageError(f"cannot run {self.command[0]}: {error}") from None
        except OSError as error:
            if error.errno in _PROGRAM_ERRORS:
                raise UsageError(f"cannot run {self.command[0]}: {error}") from None
            raise CouldNotMeasure(f"could not start {self.command[0]} on a pty: {error}") from None
        # pexpect sleeps 0.1 s after close/terminate "for slow systems": we reap by pid instead.
        child.delayafterclose = child.ptyproc.delayafterclose = 0.0
        child.delayafterterminate = child.ptyproc.delayafterterminate = 0.0
        self.child = child
        try:
            self.pidfd = os.pidfd_open(child.pid)
        except (AttributeError, OSError):
            self.pidfd = None  # old kernel: fall back to polling waitpid every millisecond
        target = (managed.child_of(child.pid) if shimmed else None) or child.pid
        self.watch_target(target)
        self.trial = Trial(command=list(self.command), pid=target, pid1=self.pid1)
        self.trial.events.append(Event(SPAWN, t_spawn, target, {
            "namespace_pid": managed.namespace_pid(target)} if self.pid1 else {}))
        return self.trial

    def watch_target(self, target: int) -> None:
        """The target's session (descendants outside it escaped), and for a target behind the
        shim a pidfd of its own: its exit, not the shim's a moment later, is the one timed."""
        assert self.child is not None
        # Known by construction, not asked: the shim's child calls setsid() only after the
        # fork, so asking now could still see the shim's session and later call every child of
        # the target "escaped".
        self.session = target if self.no_tty else self.child.pid
        if target != self.child.pid:
            try:
                self.target_pidfd = os.pidfd_open(target)
            except (AttributeError, OSError):
                self.target_pidfd = None  # the shim's exit stands in for it

    def note_target_exit(self, readable: Sequence[int]) -> None:
        """The target's own pidfd fired: remember when (the shim reports a moment later)."""
        if self.target_pidfd in readable and self.target_gone_ns is None:
            self.target_gone_ns = time.monotonic_ns()

    # -- what happens while it runs ----------------------------------------------------------
    def exited(self) -> bool:
        return self.trial is not None and self.trial.exit_ns is not None

    def collect_events(self) -> None:
        assert self.trial is not None
        for datagram in self.listener.receive():
            event = to_event(datagram, self.listener.offset_ns)
            if event is not None:
                self.trial.events.append(event)

    def keep_output(self, chunk: bytes) -> None:
        """Keep the tail of what the target printed (a bounded buffer: servers print forever)."""
        self.output += chunk
        overflow = len(self.output) - OUTPUT_LIMIT
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

    # -- evidence, taken while it is stuck -------------------------------------------------------
    def look(self) -> tree.Look:
        """Every process of the tree, its Python stacks and its sockets, now."""
        assert self.trial is not None
        self.collect_events()
        probed = {e.pid: bool(e.detail.get("stacks")) for e in self.trial.events if e.kind == PROBE}
        seen = tree.take(self.trial.pid, probed, self.workdir, time.monotonic_ns(),
                         want_stacks=self.capture_stacks)
        self.trial.looks.append(seen)
        return seen

    def note_the_tree_at_press(self) -> None:
        """Which processes were there when the first signal went out (no stacks: it is quick)."""
        assert self.trial is not None
        self.trial.at_press = tree.take(self.trial.pid, {}, self.workdir, time.monotonic_ns(),
                                        want_stacks=False)
        self.tree_at_press = {int(str(p["pid"])) for p in self.trial.at_press.processes}

    def capture_evidence(self) -> None:
        """The target outlived its deadline: record thread states and every thread's stack."""
        trial = self.trial
        assert trial is not None
        seen = self.look()
        trial.proc_snapshot = seen.processes
        if not self.capture_stacks:
            return
        python_pid = self.python_pid()
        if python_pid is None:
            if not runs_python(trial.pid):
                return
            python_pid = trial.pid  # a Python without our probe (-I, -E, -S): py-spy read it
        mine = seen.stacks_of(python_pid)
        if mine is None:
            return
        trial.stacks = mine.text
        trial.stacks_source = mine.source if mine.text else mine.note
        trial.events.append(Event(STACKS, seen.t_ns, python_pid, {"source": trial.stacks_source}))

    def every_process_stacks(self) -> list[stacks.ProcessStacks]:
        """Each process of the latest look with every thread's stack, or why there is none."""
        assert self.trial is not None
        if not self.trial.looks:
            return []
        seen = self.trial.looks[-1]
        dumps = {dump.pid: dump for dump in seen.stacks}
        return [dumps.get(pid) or stacks.ProcessStacks(pid, None, None, "not a Python process", name)
                for pid, name in ((int(str(p["pid"])), str(p["name"])) for p in seen.processes)]

    def python_pid(self) -> Optional[int]:
        """The Python process the probe reports on: the target itself, else its first child."""
        assert self.trial is not None
        probes = [e for e in self.trial.events if e.kind == PROBE]
        for event in probes:
            if event.pid == self.trial.pid:
                return event.pid
        return probes[0].pid if probes else None

    # -- tear-down -------------------------------------------------------------------------------
    def kill(self) -> None:
        """SIGKILL the process group and reap; works whatever the target ignores."""
        if self.child is None or self.exited():
            return
        self.kill_groups()
        if self.trial is None:
            self.child.wait()
            return
        deadline = time.monotonic() + 2.0
        while not self.exited() and time.monotonic() < deadline:
            self.check_exit()
            time.sleep(0.001)

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
        """Kill and reap everything this target started; record what outlived it."""
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, interrupts.STOP_SIGNALS)
        try:
            self.kill()
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
            self.pidfd = self.target_pidfd = None
            self.listener.close()
            shutil.rmtree(self.workdir, ignore_errors=True)
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)

    def text(self) -> str:
        return strip_ansi(self.output.decode("utf-8", "replace"))

    def finish(self) -> Trial:
        """Attribute events to presses and fill in the interpreter: the trial's final shape.

        Safe to call again as more happens (``watch`` shows a stuck program's trial, then the end).
        """
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
        attribute(trial)
        trial.late_processes = self.late_processes()
        return trial

    def late_processes(self) -> list[LateProcess]:
        """Python processes exec'd after the first press (their probe reported in later): the
        tree was still starting.  Forked workers run no probe, so a pool replacing the workers a
        Ctrl-C killed is not mistaken for a start-up."""
        trial = self.trial
        assert trial is not None
        first = trial.first_press
        if first is None or not self.tree_at_press:
            return []
        return [
            LateProcess(e.pid, os.path.basename(str(e.detail.get("executable", ""))),
                        e.t_ns - first.sent_ns)
            for e in trial.events
            if e.kind == PROBE and e.t_ns > first.sent_ns and e.pid not in self.tree_at_press
        ]


def runs_python(pid: int) -> bool:
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe")).startswith("python")
    except OSError:
        return False


def attribute(trial: Trial) -> None:
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
