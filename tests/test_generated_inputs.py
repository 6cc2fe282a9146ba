"""Generated command lines and configs: every outcome is exit 0, 1 or 2, never a traceback, and
a refusal (exit 2) is one line.

The CLI runs in this process (the ``sigkit_here`` fixture) so that hundreds of inputs take
seconds.  The only program a generated input can start is ``true``, which exits at once: no
generated value can make a run long.  Exit 3 ("could not measure": no pty, no probe socket) is a
failure of the machine, which no generated argument or config can cause: it counts as a bug here.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SigkitHere
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sigkit.checks.config import CHECK_KEYS

FAST_TARGET = "true"
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["nan", "inf", "-inf", "1e309", "-0", "0", "2**70", "0x10", ""]),
    st.integers(min_value=-(2**80), max_value=2**80),
).map(str)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
SIGNALS = st.sampled_from(["INT", "TERM", "HUP", "QUIT", "KILL", "sigint", "9", "0", "NOPE", ""])
LADDERS = st.lists(SIGNALS, max_size=4).map(",".join)


@contextlib.contextmanager
def inside(folder: Path) -> Iterator[None]:
    """The working directory for one generated example (contextlib.chdir is 3.11+)."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def assert_clean_outcome(sigkit_here: SigkitHere, argv: list[str]) -> tuple[int, str, str]:
    status, out, err = sigkit_here(argv)
    event(f"exit {status}")
    assert status in (0, 1, 2), (argv, status, err)
    assert "Traceback" not in err and "Traceback" not in out, (argv, err)
    if status == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("sigkit: error: "), (argv, err)
    return status, out, err


@st.composite
def probe_argv(draw: st.DrawFn) -> list[str]:
    options: list[str] = []
    for flag in draw(st.lists(st.sampled_from(
            ["--deadline", "--grace", "--after", "--interval", "--budget", "-n"]),
            max_size=4, unique=True)):
        value = draw(NUMBERS)
        if flag == "-n":  # trials: only counts that stay fast, or invalid ones
            value = draw(st.sampled_from(["0", "-1", "1", "2", "nan", "x", ""]))
        options += [flag, value]
    if draw(st.booleans()):
        options += ["--ladder", draw(LADDERS)]
    if draw(st.booleans()):
        options += ["--signal", draw(SIGNALS)]
    if draw(st.booleans()):
        options += ["--expect", draw(TEXT)]
    return ["probe", *options, "--", FAST_TARGET]


@given(argv=probe_argv())
@SETTINGS
def test_probe_arguments(argv: list[str], sigkit_here: SigkitHere) -> None:
    status, out, _ = assert_clean_outcome(sigkit_here, argv)
    if status == 0:
        assert "Ending:" in out


@given(pid=st.one_of(st.integers(min_value=-(2**80), max_value=2**80).map(str), TEXT))
@SETTINGS
def test_inspect_arguments(pid: str, sigkit_here: SigkitHere) -> None:
    """Only pids that cannot exist: a real one would be a process of this machine."""
    try:
        number = int(pid)
    except ValueError:
        number = -1
    if 0 < number <= 2**22:
        pid = str(-number)
    status, _, _ = assert_clean_outcome(sigkit_here, ["inspect", "--no-stacks", "--", pid])
    assert status == 2


@given(argv=st.lists(st.one_of(TEXT, st.sampled_from(
    ["--select", "--ignore", "--exclude", "--format", "--jobs", "-j", "--explain",
     "--list-rules", "SK1", "json", "0", "-1"])), max_size=5))
@SETTINGS
def test_lint_arguments(argv: list[str], tmp_path_factory: pytest.TempPathFactory,
                        sigkit_here: SigkitHere) -> None:
    """Inside an empty folder: whatever the arguments, lint reads nothing of this machine's."""
    folder = tmp_path_factory.mktemp("lint")
    with inside(folder):
        assert_clean_outcome(sigkit_here, ["lint", *argv, "--", str(folder)])


def toml_value(value: object) -> str:
    """A Python value in TOML's syntax (enough of it for generated configs)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return str(value)


SCALARS = st.one_of(st.booleans(), st.integers(-3, 3), st.integers(), st.floats(), TEXT)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3),
                   st.dictionaries(TEXT, SCALARS, max_size=2))


def runs_nothing_slow(table: dict[str, object]) -> dict[str, object]:
    """Whatever was generated: the only command is ``true``, no real scenario, few trials."""
    table = dict(table)
    if "command" in table:
        table["command"] = FAST_TARGET
    if "scenario" in table:
        table["scenario"] = f"not-a-scenario-{table['scenario']}"
    trials = table.get("trials")
    if isinstance(trials, int) and not isinstance(trials, bool) and trials > 2:
        table["trials"] = 2
    return table


# A valid check with a few generated keys on top (some replacing its own), so that both the
# refusals and the runs are reached.
VALID_CHECK = {"name": "generated", "command": FAST_TARGET, "no_orphans": True}
CHECK_TABLES = st.dictionaries(
    st.sampled_from([*CHECK_KEYS, "max_latency", "Name"]), VALUES, max_size=3,
).map(lambda generated: runs_nothing_slow({**VALID_CHECK, **generated}))


@given(tables=st.lists(CHECK_TABLES, max_size=2))
@SETTINGS
def test_check_configs(tables: list[dict[str, object]],
                       tmp_path_factory: pytest.TempPathFactory,
                       sigkit_here: SigkitHere) -> None:
    folder = tmp_path_factory.mktemp("check")
    body = "".join("[[check]]\n" + "".join(f"{key} = {toml_value(value)}\n"
                                           for key, value in table.items()) + "\n"
                   for table in tables)
    (folder / "sigkit.toml").write_text(body, encoding="utf-8")
    with inside(folder):
        assert_clean_outcome(sigkit_here, ["check"])


@given(data=st.binary(max_size=200))
@SETTINGS
def test_check_config_bytes(data: bytes, tmp_path_factory: pytest.TempPathFactory,
                            sigkit_here: SigkitHere) -> None:
    """Arbitrary bytes as sigkit.toml: not UTF-8, not TOML, or a config — never a crash."""
    folder = tmp_path_factory.mktemp("bytes")
    Path(folder, "sigkit.toml").write_bytes(data)
    with inside(folder):
        status, _, _ = assert_clean_outcome(sigkit_here, ["check"])
    assert status == 2  # nothing generated here names a command to run
