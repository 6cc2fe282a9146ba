"""``sigkit check`` end to end: a sample project in tmp_path, the real CLI, real exit codes."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import require
from programs import path, write_apps

# good passes every budget; stubborn needs 2 presses; leaky leaves a child and a traceback.
MIXED = """
[[check]]
name = "good"
command = ["{python}", "good.py"]
expect = "ready"
trials = 3
max_handler_latency_ms = 500
max_exit_ms = 1500
ending = "KeyboardInterrupt"
no_orphans = true

[[check]]
name = "stubborn"
command = "{python} stubborn.py"
expect = "ready"
deadline = 0.5
interval = 0.5
max_handler_latency_ms = 500
ending = "KeyboardInterrupt"

[[check]]
name = "leaky"
command = ["{python}", "leaky.py"]
expect = "ready"
deadline = 0.5
ending = "any"
no_orphans = true
no_traceback = true
"""


def write_config(path: Path, python: str, checks: str, pyproject: bool = True) -> Path:
    """A pyproject.toml (``[[tool.sigkit.check]]``) or sigkit.toml (``[[check]]``) with ``checks``,
    in which ``{python}`` is the interpreter and ``[[check]]`` headers are written short."""
    body = textwrap.dedent(checks).replace("{python}", python)
    if pyproject:
        body = '[project]\nname = "sample"\n\n' + body.replace("[[check]]", "[[tool.sigkit.check]]")
    path.write_text(body)
    return path


@pytest.fixture
def project(tmp_path: Path, py311: str) -> Path:
    write_apps(tmp_path)
    write_config(tmp_path / "pyproject.toml", py311, MIXED)
    return tmp_path


def budget_row(stdout: str, check: str, label: str) -> str:
    """The line of ``label`` under the ``check`` header in the text table."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[1:2] == [check])
    for line in lines[start + 1:]:
        if not line.startswith("    "):
            break
        if line.strip().startswith(label + " "):
            return line.strip()
    raise AssertionError(f"no {label!r} row under {check!r} in:\n{stdout}")


def test_mixed_project_fails_with_figures_junit_and_json(sigkit, project):
    done = sigkit("check", "--junit", "report.xml", "--json", "report.json", cwd=project)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    out = done.stdout
    assert "✓ good" in out and "✗ stubborn" in out and "✗ leaky" in out
    handler = budget_row(out, "good", "handler p95").split()
    assert handler[3:] == ["ms", "≤", "500", "ms", "✓"] and float(handler[2]) < 500
    assert budget_row(out, "stubborn", "ending").split()[1:5] == [
        "presses=2", "=", "KeyboardInterrupt", "✗"]
    assert budget_row(out, "stubborn", "handler p95").endswith("✓")  # fast, just ignored
    assert "(python)" in budget_row(out, "leaky", "orphans")
    assert budget_row(out, "leaky", "traceback").split()[1] == "traceback"
    assert budget_row(out, "leaky", "ending").endswith("✓")
    assert "reproduce: cd " in out and "sigkit probe --expect ready" in out
    assert "1 passed, 2 failed · 5 trials" in out

    root = ET.parse(project / "report.xml").getroot()
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "2", "0")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {"good", "stubborn", "leaky"}
    assert cases["good"].find("failure") is None
    assert "handler p95" in (cases["good"].findtext("system-out") or "")
    stubborn = cases["stubborn"].find("failure")
    assert stubborn is not None
    assert stubborn.get("message") == "ending presses=2 = KeyboardInterrupt ✗"
    assert "reproduce: " in (stubborn.text or "")
    leaky = cases["leaky"].find("failure")
    assert leaky is not None
    assert "orphans 1" in (leaky.get("message") or "") and "traceback" in leaky.get("message", "")
    assert float(cases["good"].get("time") or 0) > 0

    document = json.loads((project / "report.json").read_text())
    assert document["schema"] == "sigkit.check/1" and document["passed"] is False
    by_case = {c["case"]: c for c in document["checks"]}
    assert [by_case[n]["passed"] for n in ("good", "stubborn", "leaky")] == [True, False, False]
    good = by_case["good"]
    handler_budget = next(b for b in good["budgets"] if b["key"] == "max_handler_latency_ms")
    trials = good["run"]["trials"]
    assert len(trials) == 3 and {t["verdict"] for t in trials} == {"ki"}
    handler_ms = sorted(t["latency_us"]["handler"] / 1000 for t in trials)
    assert handler_ms[0] <= handler_budget["value_ms"] <= handler_ms[-1]
    assert handler_budget["limit_ms"] == 500
    assert by_case["stubborn"]["run"]["trials"][0]["presses_to_exit"] == 2


