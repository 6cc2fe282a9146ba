"""Checks on the values that steer a probe, shared by the CLI, the config and the pytest fixture.

A bad value must be refused before anything is spawned, in one line that names the value the way
the user wrote it: ``--deadline nan`` on the command line, ``deadline = nan`` in a config file,
``sigint_probe(deadline=nan)`` in a test.  An :class:`Origin` says which; the checks themselves
exist once.  (NaN is the value to worry about: it compares false with everything, so a plain
``deadline <= 0`` lets it through to crash a ``select()`` after the target has started.)
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from sigkit.errors import UsageError

if TYPE_CHECKING:
    from sigkit.launch import ProbeOptions

# Far beyond any wait a probe needs, and below the ~2**31 s where select() and time arithmetic
# overflow: a week is a typo, not a budget.
MAX_SECONDS = 7 * 24 * 3600.0
# Linux pids end at 2**22 (pid_max); anything past a C int overflows the syscalls outright.
MAX_PID = 2**22


@dataclass(frozen=True)
class Origin:
    """Where values came from; renders one value as its author typed it."""

    kind: str  # "cli", "config" or "call"
    where: str = ""  # config: "sigkit.toml: check 'x'"; call: the function's name

    def show(self, key: str, value: object) -> str:
        if self.kind == "cli":
            return f"--{key.replace('_', '-')} {_as_typed(value)}"
        if self.kind == "config":
            return f"{self.where}: {key} = {_as_toml(value)}"
        return f"{self.where}({key}={value!r})"


COMMAND_LINE = Origin("cli")


def _as_typed(value: object) -> str:
    """A command-line value as typed: quoted only when the shell would have needed quotes."""
    if isinstance(value, str):
        return repr(value) if not value or value.strip() != value or " " in value else value
    return _as_toml(value)


def _as_toml(value: object) -> str:
    """A config value in TOML's own spelling (``"fast"``, ``true``, ``nan``, ``inf``)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # nan, inf, -inf: TOML and Python agree
    return json.dumps(value) if isinstance(value, str) else str(value)


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def seconds(value: object, key: str, origin: Origin, allow_zero: bool = False) -> float:
    """A finite duration in seconds: > 0 (≥ 0 with ``allow_zero``) and at most a week."""
    bound = "≥ 0" if allow_zero else "> 0"
    if not is_number(value) or not math.isfinite(float(value)):  # type: ignore[arg-type]
        raise UsageError(f"{origin.show(key, value)}: must be a finite number of seconds {bound}")
    number = float(value)  # type: ignore[arg-type]
    if number < 0 or (number == 0 and not allow_zero):
        raise UsageError(f"{origin.show(key, value)}: must be a number of seconds {bound}")
    if number > MAX_SECONDS:
        raise UsageError(f"{origin.show(key, value)}: more than a week; is that a typo?")
    return number


def milliseconds(value: object, key: str, origin: Origin) -> float:
    """A latency budget: a finite number of milliseconds > 0."""
    if not is_number(value) or not math.isfinite(float(value)) or float(value) <= 0:  # type: ignore[arg-type]
        raise UsageError(f"{origin.show(key, value)}: must be a finite number of ms > 0")
    return float(value)  # type: ignore[arg-type]


def ladder(signals: tuple[str, ...], key: str, origin: Origin) -> tuple[str, ...]:
    if not signals:
        raise UsageError(
            f"{origin.show(key, ','.join(signals))}: needs at least one signal, "
            "e.g. INT,INT,TERM,KILL"
        )
    return signals


def regex(pattern: Optional[str], key: str, origin: Origin) -> Optional[str]:
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as error:
            raise UsageError(f"{origin.show(key, pattern)}: not a valid regex: {error}") from None
    return pattern


def folder(path: Optional[str], key: str, origin: Origin) -> Optional[str]:
    """A working directory that exists (else the spawn fails with a confusing error later)."""
    if path is not None and not os.path.isdir(path):
        why = "not a directory" if os.path.exists(path) else "no such directory"
        raise UsageError(f"{origin.show(key, path)}: {why}")
    return path


def pid(value: int, key: str = "PID") -> int:
    """A process id the kernel could have handed out."""
    if not 0 < value <= MAX_PID:
        raise UsageError(f"{key} {value}: not a process id (1 to {MAX_PID})")
    return value


def probe_options(options: ProbeOptions, origin: Origin) -> None:
    """Every value of one probe, checked before anything is spawned."""
    if options.after is not None:
        seconds(options.after, "after", origin, allow_zero=True)
    seconds(options.deadline, "deadline", origin)
    seconds(options.interval, "interval", origin)
    seconds(options.ready_timeout, "ready_timeout", origin)
    seconds(options.orphan_settle, "orphan_settle", origin, allow_zero=True)
    ladder(tuple(options.ladder), "ladder", origin)
    regex(options.expect, "expect", origin)
    folder(options.cwd, "cwd", origin)
