"""Read the checks from ``[tool.sigkit]`` in pyproject.toml (or the top level of sigkit.toml).

Validation is strict on purpose: a CI gate with a misspelt budget (``max_latency = 200``) would
silently check nothing and stay green forever.  Every unknown key and every bad value is a
UsageError that names the file, the check and the key — one line, exit 2, before any probe runs.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sigkit import ladder as ladder_mod
from sigkit import settings, stops, validate
from sigkit.errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised by the 3.9/3.10 CI sessions
    import tomli as tomllib

SIGKIT_TOML = "sigkit.toml"
PYPROJECT = "pyproject.toml"
DEFAULT_DEADLINE = settings.DEADLINE.default  # unless a latency budget needs longer
ENDINGS = ("KeyboardInterrupt", "exit:N", "any")
_ENDING = re.compile(r"^(KeyboardInterrupt|any|exit:(\d{1,3}))$")

CHECK_KEYS = (
    "name", "command", "scenario", "fixed", "args", "interpreters", "cwd", "env",
    "expect", "after", "ready_timeout", "trials", "signal", "ladder", "deadline", "interval",
    "max_handler_latency_ms", "max_exit_ms", "percentile", "ending",
    "no_orphans", "no_traceback", "no_lost_work", "stop", "to", "pid1", "grace",
)
SCENARIO_ONLY = ("fixed", "args", "interpreters")


@dataclass(frozen=True)
class Budgets:
    """What a check demands of every run; unset budgets are not checked."""

    max_handler_latency_ms: float | None = None  # sent → Python handler, at ``percentile``
    max_exit_ms: float | None = None  # sent → process gone, at ``percentile``
    percentile: float = 95.0
    ending: str | None = None  # "KeyboardInterrupt" | "exit:N" | "any": what the 1st press does
    no_orphans: bool = False
    no_traceback: bool = False
    no_lost_work: bool = False
    within_grace: bool = False  # a stop sigkit sends itself must end the program in its grace

    def any_set(self) -> bool:
        return (
            self.within_grace
            or self.max_handler_latency_ms is not None
            or self.max_exit_ms is not None
            or self.ending is not None
            or self.no_orphans
            or self.no_traceback
            or self.no_lost_work
        )


@dataclass(frozen=True)
class Check:
    """One validated ``[[tool.sigkit.check]]`` table."""

    name: str
    command: tuple[str, ...] | None  # exactly one of command / scenario
    scenario: str | None
    budgets: Budgets
    cwd: Path  # relative commands and paths resolve here (default: the config's folder)
    fixed: bool = False
    args: tuple[str, ...] = ()
    interpreters: tuple[str, ...] = ()  # scenario only; empty: the Python running sigkit
    env: Mapping[str, str] = field(default_factory=dict)
    expect: str | None = None  # a scenario's own ``ready`` regex when unset
    after: float | None = None
    ready_timeout: float = settings.READY_TIMEOUT.default
    trials: int = settings.TRIALS.default
    ladder: tuple[str, ...] | None = None  # None: the scenario's ladder, else the default
    deadline: float = DEFAULT_DEADLINE
    interval: float = settings.INTERVAL.default
    stop: stops.Stop | None = None  # the contract replayed (None: what the ladder implies)
    to: str = stops.MAIN
    pid1: bool = False


@dataclass(frozen=True)
class Config:
    path: Path
    checks: tuple[Check, ...]

    @property
    def shown(self) -> str:
        """The file as the user would type it (relative to the working directory when inside)."""
        return shown(self.path)


def shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def discover(directory: Path) -> Path:
    """``sigkit.toml`` if present, else a ``pyproject.toml`` that has ``[tool.sigkit]``."""
    own = directory / SIGKIT_TOML
    if own.is_file():
        return own
    pyproject = directory / PYPROJECT
    if pyproject.is_file() and _tool_section(_read_toml(pyproject)) is not None:
        return pyproject
    raise UsageError(
        f"no checks configured in {directory}: create {SIGKIT_TOML} or add "
        f"[[tool.sigkit.check]] to {PYPROJECT} (or pass --config FILE)"
    )


def load(path: Path) -> Config:
    """Parse and validate ``path``: pyproject.toml's ``[tool.sigkit]``, else the top level."""
    document = _read_toml(path)
    where = shown(path)
    if path.name == PYPROJECT:
        section = _tool_section(document)
        if section is None:
            raise UsageError(f"{where}: no [tool.sigkit] section")
        prefix = "tool.sigkit."
    else:
        section, prefix = document, ""
    for key, value in section.items():
        # Sub-tables belong to other sigkit commands; anything else here is a typo.
        if key != "check" and not isinstance(value, dict):
            raise UsageError(
                f"{where}: unknown key '{prefix}{key}'{_suggest(key, ['check'])}; "
                f"checks go in [[{prefix}check]] tables"
            )
    tables = section.get("check")
    if tables is None:
        raise UsageError(f"{where}: no checks: add a [[{prefix}check]] table")
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise UsageError(f"{where}: '{prefix}check' must be tables: write [[{prefix}check]]")
    if not tables:
        raise UsageError(f"{where}: no checks: add a [[{prefix}check]] table")
    base = path.resolve().parent
    checks = tuple(_check(table, where, number, base) for number, table in
                   enumerate(tables, start=1))
    seen: set[str] = set()
    for check in checks:
        if check.name in seen:
            raise UsageError(f"{where}: two checks are named {check.name!r}")
        seen.add(check.name)
    return Config(path, checks)


