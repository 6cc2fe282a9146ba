"""The scenario registry: teaching scripts and what each one is expected to do, per interpreter.

A scenario is a plain script (``python scenarios/NAME.py [--fixed]``) whose module docstring is a
small header of ``field: value`` lines.  The header is read with :mod:`ast`, never by importing the
script: scenarios are *meant* to hang, and some only run on Python 2.7.

Header fields (indented lines continue the field above)::

    name:          blocked-join                 (lower case, digits, hyphens)
    summary:       one line
    teaches:       what the student should take away
    behaviour:     prose, one line per version range (optional)
    fix:           what ``--fixed`` changes
    expect-broken: 2.7=term 3.6-3.8=presses=2 3.9-3.12=ki 3.13=presses=2 pypy=ki
    expect-fixed:  *=ki
    ready:         a regex matched against the output once the blocking point is reached
    ladder:        INT,INT,INT,TERM,KILL        (optional: the signals its figure needs)
    settle:        0.1                          (optional: seconds between ready and Ctrl-C)
    min-python:    3.7                          (optional)
    options:       --threads N                  (optional, free text)

Version ranges (``3.9``, ``3.9-3.12``, ``3.9+``) speak for CPython; ``pypy`` (every PyPy) or
``pypy3.9``, ``pypy3.9+``... for PyPy, which runs the same standard library on its own GIL,
signal and shutdown code; ``*`` for any interpreter no other token speaks for.

Outcomes (the probe's verdict): ``ki`` (the first Ctrl-C ended it through KeyboardInterrupt),
``exit`` (the first Ctrl-C ended it with an ordinary exit code), ``presses=N`` (N >= 2 Ctrl-Cs),
``term`` (only SIGTERM ended it), ``kill`` (only SIGKILL did).  ``a|b`` accepts either;
a ``+orphan`` suffix (``*=ki+orphan``) says a descendant outlives the program.
"""

from __future__ import annotations

import ast
import difflib
import importlib.util
import re
import signal
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sigkit.errors import UsageError
from sigkit.interpreters import CPYTHON, PYPY

Version = tuple[int, int]

VARIANTS = ("broken", "fixed")
REQUIRED = ("name", "summary", "teaches", "fix", "expect-broken", "expect-fixed", "ready")
OPTIONAL = ("behaviour", "ladder", "min-python", "options", "settle")
# A script prints its ready line just *before* it blocks.  On a loaded machine it can be
# preempted between the two, and a Ctrl-C pressed at once then lands before the blocking call
# (measured: 3 CPU burners on 2 cores turned several verdicts).  100 ms closes that window.
DEFAULT_SETTLE = 0.1
KNOWN = REQUIRED + OPTIONAL

