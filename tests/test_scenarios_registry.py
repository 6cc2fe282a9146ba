"""The scenario registry: headers, expectations per version, the CLI, and that every script starts.

Behaviour (what Ctrl-C really does) is checked through the probe engine in
test_scenarios_behaviour.py; here each script only has to reach its ready line and be reaped.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import select
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest
from conftest import install_hint, interpreter

from sigkit import scenarios
from sigkit.errors import UsageError

REQUIRED_NAMES = {
    "idle", "blocked-join", "lock-wait", "queue-get", "busy-workers", "gil-hog", "main-c-call",
    "threadpool-exit", "nondaemon-shutdown", "sigint-ignored", "swallowed-interrupt", "mp-pool",
    "orphan-child", "asyncio-blocking", "signal-in-thread",
}
BUNDLED = scenarios.discover()
ENV = dict(os.environ, PYTHON_COLORS="0", NO_COLOR="1")


# --- the bundled headers ---------------------------------------------------------------------


def test_every_required_scenario_is_bundled():
    assert {s.name for s in BUNDLED} >= REQUIRED_NAMES
    assert [s.name for s in BUNDLED] == sorted(s.name for s in BUNDLED)


def test_bundled_dir_is_the_scenarios_folder():
    folder = scenarios.bundled_dir()
    assert (folder / "blocked_join.py").is_file()
    assert all(s.path.parent == folder.resolve() for s in BUNDLED)


@pytest.mark.parametrize("scenario", BUNDLED, ids=lambda s: s.name)
def test_header_is_complete_and_the_file_is_named_after_it(scenario):
    assert scenario.path.name == scenario.name.replace("-", "_") + ".py"
    for text in (scenario.summary, scenario.teaches, scenario.fix):
        assert text and "\n" not in text
    re.compile(scenario.ready)
    assert scenario.behaviour_rows(), "say what happens per version"
    for variant in scenarios.VARIANTS:
        for version in ((2, 7), (3, 6), (3, 9), (3, 11), (3, 13)):
            if scenario.supports(version):
                assert scenario.expected(variant, version) is not None, (variant, version)
        assert scenario.expected(variant, (3, 9), "pypy") is not None, (variant, "pypy3.9")


@pytest.mark.parametrize("scenario", BUNDLED, ids=lambda s: s.name)
def test_broken_and_fixed_are_module_level_functions(scenario):
    """The linter cross-checks these two functions: they must exist under these names."""
    tree = ast.parse(scenario.path.read_text(encoding="utf-8"))
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert {"broken", "fixed"} <= functions


def test_expectations_by_version():
    join = scenarios.get("blocked-join")
    assert join.expected("broken", (2, 7)) == "term"
    assert join.expected("broken", (3, 8)) == "presses=2"
    assert join.expected("broken", (3, 10)) == "ki"
    assert join.expected("broken", (3, 13, 0)) == "presses=2"  # extra fields are ignored
    assert join.expected("fixed", (3, 11)) == "ki"
    assert join.expected("broken", (3, 14)) is None  # not measured: no promise

    # Plain ranges speak for CPython; PyPy has its own tokens, and falls back to ``*``.
    assert join.expected("broken", (3, 9), "pypy") == "ki"
    assert join.expected("fixed", (3, 9), "pypy") == "ki"
    pool = scenarios.get("threadpool-exit")
    assert pool.expected("broken", (3, 9)) == "presses=3"
    assert pool.expected("broken", (3, 9), "pypy") == "presses=2"

    asyncio = scenarios.get("asyncio_blocking")  # underscores are accepted
    assert asyncio.min_python == (3, 7)
    assert asyncio.expected("broken", (3, 6)) is None
    assert asyncio.expected("broken", (3, 10)) == "ki"
    assert asyncio.expected("broken", (3, 12)) == "presses=2"

    orphan = scenarios.get("orphan-child")
    assert orphan.expected("broken", (3, 11)) == "ki"
    assert orphan.expects_orphans("broken", (3, 11)) is True
    assert orphan.expects_orphans("fixed", (3, 11)) is False

    mp = scenarios.get("mp-pool")
    assert mp.expected("broken", (3, 11)) == "ki|presses=2"
    assert mp.expectation("broken", (3, 11)).accepts("presses=2")
    assert not mp.expectation("broken", (2, 7)).accepts("ki")

    pool = scenarios.get("threadpool-exit")
    assert pool.ladder == ("INT", "INT", "INT", "TERM", "KILL")
    assert pool.expected("broken", (3, 12)) == "presses=3"
    with pytest.raises(UsageError):
        pool.expected("half-fixed", (3, 12))


def test_command_line():
    scenario = scenarios.get("busy-workers")
    assert scenario.command("/py") == ["/py", str(scenario.path)]
    assert scenario.command("/py", fixed=True, extra_args=["--threads", "4"]) == [
        "/py", str(scenario.path), "--fixed", "--threads", "4",
    ]


# --- user scenario directories ---------------------------------------------------------------

GOOD = '''"""A user's own scenario.