def test_only_runs_the_named_checks(sigkit, project):
    good = sigkit("check", "--only", "good", cwd=project)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "good" in good.stdout and "stubborn" not in good.stdout
    assert "1 passed, 0 failed · 3 trials" in good.stdout
    stubborn = sigkit("check", "--only", "stubborn", cwd=project)
    assert stubborn.returncode == 1
    assert "0 passed, 1 failed" in stubborn.stdout


def test_sigkit_toml_wins_and_json_can_go_to_stdout(sigkit, project, py311):
    write_config(project / "sigkit.toml", py311, """
        [[check]]
        name = "polite"
        command = ["{python}", "polite.py"]
        expect = "ready"
        ending = "exit:130"
        no_traceback = true
    """, pyproject=False)
    done = sigkit("check", "--json", "-", cwd=project)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert [c["case"] for c in document["checks"]] == ["polite"]
    assert document["config"] == "sigkit.toml"
    assert "✓ polite" in done.stderr  # the table moves to stderr


def test_exit_statuses_as_a_shell_sees_them(sigkit, project, py311):
    """``exit:130`` accepts sys.exit(130) and Python's death by SIGINT; ``exit:0`` neither."""
    config = write_config(project / "statuses.toml", py311, """
        [[check]]
        name = "polite-130"
        command = ["{python}", "polite.py"]
        expect = "ready"
        ending = "exit:130"

        [[check]]
        name = "good-130"
        command = ["{python}", "good.py"]
        expect = "ready"
        ending = "exit:130"

        [[check]]
        name = "polite-ki"
        command = ["{python}", "polite.py"]
        expect = "ready"
        ending = "KeyboardInterrupt"

        [[check]]
        name = "good-0"
        command = ["{python}", "good.py"]
        expect = "ready"
        ending = "exit:0"
    """, pyproject=False)
    done = sigkit("check", "--config", str(config), "--json", "statuses.json", cwd=project)
    assert done.returncode == 1
    checks = json.loads((project / "statuses.json").read_text())["checks"]
    passed = {c["case"]: c["passed"] for c in checks}
    assert passed == {"polite-130": True, "good-130": True, "polite-ki": False, "good-0": False}
    measured = {c["case"]: c["budgets"][0]["measured"] for c in checks}
    assert measured["polite-ki"] == "exit:130"
    assert measured["good-0"] == "KeyboardInterrupt (exit:130)"


def test_latency_budget_breached_by_a_long_c_call(sigkit, project, py311):
    """The handler waits for the rest of a ~1 s C call: a 100 ms budget fails, 60 s passes."""
    write_config(project / "sigkit.toml", py311, """
        [[check]]
        name = "slow"
        command = ["{python}", "slow.py"]
        expect = "ready"
        max_handler_latency_ms = 100
        max_exit_ms = 60000
        ending = "KeyboardInterrupt"
    """, pyproject=False)
    done = sigkit("check", "--json", "slow.json", cwd=project)
    assert done.returncode == 1, done.stdout + done.stderr
    budgets = {b["key"]: b for b in json.loads((project / "slow.json").read_text())
               ["checks"][0]["budgets"]}
    assert budgets["max_handler_latency_ms"]["passed"] is False
    assert budgets["max_handler_latency_ms"]["value_ms"] > 100
    assert budgets["max_exit_ms"]["passed"] is True
    assert budgets["ending"]["passed"] is True  # one press, just late: the deadline grew to 60 s


