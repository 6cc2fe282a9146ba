"""``sigkit run NAME``: a teaching scenario through the probe, on one or many interpreters."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.text import Text

from sigkit import interpreters, scenarios, settings, validate
from sigkit.cli import outputs
from sigkit.cli.options import option, output_file
from sigkit.cli.probe import emit
from sigkit.errors import UsageError
from sigkit.ladder import resolve
from sigkit.launch import ProbeOptions
from sigkit.report import json_report
from sigkit.report.matrix import legend, matrix_findings, matrix_table
from sigkit.report.progress import progress_bar
from sigkit.scenario_run import Cell, run_cells


def register(app: typer.Typer) -> None:
    app.command(
        "run",
        help="Run a scenario (broken, or --fixed) through the probe; with several interpreters "
        "or --all, print a matrix checked against each scenario's header. Scenario options go "
        "after --, e.g. sigkit run busy-workers -- --threads 4.",
    )(run_command)


def run_command(
    name: Optional[str] = typer.Argument(
        None, metavar="NAME", help="Scenario name (see `sigkit scenarios`).", show_default=False
    ),
    scenario_args: Optional[list[str]] = typer.Argument(
        None, help="Options for the scenario script, after --."
    ),
    fixed: bool = typer.Option(False, "--fixed", help="Run the variant that applies the fix."),
    both: bool = typer.Option(False, "--both", help="Run the broken and the fixed variant."),
    run_all: bool = typer.Option(False, "--all", help="Every scenario, both variants."),
    python: Optional[str] = typer.Option(
        None, "--python", metavar="VERSIONS",
        help="Comma-separated versions (2.7,3.11) or paths; default: the Python running sigkit.",
    ),
    trials: int = option(settings.TRIALS, "--trials", "-n"),
    deadline: float = option(settings.DEADLINE, "--deadline", "--grace"),
    interval: float = option(settings.INTERVAL, "--interval"),
    ladder_spec: Optional[str] = option(settings.LADDER, "--ladder"),
    scenarios_dir: Optional[list[Path]] = typer.Option(
        None, "--scenarios-dir", help="Also load scenarios from this folder."
    ),
    json_file: Optional[Path] = output_file(
        "--json", help="Write every cell and its trials as JSON (schema sigkit.run/1); - for stdout."
    ),
) -> None:
    extra_dirs = list(scenarios_dir or [])
    if run_all:
        chosen = scenarios.discover(extra_dirs)
    elif name:
        chosen = [scenarios.get(name, extra_dirs)]
    else:
        raise UsageError("name a scenario or pass --all (list them with `sigkit scenarios`)")
    if trials < 1:
        raise UsageError("--trials must be at least 1")
    variants = [False, True] if (both or run_all) else [fixed]
    pythons = [interpreters.resolve(p) for p in python.split(",")] if python else [
        Path(sys.executable)
    ]
    base = ProbeOptions(command=[], deadline=deadline, interval=interval)
    validate.probe_options(base, validate.COMMAND_LINE)
    outputs.check_writable(json_file, "--json")
    ladder = None if ladder_spec is None else resolve(rungs=ladder_spec.split(","))
    total = len(chosen) * len(variants) * len(pythons) * trials
    with progress_bar(total, "running") as advance:
        cells = run_cells(
            chosen, variants, pythons, trials, base, scenario_args or [], advance, ladder
        )
    _report(cells, json_file)
    if any(cell.matches is False for cell in cells):
        raise typer.Exit(1)


def _report(cells: list[Cell], json_file: Optional[Path]) -> None:
    """The report; exits 2 when the JSON file could not be written (it went to stdout)."""
    if len(cells) == 1 and not cells[0].skipped:
        cell = cells[0]
        try:
            emit(cell.trials, json_file, {"scenario": _cell_dict(cell)})
        finally:  # emit exits 1 or 2 on a problem: the verdict still belongs under the report
            if not outputs.to_stdout(json_file):
                Console().print(_verdict_line(cell))
        return
    written = True
    if json_file is not None:
        document = {
            "schema": "sigkit.run/1",
            "cells": [
                {**_cell_dict(c), **json_report.run_to_dict(c.trials)} for c in cells
            ],
        }
        written = outputs.write_text(json_file, "--json", json_report.dumps(document))
    if not outputs.to_stdout(json_file):
        console = Console()
        console.print(matrix_table(cells))
        console.print(Text(legend(), style="dim"))
        console.print(matrix_findings(cells))
    if not written:
        raise typer.Exit(2)


def _cell_dict(cell: Cell) -> dict[str, object]:
    return {
        "scenario": cell.scenario.name, "variant": cell.variant, "python": cell.python,
        "version": ".".join(map(str, cell.version)), "implementation": cell.identity.implementation,
        "interpreter": cell.label, "expected": cell.expected,
        "observed": cell.observed, "matches": cell.matches, "skipped": cell.skipped,
    }


def _verdict_line(cell: Cell) -> Text:
    line = Text(f"Scenario {cell.scenario.name} ({cell.variant}) on {cell.label}: ", style="bold")
    line.append(f"observed {cell.observed}")
    if cell.expected is None:
        line.append(" (the header promises nothing for this version)", style="dim")
    elif cell.matches:
        line.append(", as its header expects ✓", style="green")
    else:
        line.append(f", but its header expects {cell.expected} ✗", style="red")
    return line