_FIELD = re.compile(r"^([a-z][a-z0-9-]*):(?:\s+(.*))?$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_OUTCOME = re.compile(r"^(ki|exit|term|kill|presses=([2-9]|[1-9][0-9]+))$")
ORPHAN = "+orphan"
_VERSION = re.compile(r"^([0-9]+)\.([0-9]+)$")


@dataclass(frozen=True)
class Expectation:
    """One ``RANGE=OUTCOME`` token: ``low``/``high`` bound the versions (None = open) of
    ``implementation`` (None: ``*``, any interpreter)."""

    low: Version | None
    high: Version | None
    outcome: str
    orphans: bool = False  # ``+orphan``: a descendant is expected to outlive the program
    implementation: str | None = CPYTHON

    @property
    def is_default(self) -> bool:
        """``*=...``: applies where no explicit range does."""
        return self.implementation is None

    def covers(self, version: Sequence[int], implementation: str = CPYTHON) -> bool:
        """Whether this token speaks for ``version`` of ``implementation`` (major.minor)."""
        if self.implementation not in (None, implementation):
            return False
        key = (int(version[0]), int(version[1]))
        return (self.low is None or self.low <= key) and (self.high is None or key <= self.high)

    def accepts(self, observed: str) -> bool:
        """Whether an observed verdict matches (``ki|presses=2`` accepts either)."""
        return observed in self.outcome.split("|")


@dataclass(frozen=True)
class Scenario:
    """One teaching script and what it is expected to do; built from its header, never imported."""

    name: str
    path: Path
    summary: str
    teaches: str
    fix: str
    ready: str
    ladder: tuple[str, ...] | None
    min_python: Version | None
    options: str
    expectations: dict[str, tuple[Expectation, ...]]
    behaviour: str = ""
    header: str = field(default="", repr=False)
    settle: float = DEFAULT_SETTLE  # seconds to wait after the ready line before pressing

    def expected(self, variant: str, version: Sequence[int],
                 implementation: str = CPYTHON) -> str | None:
        """The outcome the header promises for ``variant`` on ``version`` (of
        ``implementation``), or None if unspecified.

        Explicit ranges win over ``*``; below ``min-python`` nothing is promised.
        """
        token = self.expectation(variant, version, implementation)
        return token.outcome if token is not None else None

    def expects_orphans(self, variant: str, version: Sequence[int],
                        implementation: str = CPYTHON) -> bool | None:
        """Whether a descendant should outlive the program (``+orphan``); None if unspecified."""
        token = self.expectation(variant, version, implementation)
        return token.orphans if token is not None else None

    def expectation(self, variant: str, version: Sequence[int],
                    implementation: str = CPYTHON) -> Expectation | None:
        """The header token that speaks for ``variant`` on ``version`` of ``implementation``."""
        if variant not in VARIANTS:
            raise UsageError(f"unknown variant {variant!r} (known: {', '.join(VARIANTS)})")
        if not self.supports(version):
            return None
        tokens = self.expectations.get(variant, ())
        for token in tokens:
            if not token.is_default and token.covers(version, implementation):
                return token
        for token in tokens:
            if token.is_default:
                return token
        return None

    def supports(self, version: Sequence[int]) -> bool:
        """Whether the script runs on ``version`` at all (older ones exit with a message)."""
        return self.min_python is None or (int(version[0]), int(version[1])) >= self.min_python

    def behaviour_rows(self) -> list[tuple[str, str]]:
        """The ``behaviour`` prose as (version range, text) rows; continuation lines joined."""
        rows: list[tuple[str, str]] = []
        for line in self.behaviour.splitlines():
            if not line.strip():
                continue
            if line[:1].isspace() and rows:
                rows[-1] = (rows[-1][0], f"{rows[-1][1]} {line.strip()}")
            else:
                versions, _, text = line.strip().partition(" ")
                rows.append((versions, text.strip()))
        return rows

    def command(
        self, python: str, fixed: bool = False, extra_args: Sequence[str] = ()
    ) -> list[str]:
        """The argv that runs this scenario under ``python``."""
        return [python, str(self.path), *(["--fixed"] if fixed else []), *extra_args]


def bundled_dir() -> Path:
    """The folder of bundled scenarios.

    ``pyproject.toml`` maps the package ``sigkit.bundled_scenarios`` onto the repo's top-level
    ``scenarios/``; the import system finds it in a checkout, an editable install and a wheel.
    """
    spec = importlib.util.find_spec("sigkit.bundled_scenarios")
    if spec is not None and spec.origin:
        return Path(spec.origin).resolve().parent
    return Path(__file__).resolve().parent.parent / "scenarios"  # a bare checkout, not installed


def discover(extra_dirs: Sequence[Path] = ()) -> list[Scenario]:
    """Bundled scenarios plus those in ``extra_dirs``, sorted by name.

    Files starting with ``_`` are helpers, not scenarios.  A bad header in *any* directory is a
    UsageError naming the file and the field: a registry that skips files silently hides typos.
    """
    found: dict[str, Scenario] = {}
    for folder in (bundled_dir(), *map(Path, extra_dirs)):
        if not folder.is_dir():
            raise UsageError(f"scenarios directory not found: {folder}")
        for path in sorted(folder.glob("*.py")):
            if path.name.startswith("_"):
                continue
            scenario = load(path)
            other = found.get(scenario.name)
            if other is not None and other.path.resolve() != path.resolve():
                raise UsageError(
                    f"{path}: scenario name {scenario.name!r} is already used by {other.path}"
                )
            found[scenario.name] = scenario
    return sorted(found.values(), key=lambda s: s.name)


def get(name: str, extra_dirs: Sequence[Path] = ()) -> Scenario:
    """The scenario called ``name`` (underscores are accepted for hyphens)."""
    scenarios = discover(extra_dirs)
    wanted = name.strip().replace("_", "-")
    for scenario in scenarios:
        if scenario.name == wanted:
            return scenario
    names = [s.name for s in scenarios]
    close = difflib.get_close_matches(wanted, names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise UsageError(f"unknown scenario {name!r} ({hint}known: {', '.join(names)})")


def load(path: Path) -> Scenario:
    """Read one script's header (without running it) and build its Scenario."""
    try:
        source = path.read_text(encoding="utf-8")
        docstring = ast.get_docstring(ast.parse(source, filename=str(path)), clean=True)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError) as error:
        raise UsageError(f"{path}: cannot read the scenario header: {error}") from error
    if not docstring:
        raise UsageError(f"{path}: no header (the module docstring with 'name:', 'summary:'...)")
    fields = parse_header(docstring, path)
    return _build(fields, docstring, path)


def parse_header(text: str, path: Path) -> dict[str, str]:
    """``field: value`` lines after an optional title paragraph; indented lines continue a field."""
    fields: dict[str, list[str]] = {}
    current: str | None = None  # None while still in the free-text title paragraph
    for number, line in enumerate(text.splitlines(), start=1):
        match = _FIELD.match(line)
        if match and match.group(1) in KNOWN:
            current = match.group(1)
            if current in fields:
                raise UsageError(f"{path}: field '{current}' appears twice (line {number})")
            fields[current] = [match.group(2) or ""]
        elif current is None:
            continue  # title prose
        elif match:
            known = ", ".join(KNOWN)
            raise UsageError(f"{path}: unknown field '{match.group(1)}' (known: {known})")
        elif not line.strip() or line[:1].isspace():
            fields[current].append(line.rstrip())  # dedented below: relative indents stay
        else:
            raise UsageError(
                f"{path}: header line {number} is neither 'field: value' nor indented: {line!r}"
            )
    return {key: _join(lines) for key, lines in fields.items()}


def _join(lines: list[str]) -> str:
    """The first line as written, continuation lines dedented together (keeps column layouts)."""
    rest = textwrap.dedent("\n".join(lines[1:]))
    return "\n".join(part for part in (lines[0].strip(), rest.strip("\n")) if part).strip()


def _build(fields: dict[str, str], header: str, path: Path) -> Scenario:
    for key in REQUIRED:
        if not fields.get(key):
            raise UsageError(f"{path}: header field '{key}' is missing or empty")
    name = fields["name"]
    if not _NAME.match(name):
        raise UsageError(f"{path}: field 'name': {name!r} is not lower-case words with hyphens")
    return Scenario(
        name=name,
        path=path.resolve(),
        summary=_one_line(fields["summary"]),
        teaches=_one_line(fields["teaches"]),
        fix=_one_line(fields["fix"]),
        ready=_regex(fields["ready"], path),
        ladder=_ladder(fields.get("ladder", ""), path),
        min_python=_version(fields["min-python"], path, "min-python")
        if fields.get("min-python")
        else None,
        options=_one_line(fields.get("options", "")),
        expectations={
            variant: parse_expectations(fields[f"expect-{variant}"], path, f"expect-{variant}")
            for variant in VARIANTS
        },
        behaviour=fields.get("behaviour", ""),
        header=header,
        settle=_seconds(fields["settle"], path, "settle") if fields.get("settle") else DEFAULT_SETTLE,
    )


def parse_expectations(text: str, path: Path, key: str) -> tuple[Expectation, ...]:
    """``2.7=term 3.6-3.8=presses=2 3.9+=ki *=ki`` -> Expectations; overlaps are an error."""
    tokens: list[Expectation] = []
    for word in text.split():
        versions, sep, outcome = word.partition("=")
        if not sep or not outcome:
            raise UsageError(f"{path}: field '{key}': {word!r} is not RANGE=OUTCOME")
        orphans = outcome.endswith(ORPHAN)
        outcome = outcome.removesuffix(ORPHAN)
        for alternative in outcome.split("|"):
            if not _OUTCOME.match(alternative):
                raise UsageError(
                    f"{path}: field '{key}': unknown outcome {alternative!r} "
                    "(ki, exit, presses=N, term, kill)"
                )
        implementation, low, high = _range(versions, path, key)
        token = Expectation(low, high, outcome, orphans, implementation)
        for other in tokens:
            if other.implementation == token.implementation and _overlap(other, token):
                raise UsageError(f"{path}: field '{key}': {word!r} overlaps another range")
        tokens.append(token)
    if not tokens:
        raise UsageError(f"{path}: field '{key}' is empty")
    return tuple(tokens)


def _range(text: str, path: Path,
           key: str) -> tuple[str | None, Version | None, Version | None]:
    """``*``, ``3.9``, ``3.9-3.12``, ``3.9+`` (CPython), ``pypy``, ``pypy3.9``, ``pypy3.9+``..."""
    if text == "*":
        return None, None, None
    implementation = CPYTHON
    if text.startswith(PYPY):
        implementation, text = PYPY, text[len(PYPY):]
        if not text:
            return implementation, None, None
    if text.endswith("+"):
        return implementation, _version(text[:-1], path, key), None
    low, dash, high = text.partition("-")
    first = _version(low, path, key)
    last = _version(high, path, key) if dash else first
    if last < first:
        raise UsageError(f"{path}: field '{key}': empty version range {text!r}")
    return implementation, first, last


def _overlap(a: Expectation, b: Expectation) -> bool:
    if a.is_default or b.is_default:
        return True
    return (a.high is None or b.low is None or b.low <= a.high) and (
        b.high is None or a.low is None or a.low <= b.high
    )


def _version(text: str, path: Path, key: str) -> Version:
    match = _VERSION.match(text.strip())
    if not match:
        raise UsageError(f"{path}: field '{key}': {text!r} is not a version like 3.9")
    return int(match.group(1)), int(match.group(2))


def _seconds(text: str, path: Path, key: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 10:
        raise UsageError(f"{path}: field '{key}': {text!r} is not a number of seconds (0-10)")
    return value


def _regex(text: str, path: Path) -> str:
    try:
        re.compile(text)
    except re.error as error:
        raise UsageError(f"{path}: field 'ready': bad regex {text!r}: {error}") from error
    return text


def _ladder(text: str, path: Path) -> tuple[str, ...] | None:
    """``INT,INT,TERM,KILL``: signal names without SIG; INT is a Ctrl-C typed on the terminal."""
    if not text:
        return None
    steps = tuple(step.strip().upper().removeprefix("SIG") for step in text.split(","))
    for step in steps:
        if not hasattr(signal, "SIG" + step):
            raise UsageError(f"{path}: field 'ladder': unknown signal {step!r}")
    return steps


def _one_line(text: str) -> str:
    return " ".join(text.split())
