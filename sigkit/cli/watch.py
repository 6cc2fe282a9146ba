"""``sigkit watch -- CMD``: run a program in your own terminal; diagnose the Ctrl-C you press."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from sigkit import settings
from sigkit.cli import outputs
from sigkit.cli.options import output_file
from sigkit.diagnose import diagnose
from sigkit.errors import UsageError
from sigkit.findings import Finding
from sigkit.report import json_report, watch_text
from sigkit.stacks import ProcessStacks
from sigkit.timeline import Trial
from sigkit.watch import WatchOptions, exit_status, watch


def register(app: typer.Typer) -> None:
    app.command(
        "watch",
        context_settings={"allow_interspersed_args": False},
        help="Run CMD in your terminal as if sigkit were not there. When you press Ctrl-C "
        "(or Ctrl-\\), sigkit times it; if CMD is still running after --deadline, it shows every "
        "thread's stack in every process, the cause and the fix. Exits with CMD's status.",
    )(watch_command)


def watch_command(
    command: list[str] = typer.Argument(
        None, metavar="-- CMD [ARGS]...", help="The command to run (put it after --).",
        show_default=False,
    ),
    deadline: float = typer.Option(
        settings.DEADLINE.default, "--deadline", metavar=settings.DEADLINE.metavar,
        help="Seconds a press has to end the program before sigkit shows why it did not.",
    ),
    json_file: Optional[Path] = output_file(
        "--json", help="Write the timeline and findings to FILE as JSON (schema sigkit.probe/1)."
    ),
) -> None:
    if deadline <= 0:
        raise UsageError("--deadline must be more than 0 seconds")
    if outputs.to_stdout(json_file):
        raise UsageError("--json needs a file name: stdout is the program's screen")
    outputs.check_writable(json_file, "--json")  # before, not after
    console = Console(stderr=True)
    stuck: list[Finding] = []

    def on_stuck(trial: Trial, processes: list[ProcessStacks]) -> None:
        trial.findings = diagnose(trial)
        stuck.extend(trial.findings)
        watch_text.render_stuck(console, trial, processes, deadline)

    watched = watch(WatchOptions(command or [], deadline), on_stuck)
    trial = watched.trial
    shown = [f.cause for f in stuck]
    # What the stuck report said stays part of the record: a program that went on after it
    # (a REPL back at its prompt) may end later in a way that no longer shows the deadline.
    trial.findings = stuck + [f for f in diagnose(trial) if f.cause not in shown]
    status = exit_status(trial)
    watch_text.render_end(console, trial, status, shown)
    if json_file is not None:
        extra = {"process_stacks": [p.to_dict() for p in watched.process_stacks]}
        outputs.write_text(json_file, "--json", json_report.dumps(json_report.run_to_dict([trial], extra)))
    sys.exit(status)


