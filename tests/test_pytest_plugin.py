"""The ``sigint_probe`` fixture, used the way a project would: a test file run by pytester."""

from __future__ import annotations

import json
import textwrap

import psutil
from programs import write_apps

pytest_plugins = ["pytester"]

USER_TESTS = '''
import json, os

PY = {python!r}


def test_good_app_ends_by_keyboard_interrupt(sigint_probe):
    r = sigint_probe([PY, "good.py"], expect="ready")
    assert r.ended_by == "KeyboardInterrupt", r.describe()
    assert (r.verdict, r.presses_to_exit) == ("ki", 1)
    assert (r.exit_code, r.exit_signal) == (None, "SIGINT")
    assert 0 < r.handler_ms < 1000 and r.handler_ms <= r.exit_ms
    assert abs(r.latency_us["handler"] - r.handler_ms * 1000) < 1e-6  # the same figure in ms
    assert r.handler_ms == r.latency_ms["handler"]
    assert r.latency_ms["arrival"] <= r.handler_ms
    assert r.orphans == [] and r.lost_threads == []
    assert "ready" in r.output and r.output_class == ["traceback"]
    assert r.trial.pid > 0


def test_stubborn_app_needs_two_presses(sigint_probe):
    r = sigint_probe([PY, "stubborn.py"], expect="ready", deadline=0.5, interval=0.5)
    assert r.presses_to_exit == 2
    assert r.verdict == "presses=2"
    assert "ignoring the first Ctrl-C" in r.output_after_press


def test_leaky_app_child_is_reported_and_killed(sigint_probe):
    r = sigint_probe([PY, "leaky.py"], expect="ready")
    assert r.ended_by == "KeyboardInterrupt"
    assert [o.name for o in r.orphans] == ["python"]
    with open("orphans.json", "w") as out:
        json.dump([r.trial.pid] + [o.pid for o in r.orphans], out)


def test_lost_work_and_a_polite_exit(sigint_probe):
    lossy = sigint_probe([PY, "lossy.py"], expect="ready")
    assert lossy.lost_threads == ["worker"]
    polite = sigint_probe([PY, "polite.py"], expect="ready", cwd=os.getcwd())
    assert (polite.ended_by, polite.exit_code, polite.output_class) == ("exit", 130, ["clean"])


def test_slow_handler_and_term_signal(sigint_probe):
    slow = sigint_probe([PY, "slow.py"], expect="ready", deadline=10)
    assert slow.handler_ms > 100 and slow.verdict == "ki"
    term = sigint_probe([PY, "good.py"], expect="ready", signal="TERM")
    assert (term.ended_by, term.verdict, term.presses_to_exit) == ("SIGTERM", "exit", 1)
    assert term.trial.presses[0].signal == "TERM"


def test_a_failing_assertion_shows_the_timeline(sigint_probe):
    r = sigint_probe([PY, "stubborn.py"], expect="ready", deadline=0.5, interval=0.5)
    assert r.presses_to_exit == 1
'''


def test_fixture_in_a_user_test_file(pytester, py311):
    write_apps(pytester.path)
    pytester.makepyfile(test_user=USER_TESTS.format(python=py311))
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5, failed=1)
    # The probe's timeline is attached to the failing test's report.
    result.stdout.fnmatch_lines([
        "*test_a_failing_assertion_shows_the_timeline*",
        "*Captured sigint_probe call*",
        "*sent Ctrl-C*",
        "Ending: needed 2 presses of Ctrl-C*",
    ])
    # Everything the fixture started is gone: the target and the child it left behind.
    pids = json.loads((pytester.path / "orphans.json").read_text())
    assert len(pids) == 2
    for pid in pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_describe_is_the_probe_report(pytester, py311):
    write_apps(pytester.path)
    pytester.makepyfile(test_user=textwrap.dedent(f'''
        def test_describe(sigint_probe):
            r = sigint_probe([{py311!r}, "good.py"], expect="ready")
            text = r.describe()
            assert text.startswith("sigkit probe: ")
            assert "Ending: ended by KeyboardInterrupt on the first Ctrl-C" in text
    '''))
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
