"""What a first-time user meets at the command line: help, version, typos, a program that dies."""

from __future__ import annotations

import re
import sys

import pytest

from sigkit import __version__

COMMANDS = [
    ["probe"], ["run"], ["inspect"], ["explain"], ["check"], ["lint"], ["scenarios"],
    ["scenarios", "show"], ["lab"], ["lab", "gil"], ["lab", "switch-interval"], ["lab", "convoy"],
]
# What a help text must not show: typer's type names, and markup a renderer ate or left behind.
INTERNAL = re.compile(r"<(?:bool|str|int|float|list\[str\]|path)>|\\\[|\[\[")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_speaks_to_users(sigkit, command):
    done = sigkit(*command, "--help")
    assert done.returncode == 0, done.stderr
    options = done.stdout.split("Options:", 1)[-1]
    assert INTERNAL.findall(options) == []


def test_help_keeps_square_brackets_of_extras_and_tables(sigkit):
    assert "sigkit[plot]" in sigkit("probe", "--help").stdout
    assert "[tool.sigkit]" in sigkit("check", "--help").stdout


def test_version(sigkit):
    done = sigkit("--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"sigkit {__version__}")


def test_a_misspelt_scenario_gets_a_suggestion(sigkit):
    done = sigkit("run", "blocked-jion")
    assert done.returncode == 2
    assert "did you mean 'blocked-join'?" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_json_before_the_separator_is_refused_not_written_to_a_file_named_dashdash(sigkit, tmp_path):
    done = sigkit("probe", "--json", "--", sys.executable, "-c", "pass", cwd=tmp_path)
    assert done.returncode == 2
    assert "--json" in done.stderr and "before the --" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_program_that_dies_at_start_up_is_a_problem_with_its_last_words(sigkit):
    done = sigkit("probe", "--", sys.executable, "-c",
                  "import sys; print('loading settings'); sys.exit('boom: config missing')")
    assert done.returncode == 1
    assert "exited before sigkit pressed Ctrl-C (exit code 1)" in done.stdout
    assert "ended by itself" in done.stdout
    assert "boom: config missing" in done.stdout and "loading settings" in done.stdout
    assert "no problem found" not in done.stdout


def test_a_program_that_never_gets_ready_is_a_problem_and_says_how_long_sigkit_waited(sigkit):
    code = "import time; print('warming up', flush=True); time.sleep(30)"
    done = sigkit("probe", "--expect", "never-printed", "--", sys.executable, "-c", code)
    assert done.returncode == 1
    assert re.search(r"gave up waiting for it to be ready and killed it \d", done.stdout)
    assert "warming up" in done.stdout


@pytest.mark.parametrize("command", [["lint", "--list-rules"], ["explain"], ["scenarios"]])
def test_a_quick_command_loads_neither_the_probe_engine_nor_the_diagnosis(sigkit, command):
    """Sub-commands are imported lazily: pre-commit runs ``sigkit lint`` in a loop."""
    done = sigkit(*command, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "sigkit.cli" in imported  # the profile is really there
    assert {"sigkit.launch", "sigkit.checks.runner", "pexpect"} & imported == set()


def test_help_lists_the_commands_in_one_order_whatever_ran_first():
    """A process that ran ``sigkit lint`` and ``sigkit lab`` in-process (the generated-input
    tests do) registered those first; the help, and the CLI reference made from it, do not move."""
    from typer.testing import CliRunner

    from sigkit.cli import COMMANDS, register

    register(["lab"])
    register(["lint"])
    shown = CliRunner().invoke(register(), ["--help"], terminal_width=200).output
    listed = [line.split()[0] for line in shown.split("Commands:")[1].strip().splitlines()]
    groups = ["scenarios", "lab"]  # typer lists the groups after the plain commands
    assert listed == [name for name in COMMANDS if name not in groups] + groups
