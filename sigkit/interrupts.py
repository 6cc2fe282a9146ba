"""The signals that stop sigkit itself, and the one clean path they all take.

Ctrl-C (INT), ``kill`` (TERM), a closing terminal or dropped ssh session (HUP) and Ctrl-\\ (QUIT)
all mean "stop now".  Each becomes an :class:`Interrupted` exception — a KeyboardInterrupt, so
every ``finally`` and every ``except KeyboardInterrupt`` clean-up already in place runs — and the
CLI exits ``128 + n``, the status a shell shows for a death by that signal.  Without this, HUP and
QUIT would kill sigkit outright and leave its targets running.
"""

from __future__ import annotations

import signal
from types import FrameType
from typing import Optional

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


class Interrupted(KeyboardInterrupt):
    """sigkit was asked to stop by ``signum``."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_received: list[int] = []  # the stop signals received, in order (the parser hides which)


def _raise_interrupted(signum: int, frame: Optional[FrameType]) -> None:
    _received.append(signum)
    raise Interrupted(signum)


def install() -> None:
    """Route every stop signal through :class:`Interrupted` (main thread only).

    A signal sigkit was started with ignored (``nohup`` ignores HUP) stays ignored: that was
    the caller's choice.
    """
    for signum in STOP_SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _raise_interrupted)


def first_received() -> signal.Signals:
    """The signal that stopped sigkit (SIGINT when a plain KeyboardInterrupt did)."""
    return signal.Signals(_received[0] if _received else signal.SIGINT)
