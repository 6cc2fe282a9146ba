"""Bad input of every kind: one clear line, exit 2, no traceback — and nothing spawned.

The target of every command here would create a marker file the moment it ran, so "refused
before anything is spawned" is checked, not assumed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sigkit import validate
from sigkit.errors import UsageError
from sigkit.launch import ProbeOptions, probe

GOOD_CHECK = '[[check]]\nname = "x"\ncommand = "{command}"\nno_orphans = true\n'


@pytest.fixture
def spawn_marker(tmp_path: Path) -> tuple[list[str], Path]:
    """A command that leaves ``spawned`` behind if it ever runs."""
    marker = tmp_path / "spawned"
    return ["sh", "-c", f"touch {marker}; sleep 5"], marker


def refused(done, message: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert message in lines[0], lines[0]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--deadline", "nan"], "--deadline nan: must be a finite number of seconds > 0"),
        (["--grace", "inf"], "--deadline inf: must be a finite number of seconds > 0"),
        (["--deadline", "1e309"], "--deadline inf: must be a finite number of seconds > 0"),
        (["--deadline", "1e7"], "--deadline 10000000.0: more than a week"),
        (["--after", "inf"], "--after inf: must be a finite number of seconds ≥ 0"),
        (["--after", "-1"], "--after -1.0: must be a number of seconds ≥ 0"),
        (["--interval", "nan"], "--interval nan: must be a finite number of seconds > 0"),
        (["--budget", "nan"], "--budget nan: must be a finite number of ms > 0"),
        (["--budget", "0"], "--budget 0.0: must be a finite number of ms > 0"),
        (["--ladder", ""], "the ladder needs at least one signal"),
        (["--ladder", ",,"], "the ladder needs at least one signal"),
        (["--json", "/proc/no-such-pid/out.json"], "no such directory /proc/no-such-pid"),
        (["--json", "/proc/sigkit.json"], "--json /proc/sigkit.json: cannot write"),
        (["--json", "{tmp}"], "is a directory"),
        (["--json", "{tmp}/missing/out.json"], "no such directory"),
        (["--plot", "{tmp}/missing/p.svg"], "does not exist"),
    ],
)
def test_probe_refuses_before_spawning(sigkit, tmp_path, spawn_marker, options, message):
    command, marker = spawn_marker
    args = [option.replace("{tmp}", str(tmp_path)) for option in options]
    refused(sigkit("probe", *args, "--", *command), message)
    assert not marker.exists()


def test_run_refuses_nan_and_unwritable_json(sigkit, tmp_path):
    refused(sigkit("run", "blocked-join", "--deadline", "nan"), "--deadline nan:")
    refused(sigkit("run", "blocked-join", "--json", str(tmp_path)), "is a directory")


def test_inspect_refuses_a_pid_no_kernel_hands_out(sigkit):
    refused(sigkit("inspect", str(2**70)), f"PID {2**70}: not a process id")
    refused(sigkit("inspect", "0"), "PID 0: not a process id")


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('deadline = nan', "sigkit.toml: check 'x': deadline = nan: must be a finite number"),
        ('after = inf', "sigkit.toml: check 'x': after = inf: must be a finite number"),
        ('interval = -inf', "interval = -inf: must be a finite number"),
        ('max_exit_ms = nan', "max_exit_ms = nan: must be a finite number of ms > 0"),
        ('cwd = "/nonexistent"', 'cwd = "/nonexistent": no such directory'),
        ('ladder = ""', "'ladder' is empty"),
    ],
)
def test_check_config_values_refused_before_spawning(sigkit, tmp_path, spawn_marker, config,
                                                     message):
    command, marker = spawn_marker
    body = GOOD_CHECK.format(command=" ".join(command[:2]) + f" '{command[2]}'") + config + "\n"
    (tmp_path / "sigkit.toml").write_text(body)
    refused(sigkit("check", cwd=tmp_path), message)
    assert not marker.exists()


def test_check_config_files_that_are_not_text_files(sigkit, tmp_path):
    (tmp_path / "latin1.toml").write_bytes(b'[[check]]\nname = "caf\xe9"\ncommand = "true"\n')
    refused(sigkit("check", "--config", "latin1.toml", cwd=tmp_path),
            "latin1.toml: not UTF-8 text (byte 21)")
    (tmp_path / "folder").mkdir()
    refused(sigkit("check", "--config", "folder", cwd=tmp_path), "config file folder is a directory")
    os.mkfifo(tmp_path / "fifo.toml")
    refused(sigkit("check", "--config", "fifo.toml", cwd=tmp_path, timeout=30),
            "config file fifo.toml is not a regular file")
    os.mkfifo(tmp_path / "sigkit.toml")  # found by discovery, not named: must not hang either
    refused(sigkit("check", cwd=tmp_path, timeout=30), "no checks configured")


def test_a_full_disk_at_the_end_loses_nothing(sigkit, tmp_path, py311):
    """/dev/full accepts the open and fails the write: the JSON goes to stdout instead."""
    done = sigkit("probe", "--json", "/dev/full", "--after", "0.2", "--", py311, "-c",
                  "import time; time.sleep(30)")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "sigkit: error: --json /dev/full: cannot write (No space left on device); "
        "printing it here instead"]
    assert '"schema": "sigkit.probe/1"' in done.stdout


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("deadline", float("nan"), "sigint_probe(deadline=nan): must be a finite number"),
        ("after", float("inf"), "sigint_probe(after=inf): must be a finite number"),
        ("interval", 0, "sigint_probe(interval=0): must be a number of seconds > 0"),
        ("ready_timeout", -1, "sigint_probe(ready_timeout=-1): must be a number of seconds > 0"),
        ("cwd", "/nonexistent", "sigint_probe(cwd='/nonexistent'): no such directory"),
    ],
)
def test_the_fixture_names_its_own_arguments(sigint_probe, spawn_marker, field, value, message):
    command, marker = spawn_marker
    with pytest.raises(UsageError) as caught:
        sigint_probe(command, **{field: value})
    assert str(caught.value) == message or str(caught.value).startswith(message)
    assert not marker.exists()


def test_the_library_names_probe_options(spawn_marker):
    command, marker = spawn_marker
    with pytest.raises(UsageError, match=r"^ProbeOptions\(deadline=nan\): must be a finite"):
        probe(ProbeOptions(command, deadline=float("nan")))
    with pytest.raises(UsageError, match=r"^ProbeOptions\(ladder=''\): needs at least one"):
        probe(ProbeOptions(command, ladder=()))
    assert not marker.exists()


def test_one_origin_renders_a_value_three_ways():
    nan = float("nan")
    assert validate.COMMAND_LINE.show("ready_timeout", nan) == "--ready-timeout nan"
    assert validate.Origin("config", "a.toml: check 'x'").show("cwd", "/x") == (
        "a.toml: check 'x': cwd = \"/x\"")
    assert validate.Origin("call", "sigint_probe").show("after", nan) == "sigint_probe(after=nan)"


def test_a_value_with_line_breaks_stays_one_line(sigkit):
    """Found by the generated-input tests: a path with a record separator or a newline."""
    refused(sigkit("lint", "a\x1eb\nc"), "sigkit: error: no such file or directory: a\\x1eb\\nc")


@pytest.mark.parametrize(("target", "message"), [
    ("/proc/sigkit.json", "--json /proc/sigkit.json: cannot write"),
    ("{tmp}", "is a directory"),
    ("{tmp}/missing/out.json", "no such directory"),
])
def test_watch_refuses_an_unwritable_json_before_spawning(sigkit, tmp_path, spawn_marker, target,
                                                           message):
    command, marker = spawn_marker
    refused(sigkit("watch", "--json", target.replace("{tmp}", str(tmp_path)), "--", *command),
            message)
    assert not marker.exists()
