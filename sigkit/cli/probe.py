"""``sigkit probe -- CMD``: press a real Ctrl-C on any command and show what happened."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from sigkit import ladder, stops
from sigkit.diagnose import diagnose
from sigkit.errors import UsageError
from sigkit.launch import ProbeOptions
from sigkit.report import findings, json_report, pictures, plots, text
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
    """Shared by ``probe`` and ``run``: the stop contract (``--stop``, else what ``--signal``
    or the first rung of ``--ladder`` implies) gives the ladder, who gets it and the grace."""
    if ladder_spec and (stop or signal_name):
        raise UsageError("--ladder names every rung: leave out --stop and --signal")
    first = ladder.signal_short_name(signal_name) if signal_name else None
    rungs = ladder.parse_ladder(ladder_spec) if ladder_spec else None
    contract, target, grace = stops.resolve(stop, rungs[0] if rungs else first, to, grace)
    return ProbeOptions(
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


def probe_command(
    command: list[str] = typer.Argument(None, help="The command to run (put it after --)."),
    expect: Optional[str] = typer.Option(
        None, "--expect", metavar="REGEX", help="Press Ctrl-C once the output matches REGEX."
    ),
    after: Optional[float] = typer.Option(
        None, "--after", metavar="SECONDS",
        help="Wait this long before pressing (default 0.5 s; after --expect: 0).",
    ),
    grace: Optional[float] = typer.Option(
        None, "--grace", "--deadline", metavar="SECONDS",
        help="How long the first signal has to end the program before the next rung "
        f"(default: the --stop preset's, else {stops.DEFAULT_GRACE:g} s).",
    ),
    signal_name: Optional[str] = typer.Option(
        None, "--signal",
        help="First signal: INT (a tty Ctrl-C, the default), QUIT, or one sigkit sends like "
        "`kill -SIG PID` (TERM, HUP...), then SIGKILL after the grace.",
    ),
    stop: Optional[str] = typer.Option(
        None, "--stop", metavar="PRESET",
        help="Stop it as a manager does: " + stops.help_text() + ".",
    ),
    to: Optional[str] = typer.Option(
        None, "--to", metavar="main|group",
        help="Who receives a signal sigkit sends itself: the program only (main, as kill and "
        "docker stop do) or its process group (group, as systemd's control group).",
    ),
    pid1: bool = typer.Option(
        False, "--pid1",
        help="Run the program as PID 1 of a new PID namespace, as in a container (the kernel "
        "drops signals PID 1 has no handler for).",
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
        command or [], expect, after, grace, signal_name, ladder_spec, interval,
        inherit_signals, stop, to, pid1,
    )
    if plot is not None:
        plots.check(plot)  # fail before measuring, not after
    results = run_trials(options, trials)
    budget_us = None if budget_ms is None else budget_ms * 1000
    emit(results, json_file, picture=picture, plot=plot, budget_us=budget_us)


def emit(
    results: list[Trial],
    json_file: Optional[Path],
    extra: Optional[dict[str, object]] = None,
    picture: bool = False,
    plot: Optional[Path] = None,
    budget_us: Optional[float] = None,
) -> None:
    """Human report on stdout (unless JSON goes to stdout), JSON and picture files when asked."""
    if plot is not None:
        plots.save_probe(results, plot)
    if json_file is not None:
        document = json_report.dumps(json_report.run_to_dict(results, extra, budget_us))
        if str(json_file) == "-":
            print(document)
            return
        json_file.write_text(document + "\n")
    console = Console()
    if len(results) == 1:
        text.render_trial(console, results[0])
        findings.render_findings(console, diagnose(results[0], budget_us))
    else:
        text.render_summary(console, results)
        render_findings_over_trials(console, results, budget_us)
    if picture:
        console.print()
        pictures.render_probe(console, results)


def render_findings_over_trials(
    console: Console, results: list[Trial], budget_us: Optional[float]
) -> None:
    """The findings of the first trial that has any, and how many trials shared each cause."""
    per_trial = [diagnose(t, budget_us) for t in results]
    counts = Counter(f.cause for found in per_trial for f in found)
    first = next((found for found in per_trial if found), [])
    findings.render_findings(console, first)
    if counts:
        shares = ", ".join(f"{cause} in {n}/{len(results)}" for cause, n in counts.most_common())
        console.print(f"Across the trials: {shares}")
