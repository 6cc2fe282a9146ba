"""A probe that fails inside the target says so, and sigkit never reads its silence as the
target's: no "no C-level handler ran" from a probe that could not watch for one."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SigkitCLI, require
from rich.console import Console

from sigkit.diagnose import diagnose
from sigkit.report import text
from sigkit.timeline import PROBE_FAILED, SPAWN, Event, Press, Trial

SET_UP_FAILED = "set-up: AttributeError: 'module' object has no attribute 'SIGHUP'"


def test_a_real_probe_failure_is_reported(sigkit: SigkitCLI, tmp_path: Path) -> None:
    """Nothing patched: with four file descriptors the probe's socket takes the last one and
    its stack-dump file cannot be opened.  The text and the JSON both say so."""
    python = require("3.12")
    report = tmp_path / "probe.json"
    program = "import time; print('ready', flush=True); time.sleep(30)"
    result = sigkit("probe", "--expect", "ready", "--json", str(report), "--",
                    "sh", "-c", f'ulimit -n 4; exec "$0" -c "{program}"', python)
    assert result.returncode == 0, result.stderr
    assert "the probe failed inside the target: stack dump: OSError: [Errno 24]" in result.stdout
    trial = json.loads(report.read_text())["trials"][0]
    assert [f.split(":")[0] for f in trial["probe_failures"]] == ["stack dump"]
    assert [e["kind"] for e in trial["events"]].count(PROBE_FAILED) == 1
    # The stack dump is not on the signal path: the timings are still measured.
    assert trial["presses"][0]["arrival_ns"] is not None


def failed_set_up() -> Trial:
    """A press the program outlived, from a probe whose set-up raised before it wrapped any
    handler or took the wakeup fd (so it never sent its "S")."""
    trial = Trial(command=["python", "app.py"], pid=4242, ready="after 0.5s")
    trial.events = [Event(SPAWN, 0, 4242),
                    Event(PROBE_FAILED, 10, 4242, {"what": SET_UP_FAILED})]
    trial.presses = [Press("INT", 1000)]
    return trial


def test_silence_from_a_failed_probe_is_not_evidence() -> None:
    trial = failed_set_up()
    evidence = [line for finding in diagnose(trial) for line in finding.evidence]
    assert f"the probe failed inside the target: {SET_UP_FAILED}" in evidence
    assert not [line for line in evidence if "no C-level handler ran" in line
                or "no Python handler ran" in line or "no sigkit probe" in line]


def test_the_text_report_names_the_failure() -> None:
    trial = failed_set_up()
    console = Console(width=200, record=True, color_system=None)
    text.render_trial(console, trial)
    shown = console.export_text()
    assert f"the probe failed inside the target: {SET_UP_FAILED}" in shown
    assert "no Python handler ran" not in shown
    assert "not Python, or started with -I/-E" not in shown
