"""The escalation ladder: which signals sigkit sends, how, and how long it waits after each.

A person at a terminal presses Ctrl-C (the tty sends SIGINT to the whole foreground process
group), then again, then reaches for ``kill`` (SIGTERM) and finally ``kill -9``.  A container
runtime sends SIGTERM, waits its grace period, then SIGKILL.  A closing terminal sends SIGHUP.
"""

from __future__ import annotations

import signal
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from sigkit.errors import UsageError

# Keys typed at the terminal: the line discipline turns them into signals for the foreground group.
TTY_KEYS = {"INT": "Ctrl-C", "QUIT": "Ctrl-\\"}
DEFAULT_LADDER = ("INT", "INT", "TERM", "KILL")


@dataclass(frozen=True)
class Rung:
    """One step: the signal (short name, e.g. ``INT``) and seconds to wait for the target to end."""

    signal: str
    wait: float

    @property
    def via_tty(self) -> bool:
        return self.signal in TTY_KEYS

    @property
    def number(self) -> int:
        return int(getattr(signal, "SIG" + self.signal))

    def label(self) -> str:
        return TTY_KEYS.get(self.signal, "SIG" + self.signal)


def signal_short_name(text: str) -> str:
    """``sigterm`` / ``SIGTERM`` / ``term`` / ``15`` → ``TERM``; anything else is a usage error."""
    cleaned = text.strip().upper()
    if cleaned.isdigit():
        try:
            cleaned = signal.Signals(int(cleaned)).name
        except ValueError:
            raise UsageError(f"unknown signal number {text!r}") from None
    cleaned = cleaned.removeprefix("SIG")
    if not isinstance(getattr(signal, "SIG" + cleaned, None), signal.Signals):
        raise UsageError(f"unknown signal {text!r} (try INT, TERM, HUP, QUIT, KILL)")
    return cleaned


def resolve(first: str = "INT", rungs: Optional[Sequence[str]] = None) -> tuple[str, ...]:
    """The one place a ladder is decided, for the CLI, the checks and the pytest fixture alike:
    every rung when they are named, else ``first`` and what a person does after it."""
    if rungs is None:
        return starting_with(signal_short_name(first))
    names = tuple(signal_short_name(name) for name in rungs if name.strip())
    if not names:
        raise UsageError("the ladder needs at least one signal, e.g. INT,INT,TERM,KILL")
    return names


def starting_with(first: str) -> tuple[str, ...]:
    """What a person does after ``first``: a typed key is pressed again, then TERM, then KILL;
    a signal sent with kill(1) gets its grace period and then KILL (as container runtimes do)."""
    return (first, "INT", "TERM", "KILL") if first in TTY_KEYS else (first, "KILL")


def build(signals: tuple[str, ...], deadline: float, interval: float) -> tuple[Rung, ...]:
    """The first rung waits ``deadline`` (the budget under test); later ones wait ``interval``.

    A ladder that does not end with KILL gets one: sigkit never leaves a process behind.
    (The values are checked where they come in: :mod:`sigkit.validate`.)
    """
    if not signals:
        raise UsageError("the ladder needs at least one signal, e.g. INT,INT,TERM,KILL")
    if signals[-1] != "KILL":
        signals = (*signals, "KILL")
    return tuple(
        Rung(name, deadline if index == 0 else interval) for index, name in enumerate(signals)
    )
