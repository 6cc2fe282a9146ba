"""The data path runs one way: these import rules are checked on the source, not remembered.

Producers (launch, diagnose, lab, checks, trials) never import a reporter; reporters never judge
(they read ``trial.findings``, made once by whoever ran the trial); the in-target probe imports
nothing of sigkit (it runs inside Python 2.7 too).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sigkit"
PRODUCERS = ["launch.py", "target.py", "watch.py", "passthrough.py", "live_stop.py", "trials.py",
             "scenario_run.py", "diagnose", "lab", "checks"]


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def files_of(room: str) -> list[Path]:
    target = PACKAGE / room
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


def offending(rooms: list[str], forbidden: str) -> list[str]:
    return [
        f"{path.relative_to(PACKAGE.parent)} imports {module}"
        for room in rooms
        for path in files_of(room)
        for module in sorted(imported_modules(path))
        if module == forbidden or module.startswith(forbidden + ".")
    ]


def test_producers_never_import_reporters():
    assert offending(PRODUCERS, "sigkit.report") == []


def test_reporters_never_run_the_diagnosis():
    assert offending(["report"], "sigkit.diagnose") == []


@pytest.mark.parametrize("room", ["inject"])
def test_the_in_target_probe_imports_nothing_of_sigkit(room):
    assert offending([room], "sigkit") == []


def test_nothing_imports_the_cli():
    rooms = [p.name for p in PACKAGE.iterdir() if p.name not in {"cli", "__main__.py"}]
    assert offending(rooms, "sigkit.cli") == []


def test_could_not_measure_is_raised_only_where_the_target_is_set_up():
    """One place converts low-level set-up failures (pty, socket): elsewhere an OSError is either
    the user's input (UsageError) or a bug to see, not a guess at the machine's fault."""
    raising = sorted(
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Raise) and node.exc is not None
        and "CouldNotMeasure" in ast.dump(node.exc)
    )
    assert set(raising) == {"sigkit/target.py"}
