"""``sigkit watch``: run a program in the user's own terminal and time the Ctrl-C *they* press.

The program gets a pty of its own, connected through to the user's terminal (see
``passthrough``): keys go in the moment they are typed, output comes out the moment it is
written, resizes follow.  One ``select`` loop watches the user's keys, the program's output, the
injected probe's socket and the program's pidfd.  A typed interrupt or quit character, while the
program's tty turns such characters into signals, is a press: stamped just before it is
forwarded, and timed through the same events ``probe`` records.  If the program outlives
``deadline`` after the first press, sigkit captures its evidence and hands the stuck trial to the
caller to report -- with the user's terminal mode restored for that moment.
"""

from __future__ import annotations

import os
import select
import signal
import termios
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from sigkit import orphans, settings
from sigkit.errors import UsageError
from sigkit.passthrough import (
    RawTerminal,
    copy_window_size,
    following_window_size,
    presses,
    suspends,
    window_size,
    write_all,
)
from sigkit.stacks import ProcessStacks
from sigkit.target import Target, check_command, reset_signals_in_child
from sigkit.timeline import SEND, Event, Press, Trial, key_label

USAGE = "sigkit watch [OPTIONS] -- CMD [ARGS...]"
# After the program exits, its last words may still sit in the pty; a grandchild that keeps the
# pty open must not keep sigkit waiting, so the drain stops after this much silence.
DRAIN_SILENCE = 0.05
DRAIN_LIMIT = 0.5

StuckReport = Callable[[Trial, list[ProcessStacks]], None]


@dataclass
class WatchOptions:
    command: list[str]
    deadline: float = settings.DEADLINE.default  # the first press's time to end the program
    inject: bool = True
    orphan_settle: float = 0.25
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Watched:
    """What ``watch`` returns: the trial, and the stacks of every process if it got stuck."""

    trial: Trial
    process_stacks: list[ProcessStacks] = field(default_factory=list)


