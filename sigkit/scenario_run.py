"""Scenarios through the probe engine, per variant and interpreter, checked against their headers.

The same script behaves differently per Python version (2.7's uninterruptible join, 3.9-3.12's
join bug, 3.13's fix), so the unit of a run is a *cell*: scenario variant × interpreter, holding
the trials, the verdict observed and the verdict the scenario's header promises.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional

from sigkit.interpreters import Identity, identify
from sigkit.launch import ProbeOptions
from sigkit.scenarios import Scenario
from sigkit.timeline import Trial
from sigkit.trials import judged


@dataclass
class Cell:
    """One scenario variant on one interpreter."""

    scenario: Scenario
    fixed: bool
    python: str
    identity: Identity
    trials: list[Trial] = field(default_factory=list)
    skipped: Optional[str] = None

    @property
    def version(self) -> tuple[int, int]:
        return self.identity.version

    @property
    def label(self) -> str:
        """``3.11`` or ``pypy3.9``: the interpreter as the matrix and the headers name it."""
        return self.identity.label

    @property
    def variant(self) -> str:
        return "fixed" if self.fixed else "broken"

    @property
    def expected(self) -> Optional[str]:
        return self.scenario.expected(self.variant, self.version, self.identity.implementation)

    @property
    def observed(self) -> Optional[str]:
        """The most common verdict over the trials."""
        if not self.trials:
            return None
        return Counter(t.verdict for t in self.trials).most_common(1)[0][0]

    @property
    def matches(self) -> Optional[bool]:
        if self.expected is None or self.observed is None:
            return None
        return self.observed in self.expected.split("|")


def scenario_options(
    scenario: Scenario,
    python: str,
    fixed: bool,
    extra_args: Sequence[str],
    base: ProbeOptions,
    ladder: Optional[tuple[str, ...]] = None,
) -> ProbeOptions:
    """Probe options for a scenario: its ready line, settle delay and ladder, unless the user
    gave their own (``base.expect``, ``base.after``, ``ladder``)."""
    return replace(
        base,
        command=scenario.command(python, fixed=fixed, extra_args=extra_args),
        expect=base.expect or scenario.ready,
        after=base.after if base.after is not None else scenario.settle,
        ladder=ladder or scenario.ladder or base.ladder,
        tree_settle=0.0,  # a scenario prints its ready line once its whole tree is up
    )


def run_cells(
    scenarios: Sequence[Scenario],
    variants: Sequence[bool],
    pythons: Sequence[Path],
    trials: int,
    base: ProbeOptions,
    extra_args: Sequence[str] = (),
    on_trial: Callable[[str], None] = lambda label: None,
    ladder: Optional[tuple[str, ...]] = None,
) -> list[Cell]:
    """Every scenario × variant × interpreter, ``trials`` probes each (sequential, never parallel)."""
    cells = []
    for scenario in scenarios:
        for fixed in variants:
            for python in pythons:
                cell = Cell(scenario, fixed, str(python), identify(str(python)))
                cells.append(cell)
                if not scenario.supports(cell.version):
                    cell.skipped = "needs " + ".".join(map(str, scenario.min_python or ()))
                    for _ in range(trials):
                        on_trial(scenario.name)
                    continue
                options = scenario_options(scenario, str(python), fixed, extra_args, base, ladder)
                for _ in range(trials):
                    cell.trials.append(judged(options))
                    on_trial(scenario.name)
    return cells
