"""``sigkit probe -- CMD``: press a real Ctrl-C on any command and show what happened."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from sigkit import ladder, settings, stops, validate
from sigkit.cli import outputs
from sigkit.cli.options import option, output_file
from sigkit.errors import UsageError
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
    grace: Optional[float],
    signal_name: Optional[str],
    ladder_spec: Optional[str],
    interval: float,
    inherit_signals: bool,
    stop: Optional[str] = None,
    to: Optional[str] = None,
    pid1: bool = False,
) -> ProbeOptions:
    """The stop contract (``--stop``, else what ``--signal`` or the first rung of ``--ladder``
    implies) gives the ladder, who gets the signals and the grace; ``--to``/``--grace``
    override it."""
    first = signal_name or settings.SIGNAL.default
    if stop is not None and (ladder_spec or ladder.signal_short_name(first) != "INT"):
        raise UsageError("--stop names its own signal: leave out --signal and --ladder")
    rungs = None if stop is not None else ladder.resolve(
        first, None if ladder_spec is None else ladder_spec.split(","))
    contract, target, grace = stops.resolve(stop, rungs[0] if rungs else None, to, grace)
    options = ProbeOptions(
        command=command,
        expect=expect,
        after=after,
        deadline=grace,
        ladder=rungs or contract.ladder(),
        interval=interval,
        inherit_signals=inherit_signals,
        to=target,
        pid1=pid1,
        stop=contract,
    )
    validate.probe_options(options, validate.COMMAND_LINE)
    return options


def probe_command(
    command: list[str] = typer.Argument(
        None, metavar="-- CMD [ARGS]...", help="The command to run (put it after --).",
        show_default=False,
    ),
    expect: Optional[str] = option(settings.EXPECT, "--expect"),
    after: Optional[float] = option(settings.AFTER, "--after"),
    grace: Optional[float] = option(settings.GRACE, "--grace", "--deadline"),
    signal_name: str = option(settings.SIGNAL, "--signal"),
    stop: Optional[str] = option(settings.STOP, "--stop"),
    to: Optional[str] = option(settings.TO, "--to"),
    pid1: bool = typer.Option(settings.PID1.default, "--pid1", help=settings.PID1.help),
    ladder_spec: Optional[str] = option(settings.LADDER, "--ladder"),
    interval: float = option(settings.INTERVAL, "--interval"),
    trials: int = option(settings.TRIALS, "--trials", "-n"),
    json_file: Optional[Path] = output_file(
        "--json", help="Write every trial as JSON (schema sigkit.probe/1); - for stdout."
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
    plot: Optional[Path] = output_file(
        "--plot", help="Save the pictures as SVG/PNG (needs sigkit[plot])."
    ),
) -> None:
    options = options_from_cli(
        command or [], expect, after, grace, signal_name, ladder_spec, interval,
        inherit_signals, stop, to, pid1,
    )
    if budget_ms is not None:
        validate.milliseconds(budget_ms, "budget", validate.COMMAND_LINE)
    outputs.check_writable(json_file, "--json")  # fail before measuring, not after
    if plot is not None:
        plots.check(plot)
        outputs.check_writable(plot, "--plot")
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
    """Human report on stdout (unless JSON goes to stdout), JSON and picture files when asked.

    Exits 2 when a file could not be written after all (what it held went to stdout where it
    could), else 1 when a trial measured nothing (the program died at start-up or never became
    ready): that is a problem to fix before any finding means something.
    """
    written = True
    if plot is not None:
        written = outputs.save(plot, "--plot", functools.partial(plots.save_probe, results))
    to_stdout = outputs.to_stdout(json_file)
    if json_file is not None:
        document = json_report.dumps(json_report.run_to_dict(results, extra))
        written = outputs.write_text(json_file, "--json", document) and written
    failed = next((trial for trial in results if trial.problem is not None), None)
    if not to_stdout:
        render(Console(), results, failed, picture)
    if not written:
        raise typer.Exit(2)
    if failed is not None:
        raise typer.Exit(1)  # a problem, not a finding: nothing was measured


def render(console: Console, results: list[Trial], failed: Optional[Trial], picture: bool) -> None:
    if len(results) == 1:
        text.render_trial(console, results[0])
    else:
        text.render_summary(console, results)
        if failed is not None:
            text.render_problem(console, failed)
    if failed is None and len(results) == 1:
        findings.render_findings(console, results[0].findings)
    elif failed is None:
        findings.render_findings_over_trials(console, results)
    if picture:
        console.print()
        pictures.render_probe(console, results)
