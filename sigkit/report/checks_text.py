"""The pass/fail table of ``sigkit check``: each budget with the figure measured next to it.

A CI log is read by someone who did not write the check, after it went red: every row says what
was measured, what was allowed, and whether that held; a failed check adds the command that
reproduces it by hand.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from sigkit import stops
from sigkit.checks.budgets import BudgetResult
from sigkit.checks.runner import Case, CaseResult

PASS, FAIL = "✓", "✗"


def mark(passed: bool) -> str:
    return PASS if passed else FAIL


def budget_line(budget: BudgetResult) -> str:
    """``handler p95 0.21 ms ≤ 200 ms ✓`` — the one-line form (JUnit messages use it too)."""
    return f"{budget.label} {budget.measured} {budget.limit} {mark(budget.passed)}"


def case_summary(result: CaseResult) -> str:
    """``3 trials · cpython 3.11.7 · 1.2 s · load average 0.4 on 2 CPUs``."""
    trials = result.trials
    parts = [f"{len(trials)} trial{'s' if len(trials) != 1 else ''}"]
    interpreter = next((t.interpreter for t in trials if t.interpreter), None)
    if interpreter is not None:
        parts.append(f"{interpreter.implementation} {interpreter.version}")
    parts.append(f"{result.seconds:.1f} s")
    if result.load is not None:
        parts.append(result.load.describe())
    return " · ".join(parts)


def reproduce(case: Case) -> str:
    """The ``sigkit probe`` command that replays one trial of ``case`` by hand."""
    options = case.options
    words = ["sigkit", "probe"]
    if options.expect:
        words += ["--expect", options.expect]
    if options.after is not None:
        words += ["--after", f"{options.after:g}"]
    contract = options.contract()
    preset = options.stop is not None and options.stop == stops.get(options.stop.name)
    if preset and options.ladder == contract.ladder():
        words += ["--stop", contract.name]
    else:
        words += ["--ladder", ",".join(options.ladder)]
    words += ["--grace", f"{options.deadline:g}"]
    if contract.to != stops.TTY and options.to != contract.to:
        words += ["--to", options.to]
    if options.pid1:
        words.append("--pid1")
    words += ["--", *options.command]
    return f"cd {shlex.quote(str(options.cwd))} && {shlex.join(words)}"


def _widths(results: Sequence[CaseResult]) -> list[int]:
    budgets = [b for r in results for b in r.budgets]
    return [max((len(getattr(b, name)) for b in budgets), default=0)
            for name in ("label", "measured", "limit")]


def render_case(console: Console, result: CaseResult, widths: Sequence[int] | None = None) -> None:
    """One check: its header, a line per budget, the overload warning and, if it failed, the
    command that reproduces it (``pytest --sigkit-checks`` shows this as the failure text)."""
    widths = widths or _widths([result])
    header = Text(f"{mark(result.passed)} {result.case.label}",
                  style="bold green" if result.passed else "bold red")
    console.print(header.append(f"  {case_summary(result)}", style="dim"), soft_wrap=True)
    for budget in result.budgets:
        cells = (budget.label, budget.measured, budget.limit)
        line = "    " + "  ".join(cell.ljust(width) for cell, width in zip(cells, widths))
        tick = Text(mark(budget.passed), style="green" if budget.passed else "red")
        console.print(Text(line + "  ").append(tick), soft_wrap=True)
    if result.load_warning:
        console.print(Text("    ⚠ " + result.load_warning, style="yellow"), soft_wrap=True)
    if not result.passed:
        console.print(Text("    reproduce: " + reproduce(result.case), style="dim"),
                      soft_wrap=True)


def render(console: Console, config_shown: str, results: Sequence[CaseResult]) -> None:
    """A header line per check, then one aligned line per budget (aligned across all checks).

    Plain padded lines, not a table: a CI log is often 80 columns wide and a wrapped table cell
    splits a figure from its budget.
    """
    console.print(Text("sigkit check: ", style="bold").append(config_shown))
    widths = _widths(results)
    for result in results:
        render_case(console, result, widths)
    failed = sum(1 for r in results if not r.passed)
    trials = sum(len(r.trials) for r in results)
    seconds = sum(r.seconds for r in results)
    verdict = Text(f"{len(results) - failed} passed, {failed} failed",
                   style="bold red" if failed else "bold green")
    console.print(verdict.append(f" · {trials} trials in {seconds:.1f} s", style="default"))