def test_scenario_on_two_interpreters_and_lost_work(sigkit, tmp_path):
    """blocked-join: 3.11 ends at once but kills its worker; 3.13 needs a second Ctrl-C; the
    fixed variant on 3.13 stops its worker and joins it (on 3.9-3.12 the interrupted timed join
    marks the worker finished too, so even the fix loses it there)."""
    require("3.11"), require("3.13")
    write_config(tmp_path / "sigkit.toml", "", """
        [[check]]
        name = "join"
        scenario = "blocked-join"
        interpreters = ["3.11", "3.13"]
        deadline = 0.5
        interval = 0.5
        ending = "KeyboardInterrupt"
        no_lost_work = true

        [[check]]
        name = "join-fixed"
        scenario = "blocked-join"
        fixed = true
        interpreters = ["3.13"]
        deadline = 2
        ending = "KeyboardInterrupt"
        no_lost_work = true
    """, pyproject=False)
    done = sigkit("check", "--json", "join.json", cwd=tmp_path)
    assert done.returncode == 1
    checks = {c["case"]: c for c in json.loads((tmp_path / "join.json").read_text())["checks"]}
    assert list(checks) == ["join[3.11]", "join[3.13]", "join-fixed[3.13]"]
    assert checks["join[3.11]"]["interpreter"] == "3.11"
    assert checks["join[3.11]"]["run"]["trials"][0]["interpreter"]["version"].startswith("3.11.")
    outcome = {name: {b["key"]: b["passed"] for b in c["budgets"]} for name, c in checks.items()}
    assert outcome["join[3.11]"] == {"ending": True, "no_lost_work": False}
    assert outcome["join[3.13]"]["ending"] is False
    assert outcome["join-fixed[3.13]"] == {"ending": True, "no_lost_work": True}
    lost = next(b for b in checks["join[3.11]"]["budgets"] if b["key"] == "no_lost_work")
    assert lost["measured"] == "threads server"

    one = sigkit("check", "--only", "join[3.11]", "--only", "join-fixed", cwd=tmp_path)
    assert one.returncode == 1  # join[3.11] still loses its worker
    assert "join[3.13]" not in one.stdout and "join-fixed[3.13]" in one.stdout


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        ({"pyproject.toml": '[[tool.sigkit.check]]\nname = "app"\ncommand = "python app.py"\n'
                            "max_latency = 200\n"},
         (), "sigkit: error: pyproject.toml: check 'app': unknown key 'max_latency'"),
        ({}, (), "sigkit: error: no checks configured in "),
        ({"pyproject.toml": '[project]\nname = "x"\n'}, (), "sigkit: error: no checks configured"),
        ({}, ("--config", "missing.toml"), "sigkit: error: config file not found: missing.toml"),
        ({"sigkit.toml": '[[check]]\nname = "a"\ncommand = "true"\nending = "any"\n'},
         ("--only", "b"), "sigkit: error: --only: no check named 'b' in sigkit.toml (checks: a)"),
        ({"sigkit.toml": '[[check]]\nname = "a"\ncommand = "./nothere"\nending = "any"\n'},
         (), "sigkit: error: sigkit.toml: check 'a': command not found: "),
        ({"sigkit.toml": '[[check]]\nname = "a"\nscenario = "no-such"\nending = "any"\n'},
         (), "sigkit: error: sigkit.toml: check 'a': unknown scenario 'no-such'"),
        ({"sigkit.toml": '[[check]]\nname = "a"\nscenario = "blocked-join"\nending = "any"\n'
                         'interpreters = ["2.5"]\n'},
         (), "sigkit: error: sigkit.toml: check 'a': unknown interpreter '2.5' (installed: "),
        ({"sigkit.toml": '[[check]]\nname = "a"\ncommand = "true"\nending = "any"\n'},
         ("--junit", "no/such/dir/x.xml"),
         "sigkit: error: --junit no/such/dir/x.xml: no such directory no/such/dir"),
    ],
)
def test_usage_and_config_errors_exit_2_with_one_line(sigkit, tmp_path, files, args, message):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    done = sigkit("check", *args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(message), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stdout == ""
    assert not list(tmp_path.glob("*.xml"))


def test_only_does_not_need_the_other_checks_installed(sigkit, tmp_path, py311):
    """A CI job per interpreter: ``--only`` resolves just the selected checks."""
    require("3.13")
    write_apps(tmp_path)
    write_config(tmp_path / "sigkit.toml", py311, """
        [[check]]
        name = "good"
        command = ["{python}", "good.py"]
        expect = "ready"
        ending = "KeyboardInterrupt"

        [[check]]
        name = "elsewhere"
        command = "./only-on-another-machine"
        ending = "any"

        [[check]]
        name = "join"
        scenario = "blocked-join"
        fixed = true
        interpreters = ["3.13", "2.5"]
        ending = "KeyboardInterrupt"
    """, pyproject=False)
    everything = sigkit("check", cwd=tmp_path)
    assert everything.returncode == 2
    assert "check 'elsewhere': command not found: " in everything.stderr
    selected = sigkit("check", "--only", "good", "--only", "join[3.13]", cwd=tmp_path)
    assert selected.returncode == 0, selected.stdout + selected.stderr
    assert "✓ good" in selected.stdout and "✓ join[3.13]" in selected.stdout
    assert "2 passed, 0 failed" in selected.stdout


def test_a_target_that_never_gets_ready_fails_the_check(sigkit, tmp_path, py311):
    """No Ctrl-C is ever pressed at a program that never said it was ready: the check fails
    on readiness, and the program is still killed and reaped."""
    write_config(tmp_path / "sigkit.toml", py311, f"""
        [[check]]
        name = "sleepy"
        command = ["{{python}}", "{path('never_ready')}"]
        expect = "listening"
        ready_timeout = 1
        ending = "any"
    """, pyproject=False)
    done = sigkit("check", "--json", "out.json", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    check = json.loads((tmp_path / "out.json").read_text())["checks"][0]
    ready = next(b for b in check["budgets"] if b["key"] == "ready")
    assert (ready["passed"], ready["measured"]) == (False, "not-ready")
    trial = check["run"]["trials"][0]
    assert trial["presses"] == [] and trial["problem"] == "not-ready"
    assert trial["exit_signal"] == "SIGKILL"  # sigkit's tear-down, not a press
    assert "✗ sleepy" in done.stdout
