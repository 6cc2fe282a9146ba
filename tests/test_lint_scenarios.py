"""Cross-check with the scenario library: the linter flags each broken variant that has a
static signature, and never the fixed one.

Both variants live in one file (``python scenarios/NAME.py [--fixed]``), written as the
functions ``broken()`` and ``fixed()``; so findings are attributed to the top-level function
whose lines contain them, and code outside both (helpers, the ``__main__`` block) must be
clean too.

Scenarios write ``while capped():`` for ``while True:``: the same endless loop with a
one-minute safety cap so a forgotten run stops by itself. The cross-check reads ``capped()``
as ``True``, i.e. as the program the scenario stands for.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from sigkit.lint import lint_source, select

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SAFETY_CAP = "capped"

# Scenario -> codes its broken() must produce. An empty set: no static signature, and why.
EXPECTED: dict[str, set[str]] = {
    "asyncio_blocking": {"SK110"},
    "blocked_join": {"SK106", "SK107"},
    "busy_workers": {"SK106", "SK107"},
    "main_c_call": {"SK111"},
    "mp_pool": {"SK109"},
    "nondaemon_shutdown": {"SK107"},
    "sigint_ignored": {"SK103"},
    "signal_in_thread": {"SK105"},
    "swallowed_interrupt": {"SK102"},
    "threadpool_exit": {"SK108"},
    # How long one C call holds the GIL depends on run-time data (the size of the range).
    "gil_hog": set(),
    # The reference: nothing is broken.
    "idle": set(),
    # lock.acquire() / Queue.get() without a timeout: only Python 2.7 cannot interrupt them.
    "lock_wait": set(),
    "queue_get": set(),
    # start_new_session=True sits in a helper both variants share; the fix (terminate in a
    # finally) is in the caller, so no single function shows broken or fixed.
    "orphan_child": set(),
}


def scenario_files() -> list[Path]:
    return sorted(path for path in SCENARIOS.glob("*.py") if not path.name.startswith("_"))


class _ReadCapAsTrue(ast.NodeTransformer):
    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == SAFETY_CAP and not node.args:
            return ast.copy_location(ast.Constant(True), node)
        return node


def codes_by_function(path: Path) -> dict[str, set[str]]:
    """Codes found in the scenario, keyed by the top-level function they sit in."""
    tree = _ReadCapAsTrue().visit(ast.parse(path.read_text(encoding="utf-8")))
    source = ast.unparse(tree)
    spans = [(node.name, node.lineno, node.end_lineno or node.lineno)
             for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]
    found: dict[str, set[str]] = defaultdict(set)
    for finding in lint_source(source, path.name, select().rules):
        owner = next((name for name, first, last in spans if first <= finding.line <= last),
                     "<module>")
        found[owner].add(finding.code)
    return found


def test_the_library_is_there() -> None:
    assert len(scenario_files()) >= 8


def test_every_scenario_has_an_entry_and_every_entry_a_scenario() -> None:
    present = {path.stem for path in scenario_files()}
    assert sorted(present - set(EXPECTED)) == [], "add these scenarios to EXPECTED"
    assert sorted(set(EXPECTED) - present) == [], "these scenarios are gone from scenarios/"


@pytest.mark.parametrize("path", scenario_files(), ids=lambda path: path.stem)
def test_broken_is_flagged_and_fixed_is_not(path: Path) -> None:
    found = codes_by_function(path)
    assert found.get("broken", set()) == EXPECTED.get(path.stem, set())
    assert found.get("fixed", set()) == set()
    assert {owner: codes for owner, codes in found.items()
            if owner not in ("broken", "fixed")} == {}


def test_scenarios_define_broken_and_fixed() -> None:
    for path in scenario_files():
        names = {node.name for node in ast.parse(path.read_text(encoding="utf-8")).body
                 if isinstance(node, ast.FunctionDef)}
        assert {"broken", "fixed"} <= names, path.name
