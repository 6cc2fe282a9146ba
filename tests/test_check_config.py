"""Config parsing: every key lands in a typed field, every mistake is one line naming the key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sigkit.checks import config
from sigkit.errors import UsageError


def write(folder: Path, body: str, name: str = "sigkit.toml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(body))
    return path


def load_one(folder: Path, body: str) -> config.Check:
    loaded = config.load(write(folder, body))
    assert len(loaded.checks) == 1
    return loaded.checks[0]


def error_of(folder: Path, body: str, name: str = "sigkit.toml") -> str:
    with pytest.raises(UsageError) as caught:
        config.load(write(folder, body, name))
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_every_key_is_read_into_typed_fields(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app").mkdir()
    check = load_one(tmp_path, """
        [[check]]
        name = "join"
        scenario = "blocked-join"
        fixed = true
        args = ["--threads", "4"]
        interpreters = ["3.11", "3.13"]
        cwd = "app"
        env = { PYTHONUNBUFFERED = "1" }
        expect = "^ready"
        after = 0.25
        ready_timeout = 5
        trials = 7
        ladder = ["INT", "sigint", "15"]
        deadline = 0.5
        interval = 0.3
        max_handler_latency_ms = 200
        max_exit_ms = 450.5
        percentile = 99
        ending = "exit:130"
        no_orphans = true
        no_traceback = true
        no_lost_work = true
    """)
    assert check == config.Check(
        name="join", command=None, scenario="blocked-join",
        budgets=config.Budgets(
            max_handler_latency_ms=200.0, max_exit_ms=450.5, percentile=99.0, ending="exit:130",
            no_orphans=True, no_traceback=True, no_lost_work=True,
        ),
        cwd=(tmp_path / "app").resolve(), fixed=True, args=("--threads", "4"),
        interpreters=("3.11", "3.13"), env={"PYTHONUNBUFFERED": "1"}, expect="^ready",
        after=0.25, ready_timeout=5.0, trials=7, ladder=("INT", "INT", "TERM"), deadline=0.5,
        interval=0.3,
    )
    assert set(config.CHECK_KEYS) == {
        "name", "command", "scenario", "fixed", "args", "interpreters", "cwd", "env", "expect",
        "after", "ready_timeout", "trials", "signal", "ladder", "deadline", "interval",
        "max_handler_latency_ms", "max_exit_ms", "percentile", "ending", "no_orphans",
        "no_traceback", "no_lost_work", "stop", "to", "pid1", "grace",
    }


def test_defaults_and_a_command_string_split_like_a_shell(tmp_path):
    check = load_one(tmp_path, """
        [[check]]
        name = "app"
        command = "python -c 'print(1)'"
        ending = "KeyboardInterrupt"
    """)
    assert check.command == ("python", "-c", "print(1)")
    assert check.cwd == tmp_path.resolve()  # next to the config, not where sigkit runs
    assert (check.trials, check.deadline, check.ladder, check.budgets.percentile) == (
        1, 2.0, None, 95.0)


def test_signal_starts_the_ladder_a_person_would_climb(tmp_path):
    term = load_one(tmp_path, '[[check]]\nname = "a"\ncommand = "x"\nsignal = "TERM"\n'
                              'ending = "any"\n')
    assert term.ladder == ("TERM", "KILL")
    quit_key = load_one(tmp_path, '[[check]]\nname = "a"\ncommand = "x"\nsignal = "SIGQUIT"\n'
                                  'ending = "any"\n')
    assert quit_key.ladder == ("QUIT", "INT", "TERM", "KILL")
    comma = load_one(tmp_path, '[[check]]\nname = "a"\ncommand = "x"\nladder = "INT, HUP"\n'
                               'ending = "any"\n')
    assert comma.ladder == ("INT", "HUP")


def test_deadline_grows_to_the_latency_budgets_unless_set(tmp_path):
    """A 5 s exit budget with a 2 s deadline would press again at 2 s and blame the program."""
    loose = load_one(tmp_path, '[[check]]\nname = "a"\ncommand = "x"\nmax_exit_ms = 5000\n')
    assert loose.deadline == 5.0
    chosen = load_one(tmp_path, '[[check]]\nname = "a"\ncommand = "x"\nmax_exit_ms = 5000\n'
                                'deadline = 1\n')
    assert chosen.deadline == 1.0


def test_pyproject_reads_tool_sigkit_and_ignores_other_commands_sections(tmp_path):
    path = write(tmp_path, """
        [project]
        name = "x"

        [tool.sigkit.lint]
        select = ["SK101"]

        [[tool.sigkit.check]]
        name = "a"
        command = "x"
        no_orphans = true

        [[tool.sigkit.check]]
        name = "b"
        command = "y"
        ending = "exit:0"
    """, "pyproject.toml")
    assert [c.name for c in config.load(path).checks] == ["a", "b"]


def test_unknown_key_names_file_check_and_key_with_a_suggestion(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    message = error_of(tmp_path, """
        [[tool.sigkit.check]]
        name = "app"
        command = "python app.py"
        max_latency = 200
    """, "pyproject.toml")
    assert message == ("pyproject.toml: check 'app': unknown key 'max_latency' "
                       "(did you mean 'max_handler_latency_ms'?)")


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ('trials = 0', "'trials' must be an integer ≥ 1 (got 0)"),
        ('trials = true', "'trials' must be an integer ≥ 1 (got True)"),
        ('trials = 2.5', "'trials' must be an integer ≥ 1 (got 2.5)"),
        ('max_exit_ms = "fast"', "max_exit_ms = \"fast\": must be a finite number of ms > 0"),
        ('max_exit_ms = -1', "max_exit_ms = -1: must be a finite number of ms > 0"),
        ('max_handler_latency_ms = true', "max_handler_latency_ms = true: must be a finite number of ms > 0"),
        ('percentile = 120', "'percentile' must be a number > 0 and ≤ 100 (got 120)"),
        ('after = -0.5', "after = -0.5: must be a number of seconds ≥ 0"),
        ('deadline = 0', "deadline = 0: must be a number of seconds > 0"),
        ('deadline = nan', "deadline = nan: must be a finite number of seconds > 0"),
        ('after = inf', "after = inf: must be a finite number of seconds ≥ 0"),
        ('interval = 1e309', "interval = inf: must be a finite number of seconds > 0"),
        ('ready_timeout = 1e9', "ready_timeout = 1000000000.0: more than a week"),
        ('percentile = nan', "'percentile' must be a finite number > 0 and ≤ 100 (got nan)"),
        ('max_exit_ms = -inf', "max_exit_ms = -inf: must be a finite number of ms > 0"),
        ('cwd = "/nonexistent"', "cwd = \"/nonexistent\": no such directory"),
        ('ending = "KI"', "'ending' must be one of KeyboardInterrupt, exit:N, any (got 'KI')"),
        ('ending = "exit:256"', "'ending' must be one of KeyboardInterrupt, exit:N, any"),
        ('no_orphans = "yes"', "'no_orphans' must be true or false (got 'yes')"),
        ('expect = "(unclosed"', "'expect' is not a valid regex"),
        ('env = { A = 1 }', "'env' must be a table of strings"),
        ('signal = "FOO"', "'signal' is invalid: unknown signal 'FOO'"),
        ('ladder = ["INT", "NOPE"]', "'ladder' is invalid: unknown signal 'NOPE'"),
        ('ladder = []', "'ladder' is empty"),
        ('signal = "INT"\nladder = "INT,KILL"', "set 'signal' or 'ladder', not both"),
        ('fixed = true', "'fixed' applies to a scenario only"),
        ('interpreters = ["3.11"]', "'interpreters' applies to a scenario only"),
        ('command = "a \'b"', "'command' cannot be split into words"),
        ('command = []', "'command' is empty"),
        ('command = [1, 2]', "'command' must be a list of strings or a string"),
        ('scenario = "idle"', "set exactly one of 'command' or 'scenario'"),
    ],
)
def test_bad_values_name_the_key(tmp_path, monkeypatch, lines, expected):
    monkeypatch.chdir(tmp_path)
    body = '[[check]]\nname = "app"\nending = "any"\n'
    if not lines.startswith("command"):
        body += 'command = "python app.py"\n'
    if lines.startswith("ending"):
        body = body.replace('ending = "any"\n', "")
    message = error_of(tmp_path, body + lines + "\n")
    assert message.startswith("sigkit.toml: check 'app': ")
    assert expected in message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('[[check]]\ncommand = "x"\nending = "any"\n', "check #1: missing key 'name'"),
        ('[[check]]\nname = "a"\ncommand = "x"\n', "check 'a': no budget to check"),
        ('[[check]]\nname = "a"\nending = "any"\n',
         "check 'a': set exactly one of 'command' or 'scenario'"),
        ('[[check]]\nname = "a"\ncommand = "x"\nending = "any"\n'
         '[[check]]\nname = "a"\ncommand = "y"\nending = "any"\n', "two checks are named 'a'"),
        ('[[checks]]\nname = "a"\n', "unknown key 'checks' (did you mean 'check'?)"),
        ('trials = 3\n', "unknown key 'trials'"),
        ('[check]\nname = "a"\n', "'check' must be tables: write [[check]]"),
        ('[other]\nx = 1\n', "no checks: add a [[check]] table"),
        ('[[check]\n', "invalid TOML"),
    ],
)
def test_bad_structure_is_one_line(tmp_path, monkeypatch, body, expected):
    monkeypatch.chdir(tmp_path)
    message = error_of(tmp_path, body)
    assert message.startswith("sigkit.toml: ")
    assert expected in message


def test_discovery_prefers_sigkit_toml_then_a_pyproject_with_tool_sigkit(tmp_path):
    with pytest.raises(UsageError, match="no checks configured"):
        config.discover(tmp_path)
    write(tmp_path, '[project]\nname = "x"\n', "pyproject.toml")
    with pytest.raises(UsageError, match="no checks configured"):
        config.discover(tmp_path)
    write(tmp_path, '[[tool.sigkit.check]]\nname = "a"\ncommand = "x"\nending = "any"\n',
          "pyproject.toml")
    assert config.discover(tmp_path) == tmp_path / "pyproject.toml"
    write(tmp_path, '[[check]]\nname = "b"\ncommand = "x"\nending = "any"\n')
    assert config.discover(tmp_path) == tmp_path / "sigkit.toml"


def test_pyproject_without_tool_sigkit_given_explicitly(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for body in ('[project]\nname = "x"\n', "tool = 1\n", "[tool]\nsigkit = 2\n"):
        assert error_of(tmp_path, body, "pyproject.toml") == (
            "pyproject.toml: no [tool.sigkit] section")
