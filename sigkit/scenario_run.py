"""Scenarios through the probe engine, per variant and interpreter, checked against their headers.

The same script behaves differently per Python version (2.7's uninterruptible join, 3.9-3.12's
join bug, 3.13's fix), so the unit of a run is a *cell*: scenario variant × interpreter, holding
the trials, the verdict observed and the verdict the scenario's header promises.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Optional

from sigkit.errors import UsageError
from sigkit.launch import ProbeOptions
from sigkit.scenarios import Scenario
from sigkit.timeline import Trial
from sigkit.trials import judged


@cache
def version_of(python: str) -> tuple[int, int]:
    """Ask the interpreter itself (a path says nothing reliable about the version behind it)."""
    try:
        done = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, timeout=30, check=True,
        )
        major, minor = done.stdout.strip().split(".")
        return int(major), int(minor)
    except (OSError, subprocess.SubprocessError, ValueError):
        raise UsageError(f"cannot run interpreter {python}") from None


@dataclass
class Cell:
    """One scenario variant on one interpreter."""

    scenario: Scenario
    fixed: bool
    python: str
    version: tuple[int, int]
    trials: list[Trial] = field(default_factory=list)
    skipped: Optional[str] = None

    @property
    def variant(self) -> str:
        return "fixed" if self.fixed else "broken"

    @property
    def expected(self) -> Optional[str]:
        return self.scenario.expected(self.variant, self.version)

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
                cell = Cell(scenario, fixed, str(python), version_of(str(python)))
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
