"""``pytest --sigkit-checks``: a project's checks as test items, run by pytest and pytest-xdist."""

from __future__ import annotations

import ast
import os
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

from programs import write_apps

from sigkit.checks.budgets import BudgetResult
from sigkit.checks.config import Budgets, Check
from sigkit.checks.load import MachineLoad
from sigkit.checks.runner import Case, CaseResult
from sigkit.launch import ProbeOptions
from sigkit.report.json_report import case_to_dict

pytest_plugins = ["pytester"]


def write_config(folder: Path, python: str) -> None:
    write_apps(folder)
    (folder / "sigkit.toml").write_text(textwrap.dedent(f"""
        [[check]]
        name = "good"
        command = ["{python}", "good.py"]
        expect = "ready"
        max_handler_latency_ms = 5000
        ending = "KeyboardInterrupt"

        [[check]]
        name = "stubborn"
        command = ["{python}", "stubborn.py"]
        expect = "ready"
        deadline = 0.5
        interval = 0.5
        ending = "KeyboardInterrupt"

        [[check]]
        name = "polite"
        command = ["{python}", "polite.py"]
        expect = "ready"
        ending = "exit:130"
    """))


def test_checks_run_as_items_spread_over_xdist_workers(pytester, py311) -> None:
    write_config(pytester.path, py311)
    pytester.makepyfile(test_other="def test_ordinary():\n    assert True\n")
    result = pytester.runpytest_subprocess(
        "--sigkit-checks", "-n", "2", "-p", "no:cacheprovider", "-rA", "--junitxml=out.xml")
    assert "created: 2/2 workers" in result.stdout.str()
    result.assert_outcomes(passed=3, failed=1, warnings=None)
    for line in ("PASSED sigkit.toml::good", "PASSED sigkit.toml::polite",
                 "PASSED test_other.py::test_ordinary", "FAILED sigkit.toml::stubborn"):
        result.stdout.fnmatch_lines([f"*{line}*"])
    # The failure text is the budget report, with the command that reproduces it.
    result.stdout.fnmatch_lines([
        "*sigkit check stubborn*",
        "*✗ stubborn  1 trial*",
        "*ending*presses=2*= KeyboardInterrupt*✗*",
        "*reproduce: cd * && sigkit probe --expect ready*stubborn.py",
    ])
    cases = {case.get("name"): case for case in ET.parse(pytester.path / "out.xml").iter("testcase")}
    assert set(cases) == {"good", "stubborn", "polite", "test_ordinary"}
    failure = cases["stubborn"].find("failure")
    assert failure is not None and "ending  presses=2" in (failure.text or "")
    # Every check records the machine's load, and warns when it judged a latency budget on an
    # overloaded machine (the load is whatever it was: the warning must follow it either way).
    recorded = {}
    for name, case in cases.items():
        for prop in case.iter("property"):
            if prop.get("name") == "machine_load":
                recorded[name] = ast.literal_eval(prop.get("value") or "")
    assert set(recorded) == {"good", "stubborn", "polite"}
    cpus = len(os.sched_getaffinity(0))
    assert all(load["cpus"] == cpus for load in recorded.values())
    overloaded = max(recorded["good"]["load_before"], recorded["good"]["load_after"]) > cpus
    warned = "good: latency budget judged on an overloaded machine" in result.stdout.str()
    assert warned == overloaded
    # Only "good" has a latency budget: the others never warn.
    assert "polite: latency budget" not in result.stdout.str()


def test_selection_and_last_failed_work_on_checks(pytester, py311) -> None:
    write_config(pytester.path, py311)
    pytester.makepyfile(test_other="def test_ordinary():\n    assert True\n")
    only_checks = pytester.runpytest("--sigkit-checks", "-m", "sigkit_check", "-k", "not good")
    only_checks.assert_outcomes(passed=1, failed=1)
    again = pytester.runpytest("--sigkit-checks", "--lf")
    again.assert_outcomes(failed=1)
    again.stdout.fnmatch_lines(["*FAILED sigkit.toml::stubborn*"])
    plain = pytester.runpytest()
    plain.assert_outcomes(passed=1)


def test_a_bad_config_is_one_line_before_anything_runs(pytester) -> None:
    (pytester.path / "sigkit.toml").write_text('[[check]]\nname = "x"\ncommand = "true"\n'
                                               'max_latency = 3\n')
    result = pytester.runpytest_subprocess("--sigkit-checks")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["ERROR: --sigkit-checks: sigkit.toml*unknown key*max_latency*"])


def result_with(load: MachineLoad, latency: bool) -> CaseResult:
    check = Check(name="app", command=("true",), scenario=None, budgets=Budgets(), cwd=Path("."))
    budget = BudgetResult("max_exit_ms", "exit p95", "3 ms", "≤ 5 ms", True,
                          value_ms=3.0, limit_ms=5.0) if latency else \
        BudgetResult("no_orphans", "orphans", "none", "= none", True)
    return CaseResult(Case(check, "app", None, ProbeOptions(command=["true"])), [], [budget],
                      1.0, load)


def test_load_warning_only_for_latency_judged_on_more_work_than_cpus() -> None:
    busy, quiet = MachineLoad(2, 1.0, 4.5), MachineLoad(2, 1.0, 1.5)
    warning = result_with(busy, latency=True).load_warning
    assert warning is not None and "load average 4.5 on 2 CPUs" in warning
    assert result_with(quiet, latency=True).load_warning is None
    assert result_with(busy, latency=False).load_warning is None
    assert case_to_dict(result_with(busy, latency=True))["machine"] == {
        "cpus": 2, "load_before": 1.0, "load_after": 4.5}