def _tool_section(document: dict[str, Any]) -> dict[str, Any] | None:
    tool = document.get("tool")
    section = tool.get("sigkit") if isinstance(tool, dict) else None
    return section if isinstance(section, dict) else None


def check_readable(path: Path) -> None:
    """A config must be a regular file: reading a FIFO would wait forever, a folder fails late."""
    if not path.exists():
        raise UsageError(f"config file not found: {path}")
    if path.is_dir():
        raise UsageError(f"config file {path} is a directory (name the file inside it)")
    if not path.is_file():
        raise UsageError(f"config file {path} is not a regular file")


def _read_toml(path: Path) -> dict[str, Any]:
    check_readable(path)
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise UsageError(f"{shown(path)}: not UTF-8 text (byte {error.start}): "
                         "TOML files must be UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{shown(path)}: invalid TOML: {error}") from None


def _suggest(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Table:
    """Typed access to one check table; every failure names the check and the key."""

    def __init__(self, table: dict[str, Any], where: str) -> None:
        self.table = table
        self.where = where
        self.origin = validate.Origin("config", where)

    def fail(self, key: str, message: str) -> UsageError:
        return UsageError(f"{self.where}: '{key}' {message}")

    def has(self, key: str) -> bool:
        return key in self.table

    def string(self, key: str) -> str | None:
        value = self.table.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise self.fail(key, f"must be a non-empty string (got {value!r})")
        return value

    def boolean(self, key: str) -> bool:
        value = self.table.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false (got {value!r})")
        return value

    def number(self, key: str, low: float = 0.0, high: float | None = None,
               allow_low: bool = False) -> float | None:
        """A TOML int or float in (low, high] (or [low, high] with ``allow_low``); bools refused."""
        value = self.table.get(key)
        if value is None:
            return None
        bounds = f"{'≥' if allow_low else '>'} {low:g}" + (f" and ≤ {high:g}" if high else "")
        if not validate.is_number(value) or not math.isfinite(value):
            raise self.fail(key, f"must be a finite number {bounds} (got {value!r})")
        if value < low or (value == low and not allow_low) or (high and value > high):
            raise self.fail(key, f"must be a number {bounds} (got {value!r})")
        return float(value)

    def seconds(self, key: str, allow_zero: bool = False) -> float | None:
        """A duration, checked as the CLI and the fixture check theirs."""
        value = self.table.get(key)
        return None if value is None else validate.seconds(value, key, self.origin, allow_zero)

    def milliseconds(self, key: str) -> float | None:
        value = self.table.get(key)
        return None if value is None else validate.milliseconds(value, key, self.origin)

    def integer(self, key: str, default: int) -> int:
        value = self.table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(key, f"must be an integer ≥ 1 (got {value!r})")
        return value

    def words(self, key: str, split_string: bool) -> tuple[str, ...] | None:
        """A list of strings; a single string is shlex-split when ``split_string``."""
        value = self.table.get(key)
        if value is None:
            return None
        if isinstance(value, str) and split_string:
            try:
                value = shlex.split(value)
            except ValueError as error:
                raise self.fail(key, f"cannot be split into words: {error}") from None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            kind = "a list of strings or a string" if split_string else "a list of strings"
            raise self.fail(key, f"must be {kind} (got {value!r})")
        return tuple(value)

    def mapping(self, key: str) -> dict[str, str]:
        value = self.table.get(key, {})
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self.fail(key, 'must be a table of strings, e.g. env = { LANG = "C.UTF-8" }')
        return dict(value)


def _check(raw: dict[str, Any], where: str, number: int, base: Path) -> Check:
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise UsageError(f"{where}: check #{number}: missing key 'name' (a non-empty string)")
    table = _Table(raw, f"{where}: check {name.strip()!r}")
    for key in raw:
        if key not in CHECK_KEYS:
            raise UsageError(f"{table.where}: unknown key '{key}'{_suggest(key, CHECK_KEYS)}")
    command = table.words("command", split_string=True)
    scenario = table.string("scenario")
    if (command is None) == (scenario is None):
        raise UsageError(f"{table.where}: set exactly one of 'command' or 'scenario'")
    if command is not None:
        if not command:
            raise table.fail("command", "is empty")
        for key in SCENARIO_ONLY:
            if table.has(key):
                raise table.fail(key, "applies to a scenario only (a command names its own Python)")
    stop, to, grace = _stop(table)
    promised = table.has("stop") or table.has("grace")  # a grace the program must stop within
    budgets = _budgets(table, within_grace=promised and stop is not None and stop.to != stops.TTY)
    cwd = table.string("cwd")
    folder = (base / os.path.expanduser(cwd)).resolve() if cwd else base
    if cwd:
        validate.folder(str(folder), "cwd", table.origin)
    return Check(
        name=name.strip(),
        command=command,
        scenario=scenario,
        budgets=budgets,
        cwd=folder,
        fixed=table.boolean("fixed"),
        args=table.words("args", split_string=True) or (),
        interpreters=_interpreters(table),
        env=table.mapping("env"),
        expect=_regex(table),
        after=table.seconds("after", allow_zero=True),
        # Validated > 0 when present, so `or` only ever picks the default for a missing key.
        ready_timeout=table.seconds("ready_timeout") or settings.READY_TIMEOUT.default,
        trials=table.integer("trials", settings.TRIALS.default),
        ladder=_ladder(table) or (stop.ladder() if stop is not None else None),
        deadline=grace or table.seconds("deadline") or _default_deadline(budgets),
        interval=table.seconds("interval") or settings.INTERVAL.default,
        stop=stop,
        to=to,
        pid1=table.boolean("pid1"),
    )


def _stop(table: _Table) -> tuple[stops.Stop | None, str, float | None]:
    """``stop``/``to``/``grace``: the contract (a preset, or what ``signal`` implies), who gets
    the signal, and the grace (the preset's unless ``grace`` or ``deadline`` says otherwise)."""
    name = table.string("stop")
    if name is not None and (table.has("signal") or table.has("ladder")):
        raise UsageError(f"{table.where}: set 'stop' or 'signal'/'ladder', not both "
                         "(a preset names its own signal)")
    if table.has("grace") and table.has("deadline"):
        raise UsageError(f"{table.where}: set 'grace' or 'deadline', not both (they are one)")
    to = table.string("to")
    grace = table.seconds("grace")
    signal = table.string("signal")
    if name is None and signal is None and grace is None and to is None:
        return None, stops.MAIN, None
    for key, check in (("stop", stops.get), ("to", stops.check_target)):
        value = table.table.get(key)
        if value is not None:
            try:
                check(value)
            except UsageError as error:
                raise table.fail(key, f"is invalid: {error}") from None
    try:
        first = ladder_mod.signal_short_name(signal) if signal else None
    except UsageError as error:
        raise table.fail("signal", f"is invalid: {error}") from None
    try:
        contract, target, resolved = stops.resolve(name, first, to, grace)
    except UsageError as error:
        raise UsageError(f"{table.where}: {error}") from None
    return contract, target, resolved if (name is not None or grace is not None) else None


def _budgets(table: _Table, within_grace: bool = False) -> Budgets:
    ending = table.string("ending")
    if ending is not None:
        match = _ENDING.match(ending)
        if not match or (match.group(2) is not None and int(match.group(2)) > 255):
            raise table.fail("ending", f"must be one of {', '.join(ENDINGS)} (got {ending!r})")
    budgets = Budgets(
        max_handler_latency_ms=table.milliseconds("max_handler_latency_ms"),
        max_exit_ms=table.milliseconds("max_exit_ms"),
        percentile=table.number("percentile", high=100.0) or 95.0,
        ending=ending,
        no_orphans=table.boolean("no_orphans"),
        no_traceback=table.boolean("no_traceback"),
        no_lost_work=table.boolean("no_lost_work"),
        within_grace=within_grace,
    )
    if not budgets.any_set():
        raise UsageError(
            f"{table.where}: no budget to check (set stop, ending, max_handler_latency_ms, "
            "max_exit_ms, no_orphans, no_traceback or no_lost_work)"
        )
    return budgets


def _default_deadline(budgets: Budgets) -> float:
    """Give the first press at least as long as the latency budgets allow.

    Otherwise a program that needs 3 s when 5 s are allowed would get a second Ctrl-C at 2 s and
    be reported as "needed 2 presses" — a failure of the harness, not of the program.
    """
    limits = [ms / 1000.0 for ms in (budgets.max_exit_ms, budgets.max_handler_latency_ms) if ms]
    return max([DEFAULT_DEADLINE, *limits])


def _interpreters(table: _Table) -> tuple[str, ...]:
    specs = table.words("interpreters", split_string=False) or ()
    if table.has("interpreters") and not specs:
        raise table.fail("interpreters", "is empty (leave it out to use sigkit's own Python)")
    return specs


def _regex(table: _Table) -> str | None:
    expect = table.string("expect")
    if expect is not None:
        try:
            re.compile(expect)
        except re.error as error:
            raise table.fail("expect", f"is not a valid regex: {error}") from None
    return expect


def _ladder(table: _Table) -> tuple[str, ...] | None:
    """``ladder`` names every rung; ``signal`` only the first (then Ctrl-C again, TERM, KILL)."""
    if table.has("ladder") and table.has("signal"):
        raise UsageError(f"{table.where}: set 'signal' or 'ladder', not both")
    if table.has("ladder"):
        key, raw = "ladder", table.table["ladder"]
        names = raw.split(",") if isinstance(raw, str) else table.words(key, split_string=False)
    elif table.has("signal"):
        key, names = "signal", [table.string("signal") or ""]
    else:
        return None
    given = [n for n in names or () if n and n.strip()]
    if not given:
        raise table.fail(key, "is empty")
    try:
        return ladder_mod.resolve(given[0], None if key == "signal" else given)
    except UsageError as error:
        raise table.fail(key, f"is invalid: {error}") from None
