"""Diagnosis on the scenario library: each broken variant gets its cause, each fixed one none.

The probes are shared with the behaviour tests (the session-wide ``scenario_trial`` fixture), so
every scenario variant runs once per interpreter per session.  The expectations below were
measured on this machine's interpreters, and the last test prints the whole confusion matrix.
"""

from __future__ import annotations

import pytest
from conftest import install_hint, interpreter, require

from sigkit import scenarios
from sigkit.diagnose import diagnose

VERSIONS = {"3.11": interpreter("3.11"), "2.7": interpreter("2.7"), "3.13": interpreter("3.13")}

# (scenario, python) -> (causes for the broken variant, causes for the fixed variant).
EXPECTED: dict[tuple[str, str], tuple[set[str], set[str]]] = {
    ("idle", "3.11"): (set(), set()),
    # 3.9-3.12: the interrupted join() marks the worker finished (python/cpython#90882), so the
    # program exits with the worker still running. The fixed variant waits on an Event the
    # worker sets itself, never on join(), so it keeps its worker on every version.
    ("blocked-join", "3.11"): ({"lost-work"}, set()),
    ("blocked-join", "3.13"): ({"nondaemon-shutdown"}, set()),
    ("blocked-join", "2.7"): ({"uninterruptible-wait"}, set()),
    ("busy-workers", "3.11"): ({"nondaemon-shutdown"}, set()),
    ("busy-workers", "2.7"): ({"uninterruptible-wait"}, set()),
    ("gil-hog", "3.11"): ({"gil-held-by-worker"}, set()),
    ("lock-wait", "3.11"): (set(), set()),
    ("lock-wait", "2.7"): ({"uninterruptible-wait"}, set()),
    ("queue-get", "3.11"): (set(), set()),
    ("queue-get", "2.7"): ({"uninterruptible-wait"}, set()),
    ("main-c-call", "3.11"): ({"main-in-c-call"}, set()),
    ("mp-pool", "3.11"): (set(), set()),
    ("mp-pool", "2.7"): ({"multiprocessing-hang"}, set()),
    ("nondaemon-shutdown", "3.11"): ({"lost-work"}, set()),  # see blocked-join
    ("nondaemon-shutdown", "3.13"): ({"lost-work"}, set()),
    ("nondaemon-shutdown", "2.7"): ({"nondaemon-shutdown"}, set()),
    ("orphan-child", "3.11"): ({"orphans"}, set()),
    ("sigint-ignored", "3.11"): ({"sigint-ignored"}, set()),
    ("signal-in-thread", "3.11"): (set(), set()),
    ("swallowed-interrupt", "3.11"): ({"swallowed-interrupt"}, set()),
    ("threadpool-exit", "3.11"): ({"executor-shutdown"}, set()),
    ("asyncio-blocking", "3.11"): ({"asyncio-blocked-loop"}, set()),
}

CELLS = [
    (name, version, variant) for name, version in EXPECTED for variant in ("broken", "fixed")
]


def expected_causes(name: str, version: str, variant: str) -> set[str]:
    broken, fixed = EXPECTED[(name, version)]
    return broken if variant == "broken" else fixed


def found_causes(scenario_trial, name: str, version: str, variant: str) -> set[str]:
    trial = scenario_trial(name, variant == "fixed", require(version))
    return {finding.cause for finding in diagnose(trial)}


def test_every_scenario_is_in_the_matrix():
    mapped = {name for name, _ in EXPECTED}
    missing = sorted(s.name for s in scenarios.discover() if s.name not in mapped)
    assert not missing, f"add these scenarios to EXPECTED: {missing}"


@pytest.mark.parametrize("name, version, variant", CELLS)
def test_diagnosis_names_the_expected_causes(scenario_trial, name, version, variant):
    found = found_causes(scenario_trial, name, version, variant)
    expected = expected_causes(name, version, variant)
    assert found == expected, f"{name} ({variant}) on {version}: found {sorted(found)}"


def test_confusion_matrix(scenario_trial):
    """Rows: scenario variants; columns: causes (numbered, legend below). ✓ expected and
    found, ✗ expected but missed, + found but not expected. Reuses the trials above; the
    matrix is the failure message (quiet when every cell holds). Cells whose interpreter is
    not installed are left out (their own tests above skip, naming what to install)."""
    cells = [cell for cell in CELLS if VERSIONS[cell[1]] is not None]
    if not cells:
        pytest.skip(install_hint("3.11"))
    rows = [(cell, expected_causes(*cell), found_causes(scenario_trial, *cell)) for cell in cells]
    columns = sorted({c for _, expected, found in rows for c in expected | found})
    short = {cause: str(number) for number, cause in enumerate(columns, start=1)}
    width = max(len(" ".join(cell)) for cell in cells)
    lines = [" " * width + " | " + " ".join(short[c].center(4) for c in columns)]
    for cell, expected, found in rows:
        marks = [
            {(True, True): "✓", (True, False): "✗", (False, True): "+"}.get(
                (cause in expected, cause in found), "·").center(4)
            for cause in columns
        ]
        lines.append(" ".join(cell).ljust(width) + " | " + " ".join(marks))
    lines.append("  ".join(f"{short[c]} {c}" for c in columns))
    matrix = "Diagnosis confusion matrix (scenario variant × cause):\n" + "\n".join(lines)
    assert all(expected == found for _, expected, found in rows), matrix