class _Watch(Target):
    def __init__(self, options: WatchOptions, on_stuck: StuckReport, keys_fd: int,
                 screen_fd: int) -> None:
        super().__init__(options.command, options.env, inject=options.inject, plain_output=False)
        self.options = options
        self.on_stuck = on_stuck
        self.keys_fd = keys_fd
        self.screen_fd = screen_fd
        self.stuck_at: Optional[float] = None  # monotonic time the report is due
        self.result: Optional[Watched] = None

    def start(self) -> None:
        user_mode = termios.tcgetattr(self.keys_fd)

        def child_setup() -> None:
            """The program's tty starts in the user's own terminal mode, like a direct run."""
            reset_signals_in_child()
            termios.tcsetattr(0, termios.TCSANOW, user_mode)

        trial = self.spawn(window_size(self.keys_fd), child_setup)
        self.result = Watched(trial)

    @property
    def pty(self) -> int:
        assert self.child is not None
        return int(self.child.child_fd)

    def run(self) -> None:
        with RawTerminal(self.keys_fd) as terminal, following_window_size(self.keys_fd, self.pty):
            self.loop(terminal)

    def loop(self, terminal: RawTerminal) -> None:
        keys_open, pty_open = True, True
        while pty_open:
            fds = [self.listener.fileno(), self.pty]
            if keys_open and not self.exited():  # keys typed after the exit are the shell's
                fds.append(self.keys_fd)
            if self.pidfd is not None and not self.exited():
                fds.append(self.pidfd)
            readable, _, _ = select.select(fds, [], [], self.timeout())
            if self.keys_fd in readable:
                keys_open = self.forward_keys(terminal)
            if self.pty in readable:
                pty_open = self.forward_output()
            if self.listener.fileno() in readable:
                self.collect_events()
            if self.pidfd in readable or self.pidfd is None:
                self.check_exit()
            if self.exited() and (not readable or self.drained_long_enough()):
                break  # the program is gone and the pty has been quiet for DRAIN_SILENCE
            if self.stuck_at is not None and time.monotonic() >= self.stuck_at:
                self.stuck_at = None
                if not self.exited():
                    self.report_stuck(terminal)

    def suspend(self, terminal: RawTerminal) -> None:
        """Ctrl-Z: stop the program and sigkit with it, so the shell gets the terminal back as
        from the program itself; ``fg`` continues both.

        The program leads a session of its own (its pty's), so its process group is orphaned
        and the kernel drops the SIGTSTP its tty raises; SIGSTOP is never dropped.
        """
        assert self.child is not None
        os.killpg(self.child.pid, signal.SIGSTOP)
        with terminal.cooked():
            # sigkit stops here until `fg` (when no shell does job control, the kernel drops
            # this SIGTSTP too: then the program simply continues).
            os.kill(os.getpid(), signal.SIGTSTP)
        copy_window_size(self.keys_fd, self.pty)
        os.killpg(self.child.pid, signal.SIGCONT)

    def drained_long_enough(self) -> bool:
        """A descendant that keeps printing after the program exited does not hold sigkit."""
        assert self.trial is not None and self.trial.exit_ns is not None
        return time.monotonic_ns() - self.trial.exit_ns > DRAIN_LIMIT * 1e9

    def timeout(self) -> Optional[float]:
        """How long select may sleep: until the report is due, the drain ends, or a poll."""
        waits = []
        if self.stuck_at is not None:
            waits.append(max(0.0, self.stuck_at - time.monotonic()))
        if self.exited():
            waits.append(DRAIN_SILENCE)
        elif self.pidfd is None:
            waits.append(0.005)  # old kernel: poll waitpid
        return min(waits) if waits else None

    def forward_keys(self, terminal: RawTerminal) -> bool:
        """Pass what the user typed to the program at once; stamp presses. False on EOF."""
        assert self.trial is not None
        typed = os.read(self.keys_fd, 4096)
        if not typed:
            return False
        mode = termios.tcgetattr(self.pty)
        found = presses(typed, mode)
        sent = time.monotonic_ns()
        write_all(self.pty, typed)
        if suspends(typed, mode):
            self.suspend(terminal)
        for signal_name in found:
            if not self.trial.presses:
                self.output_at_first_press = len(self.output)
                self.stuck_at = time.monotonic() + self.options.deadline
            self.trial.presses.append(Press(signal_name, sent))
            self.trial.events.append(Event(SEND, sent, self.trial.pid, {
                "signal": signal_name, "via": f"{key_label(signal_name)} typed"}))
        return True

    def forward_output(self) -> bool:
        """Pass what the program wrote to the user's screen; False once the pty is closed."""
        try:
            chunk = os.read(self.pty, 65536)
        except OSError:  # EIO: every process that had the pty open has closed it
            return False
        if not chunk:
            return False
        write_all(self.screen_fd, chunk)
        self.keep_output(chunk)
        return True

    def report_stuck(self, terminal: RawTerminal) -> None:
        assert self.result is not None
        self.capture_evidence()
        self.result.process_stacks = self.every_process_stacks()
        with terminal.cooked():
            self.on_stuck(self.finish(), self.result.process_stacks)


def watch(options: WatchOptions, on_stuck: StuckReport, keys_fd: int = 0,
          screen_fd: int = 1) -> Watched:
    """Run the program through to the user's terminal until it exits; reap everything."""
    if not os.isatty(keys_fd):
        raise UsageError("sigkit watch needs a terminal on stdin (it passes your keys through); "
                         "to press Ctrl-C from a script, use sigkit probe")
    check_command(options.command, USAGE)
    session = _Watch(options, on_stuck, keys_fd, screen_fd)
    settle = 0.0
    # A closed terminal (SIGHUP) or a kill unwinds like Ctrl-C on sigkit (sigkit.interrupts):
    # the program is killed and reaped, and descendants it orphaned are adopted and found.
    with orphans.adopting() as seen_by:
        try:
            session.start()
            session.run()
            settle = options.orphan_settle
        finally:
            session.close(settle)
    assert session.result is not None
    trial = session.finish()
    trial.orphans_seen_by = seen_by
    if not trial.presses:
        trial.problem = "exited-before-interrupt"  # nobody pressed anything: nothing to judge
    return session.result


def exit_status(trial: Trial) -> int:
    """The status a shell would show for the program: its exit code, or 128 + the signal."""
    if trial.exit_signal is not None:
        try:
            return 128 + int(signal.Signals[trial.exit_signal])
        except KeyError:  # a real-time signal, named SIGRTMIN+N
            return 128 + int(signal.SIGRTMIN) + int(trial.exit_signal.partition("+")[2] or 0)
    return trial.exit_code if trial.exit_code is not None else 1
