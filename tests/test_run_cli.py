"""``sigkit run``: scenarios through the probe from the command line, one cell or a matrix."""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import interpreter, require
from programs import LYING_SCENARIOS

from sigkit.report.json_report import load_schema


def test_one_scenario_shows_timeline_diagnosis_and_header_check(sigkit, py311):
    done = sigkit("run", "threadpool-exit", "--python", py311, "--deadline", "1",
                  "--interval", "0.5")
    assert done.returncode == 0, done.stderr
    assert "presses=3, as its header expects ✓" in done.stdout
    assert "executor-shutdown" in done.stdout  # the diagnosis names the cause
    assert "cancel_futures=True" in done.stdout  # and the fix


def test_matrix_over_two_interpreters_in_json(sigkit, py311):
    other = interpreter("3.13") or require("3.12")
    done = sigkit("run", "idle", "--both", "--python", f"{py311},{other}", "--json", "-")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    cells = document["cells"]
    assert len(cells) == 4
    assert all(c["observed"] == "ki" and c["matches"] for c in cells)
    for cell in cells:
        jsonschema.validate({k: cell[k] for k in ("schema", "sigkit_version", "trials",
                                                  "summary_us")}, load_schema())


def test_scenario_options_after_double_dash(sigkit, py311):
    done = sigkit("run", "busy-workers", "--fixed", "--python", py311, "--json", "-", "--",
                  "--threads", "1")
    assert done.returncode == 0, done.stderr
    trial = json.loads(done.stdout)["trials"][0]
    assert trial["command"][-2:] == ["--threads", "1"]
    assert trial["verdict"] == "ki"


@pytest.mark.parametrize("args, message", [
    (["run", "no-such-scenario"], "unknown scenario"),
    (["run", "idle", "--python", "9.9"], "unknown interpreter"),
    (["run"], "name a scenario"),
])
def test_bad_input_is_one_line_and_exit_2(sigkit, args, message):
    done = sigkit(*args)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_run_that_contradicts_the_header_exits_1(sigkit, py311):
    """header-liar ends on the first Ctrl-C; its header says it needs two presses."""
    done = sigkit("run", "header-liar", "--scenarios-dir", str(LYING_SCENARIOS), "--python", py311)
    assert done.returncode == 1, done.stderr
    assert "observed ki, but its header expects presses=2 ✗" in done.stdout
    fixed = sigkit("run", "header-liar", "--fixed", "--scenarios-dir", str(LYING_SCENARIOS),
                   "--python", py311)
    assert fixed.returncode == 0, fixed.stderr  # the fixed variant's promise holds