name: my-hang
summary: waits forever
teaches: something
behaviour:
    3.x    ends at the first Ctrl-C
fix: nothing
expect-broken: 2.7=term 3.6-3.8=presses=2 3.9+=ki
expect-fixed: *=ki|exit
ready: ^ready
"""
import time
'''


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_user_dir_is_merged_sorted_and_parsed(tmp_path):
    write(tmp_path, "my_hang.py", GOOD)
    write(tmp_path, "_helper.py", "x = 1\n")  # helpers are not scenarios
    found = scenarios.discover([tmp_path])
    names = [s.name for s in found]
    assert "my-hang" in names and names == sorted(names)
    mine = scenarios.get("my-hang", [tmp_path])
    assert mine.expected("broken", (3, 7)) == "presses=2"
    assert mine.expected("broken", (3, 20)) == "ki"  # open-ended range
    assert mine.expected("fixed", (2, 7)) == "ki|exit"
    assert mine.expectation("fixed", (2, 7)).accepts("exit")
    assert mine.ladder is None and mine.min_python is None
    assert mine.settle == scenarios.DEFAULT_SETTLE
    slow = write(tmp_path, "my_hang.py", GOOD.replace("ready: ^ready", "ready: ^ready\nsettle: 0.5"))
    assert scenarios.load(slow).settle == 0.5


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("summary: waits forever\n", ""), "summary"),
        (("expect-fixed: *=ki|exit", "expect-fixed: *=dead"), "expect-fixed"),
        (("expect-broken: 2.7=term", "expect-broken: 2.7=term 2.7=ki"), "expect-broken"),
        (("expect-broken: 2.7=term", "expect-broken: 2.7:term"), "expect-broken"),
        (("expect-broken: 2.7=term", "expect-broken: 3.9-3.6=ki"), "expect-broken"),
        (("ready: ^ready", "ready: ^(ready"), "ready"),
        (("ready: ^ready", "ready: ^ready\nladder: INT,BOOM"), "ladder"),
        (("ready: ^ready", "ready: ^ready\nmin-python: three"), "min-python"),
        (("ready: ^ready", "ready: ^ready\nexpect-brokn: *=ki"), "expect-brokn"),
        (("name: my-hang", "name: My Hang"), "name"),
        (("ready: ^ready", "ready: ^ready\nsettle: soon"), "settle"),
    ],
)
def test_a_malformed_user_header_names_the_file_and_the_field(tmp_path, change, field):
    path = write(tmp_path, "my_hang.py", GOOD.replace(*change))
    with pytest.raises(UsageError) as error:
        scenarios.discover([tmp_path])
    message = str(error.value)
    assert str(path) in message and f"'{field}'" in message, message


def test_a_file_without_header_and_a_duplicate_name_are_usage_errors(tmp_path):
    write(tmp_path, "plain.py", "print('hi')\n")
    with pytest.raises(UsageError, match=r"plain\.py: no header"):
        scenarios.discover([tmp_path])
    (tmp_path / "plain.py").unlink()
    write(tmp_path, "idle_again.py", GOOD.replace("name: my-hang", "name: idle"))
    with pytest.raises(UsageError, match="already used"):
        scenarios.discover([tmp_path])
    with pytest.raises(UsageError, match="not found"):
        scenarios.discover([tmp_path / "missing"])


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_lists_every_scenario_with_its_311_expectation(sigkit):
    result = sigkit("scenarios")
    assert result.returncode == 0, result.stderr
    for scenario in BUNDLED:
        assert scenario.name in result.stdout
    assert re.search(r"blocked-join.*ki → ki", result.stdout)
    assert re.search(r"threadpool-exit.*3\.6.*presses=3 → ki", result.stdout)
    assert "presses=2 → ki" in sigkit("scenarios", "--on", "3.13").stdout


def test_cli_show_prints_header_expectations_and_source(sigkit):
    result = sigkit("scenarios", "show", "blocked-join")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "python/cpython#90882" in out  # the behaviour prose
    assert re.search(r"3\.9-3\.12\s.*ki\s.*ki", out)  # grouped expectation rows
    assert "def broken():" in out and "worker.join()" in out  # the source


def test_cli_show_with_a_user_dir(sigkit, tmp_path):
    write(tmp_path, "my_hang.py", GOOD)
    result = sigkit("scenarios", "show", "my-hang", "--scenarios-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "waits forever" in result.stdout
    listed = sigkit("scenarios", "--scenarios-dir", str(tmp_path))
    assert "my-hang" in listed.stdout


def test_unknown_scenario_is_one_line_and_exit_2(sigkit):
    result = sigkit("scenarios", "show", "no-such-hang")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "unknown scenario 'no-such-hang'" in lines[0] and "blocked-join" in lines[0]
    assert result.stdout == ""


def test_malformed_user_dir_is_exit_2_naming_the_file(sigkit, tmp_path):
    write(tmp_path, "bad.py", GOOD.replace("expect-fixed: *=ki|exit", "expect-fixed: *=dead"))
    result = sigkit("scenarios", "--scenarios-dir", str(tmp_path))
    assert result.returncode == 2
    assert "bad.py" in result.stderr and "expect-fixed" in result.stderr


# --- every script starts and reaches its ready line ------------------------------------------


def start_until_ready(python: str, scenario: scenarios.Scenario, fixed: bool) -> str:
    """Run the script until its ready line; always kill it and everything it started."""
    proc = subprocess.Popen(
        scenario.command(python, fixed=fixed), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, env=ENV, start_new_session=True,
    )
    assert proc.stdout is not None
    seen: list[psutil.Process] = []
    output = b""
    try:
        deadline = time.monotonic() + 15
        pattern = re.compile(scenario.ready.encode(), re.MULTILINE)
        while not pattern.search(output):
            left = deadline - time.monotonic()
            if left <= 0 or proc.poll() is not None:
                break
            if select.select([proc.stdout], [], [], min(left, 0.2))[0]:
                output += os.read(proc.stdout.fileno(), 65536)
        seen = descendants(proc.pid)
        return output.decode("utf-8", "replace")
    finally:
        seen += descendants(proc.pid)  # the orphan-child helper lives in its own session
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        for child in seen:
            with contextlib.suppress(psutil.Error):
                child.kill()
        proc.wait(10)
        wait_dead(seen)
        proc.stdout.close()


def wait_dead(procs: list[psutil.Process], timeout: float = 5.0) -> None:
    """Until each is gone or a zombie (dead; its new parent, init, reaps it when it likes)."""
    deadline = time.monotonic() + timeout
    for proc in procs:
        while time.monotonic() < deadline:
            try:
                if proc.status() == psutil.STATUS_ZOMBIE:
                    break
            except psutil.Error:
                break
            time.sleep(0.01)


def descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


@pytest.mark.parametrize("fixed", [False, True], ids=["broken", "fixed"])
@pytest.mark.parametrize("scenario", BUNDLED, ids=lambda s: s.name)
def test_starts_and_gets_ready_on_311(scenario, fixed, py311):
    output = start_until_ready(py311, scenario, fixed)
    assert re.search(scenario.ready, output, re.MULTILINE), output


PY27 = interpreter("2.7")
NEEDS_27 = pytest.mark.skipif(PY27 is None, reason=install_hint("2.7"))


@NEEDS_27
@pytest.mark.parametrize("fixed", [False, True], ids=["broken", "fixed"])
@pytest.mark.parametrize(
    "scenario", [s for s in BUNDLED if s.supports((2, 7))], ids=lambda s: s.name
)
def test_starts_and_gets_ready_on_27(scenario, fixed):
    assert PY27 is not None
    output = start_until_ready(PY27, scenario, fixed)
    assert re.search(scenario.ready, output, re.MULTILINE), output


@NEEDS_27
def test_a_scenario_too_new_for_27_says_so():
    assert PY27 is not None
    result = subprocess.run(
        scenarios.get("threadpool-exit").command(PY27), capture_output=True, text=True,
        timeout=30, env=ENV,
    )
    assert result.returncode != 0
    assert "needs Python 3.6+" in result.stderr


def test_pypy_tokens_are_parsed_apart_from_cpython_ranges(tmp_path):
    tokens = scenarios.parse_expectations(
        "3.9-3.12=ki pypy3.9=presses=2 pypy3.10+=exit *=term", tmp_path / "x.py", "expect-broken")
    by_implementation = [(t.implementation, t.low, t.high, t.outcome) for t in tokens]
    assert by_implementation == [("cpython", (3, 9), (3, 12), "ki"), ("pypy", (3, 9), (3, 9),
                                 "presses=2"), ("pypy", (3, 10), None, "exit"),
                                 (None, None, None, "term")]
    with pytest.raises(UsageError, match="overlaps"):
        scenarios.parse_expectations("pypy=ki pypy3.9=exit", tmp_path / "x.py", "expect-broken")
    # The same versions on two implementations do not overlap.
    assert len(scenarios.parse_expectations("3.9=ki pypy3.9=exit", tmp_path / "x.py", "k")) == 2
