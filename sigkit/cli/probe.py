"""``sigkit probe -- CMD``: press a real Ctrl-C on any command and show what happened."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from sigkit import ladder
from sigkit.launch import ProbeOptions
from sigkit.report import findings, json_report, pictures, plots, text
from sigkit.report.progress import progress_bar
from sigkit.timeline import Trial
from sigkit.trials import run_trials


def register(app: typer.Typer) -> None:
    app.command(
        "probe",
        context_settings={"allow_interspersed_args": False},
        help="Run CMD in a pseudo-terminal, press Ctrl-C, and time sent → C handler → Python "
        "handler → exit. Escalates (Ctrl-C, SIGTERM, SIGKILL) and reaps everything.",
    )(probe_command)


def options_from_cli(
    command: list[str],
    expect: Optional[str],
    after: Optional[float],
    deadline: float,
    signal_name: str,
    ladder_spec: Optional[str],
    interval: float,
    inherit_signals: bool,
) -> ProbeOptions:
    """Shared by ``probe`` and ``run``: the ladder starts with --signal unless --ladder says all."""
    rungs = ladder.resolve(signal_name, None if ladder_spec is None else ladder_spec.split(","))
    return ProbeOptions(
        command=command,
        expect=expect,
        after=after,
        deadline=deadline,
        ladder=rungs,
        interval=interval,
        inherit_signals=inherit_signals,
    )


def probe_command(
    command: list[str] = typer.Argument(None, help="The command to run (put it after --)."),
    expect: Optional[str] = typer.Option(
        None, "--expect", metavar="REGEX", help="Press Ctrl-C once the output matches REGEX."
    ),
    after: Optional[float] = typer.Option(
        None, "--after", metavar="SECONDS",
        help="Wait this long before pressing (default 0.5 s; after --expect: 0).",
    ),
    deadline: float = typer.Option(
        2.0, "--deadline", "--grace", metavar="SECONDS",
        help="How long the first signal has to end the program before sigkit escalates.",
    ),
    signal_name: str = typer.Option(
        "INT", "--signal", help="First signal: INT (a tty Ctrl-C), QUIT, TERM or HUP (to the group)."
    ),
    ladder_spec: Optional[str] = typer.Option(
        None, "--ladder", metavar="LIST", help="The whole ladder, e.g. INT,INT,INT,TERM,KILL."
    ),
    interval: float = typer.Option(1.0, "--interval", help="Seconds to wait after each later rung."),
    trials: int = typer.Option(1, "--trials", "-n", help="Repeat and report percentiles."),
    json_file: Optional[Path] = typer.Option(
        None, "--json", metavar="FILE",
        help="Write every trial as JSON (schema sigkit.probe/1); - for stdout.",
    ),
    inherit_signals: bool = typer.Option(
        False, "--inherit-signals",
        help="Keep ignored signals and the signal mask sigkit was started with (default: reset).",
    ),
    budget_ms: Optional[float] = typer.Option(
        None, "--budget", metavar="MS",
        help="Diagnose a Python handler slower than this (sent → handler, or → exit).",
    ),
    picture: bool = typer.Option(
        False, "--picture", help="Draw the timeline (and histograms over trials) in the terminal."
    ),
    plot: Optional[Path] = typer.Option(
        None, "--plot", metavar="FILE", help="Save the pictures as SVG/PNG (needs sigkit[plot])."
    ),
) -> None:
    options = options_from_cli(
        command or [], expect, after, deadline, signal_name, ladder_spec, interval,
        inherit_signals,
    )
    if plot is not None:
        plots.check(plot)  # fail before measuring, not after
    budget_us = None if budget_ms is None else budget_ms * 1000
    results = run_trials(options, trials, budget_us, progress_bar)
    emit(results, json_file, picture=picture, plot=plot)


def emit(
    results: list[Trial],
    json_file: Optional[Path],
    extra: Optional[dict[str, object]] = None,
    picture: bool = False,
    plot: Optional[Path] = None,
) -> None:
    """Human report on stdout (unless JSON goes to stdout), JSON and picture files when asked."""
    if plot is not None:
        plots.save_probe(results, plot)
    if json_file is not None:
        document = json_report.dumps(json_report.run_to_dict(results, extra))
        if str(json_file) == "-":
            print(document)
            return
        json_file.write_text(document + "\n")
    console = Console()
    if len(results) == 1:
        text.render_trial(console, results[0])
        findings.render_findings(console, results[0].findings)
    else:
        text.render_summary(console, results)
        findings.render_findings_over_trials(console, results)
    if picture:
        console.print()
        pictures.render_probe(console, results)

