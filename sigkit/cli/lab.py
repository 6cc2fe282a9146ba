"""``sigkit lab``: the experiments behind the facts (GIL, switch interval, I/O convoy, ticks)."""

from __future__ import annotations

import functools
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Optional, TypeVar

import typer
from rich.console import Console, RenderableType
from rich.text import Text

from sigkit import interpreters, validate
from sigkit.cli import outputs
from sigkit.errors import UsageError
from sigkit.lab import (
    check_interval,
    convoy,
    gil,
    machine,
    pending_signal,
    switch_interval,
    verdict,
)
from sigkit.report import lab_tables, lab_ticks, plots
from sigkit.report.progress import progress_bar

T = TypeVar("T")

lab = typer.Typer(
    name="lab",
    help="Teaching experiments: the GIL count, Ctrl-C latency vs switch interval, the I/O convoy, "
    "Python 2's ticks and pending signals.",
    no_args_is_help=True,
)

_PLOT_HELP = "Also draw the result into FILE: .svg, .png or .pdf (needs matplotlib)."


def _repeat_option() -> int:
    return typer.Option(
        verdict.FEWEST_RUNS, "--repeat", metavar="N",
        help=f"Runs at least; a verdict needs {verdict.FEWEST_RUNS} (below, the figures are "
        "shown without one).",
    )


def _max_repeat_option() -> int:
    return typer.Option(
        verdict.MOST_RUNS, "--max-repeat", metavar="N",
        help="Runs at most: more are made while the runs disagree; then the verdict says the "
        "machine was too busy to tell.",
    )


def register(app: typer.Typer) -> None:
    app.add_typer(lab, name="lab")


def _list(option: str, text: str, convert: Callable[[str], T]) -> list[T]:
    """``"0,1,2"`` → ``[0, 1, 2]``; anything unreadable is a usage error naming the option."""
    try:
        values = [convert(part.strip()) for part in text.split(",") if part.strip()]
    except ValueError:
        raise UsageError(f"{option}: {text!r} is not a comma-separated list") from None
    if not values:
        raise UsageError(f"{option}: the list is empty")
    if any(isinstance(v, float) and not math.isfinite(v) for v in values):
        raise UsageError(f"{option}: {text!r}: every value must be a finite number")
    return values


def _pythons(spec: Optional[str]) -> list[str]:
    """``--python 2.7,3.11`` → real interpreter binaries; default: the one running sigkit."""
    if spec is None:
        return [sys.executable]
    return [str(interpreters.resolve(name)) for name in _list("--python", spec, str)]


def _show(console: Console, title: str, warning: str | None, *parts: RenderableType) -> None:
    console.print(Text(title, style="bold"))
    if warning:
        console.print(Text(f"warning: {warning}", style="yellow"))
    for part in parts:
        console.print()
        console.print(part)


def _prose(text: str) -> Text:
    """A paragraph re-wrapped to the terminal's width (the source wraps at 100 columns)."""
    return Text(" ".join(text.split()), style="dim")


def _watched(run: Callable[[], T]) -> tuple[T, str | None]:
    """Run an experiment between two looks at the machine: other programs' load skews it."""
    before = machine.busy_cpus()
    result = run()
    return result, machine.busy_warning(before, machine.busy_cpus())


def _check_plot(plot: Optional[Path]) -> None:
    if plot is not None:
        plots.check(plot)
        outputs.check_writable(plot, "--plot")


def _save_plot(plot: Optional[Path], draw: Callable[[Path], None]) -> None:
    """Draw the picture last; a failed write costs the picture, never the report above it."""
    if plot is not None and not outputs.save(plot, "--plot", draw):
        raise typer.Exit(2)


@lab.command("gil")
def gil_command(
    python: Optional[str] = typer.Option(
        None, "--python", metavar="LIST",
        help="Interpreters, e.g. 2.7,3.11,3.13 (default: this one).",
    ),
    n: int = typer.Option(gil.DEFAULT_N, "--n", metavar="N", help="Count down from N (twice per mode)."),
    repeat: int = _repeat_option(),
    max_repeat: int = _max_repeat_option(),
    plot: Optional[Path] = typer.Option(None, "--plot", metavar="FILE", help=_PLOT_HELP),
) -> None:
    """Count down N twice: sequentially, in two threads, in two processes (Beazley's GIL test)."""
    if n < 1 or repeat < 1:
        raise UsageError("--n and --repeat must be at least 1")
    _check_plot(plot)
    pythons = _pythons(python)
    console = Console()
    results, warning = _watched(lambda: gil.run(
        pythons, n=n, repeat=repeat, max_repeat=max_repeat, progress=progress_bar))
    _show(
        console,
        f"The GIL: count down {n:,} twice, three ways (wall time, median of "
        f"{len(results[0].rounds)} runs)",
        warning,
        lab_tables.gil_table(results),
        lab_tables.gil_chart(results, console.width),
        Text("\n".join(r.verdict() for r in results)),
        _prose(gil.EXPLANATION),
    )
    _save_plot(plot, functools.partial(plots.save_gil, results))


@lab.command("switch-interval")
def switch_interval_command(
    python: Optional[str] = typer.Option(
        None, "--python", metavar="VERSION", help="The interpreter (3.x; default: this one)."
    ),
    intervals: str = typer.Option(
        ",".join(map(str, switch_interval.INTERVALS)), "--intervals", metavar="LIST",
        help="sys.setswitchinterval values to try, in seconds.",
    ),
    threads: str = typer.Option(
        ",".join(map(str, switch_interval.THREADS)), "--threads", metavar="LIST",
        help="Numbers of busy pure-Python threads (0: the idle baseline).",
    ),
    trials: int = typer.Option(5, "--trials", "-n", metavar="N", help="Ctrl-C presses per cell."),
    plot: Optional[Path] = typer.Option(None, "--plot", metavar="FILE", help=_PLOT_HELP),
) -> None:
    """Ctrl-C → Python handler latency for each switch interval and number of busy threads."""
    chosen = _pythons(python)
    if len(chosen) != 1:
        raise UsageError("--python: one interpreter at a time for this sweep")
    _check_plot(plot)
    sweep = (_list("--intervals", intervals, float), _list("--threads", threads, int))
    console = Console()
    cells, warning = _watched(lambda: switch_interval.run(chosen[0], *sweep, trials, progress_bar))
    _show(
        console,
        f"Ctrl-C → Python handler, p50 / p95 over {trials} presses (Python {cells[0].version})",
        warning,
        lab_tables.switch_table(cells),
        lab_tables.switch_chart(cells, console.width),
        _prose(switch_interval.EXPLANATION),
    )
    _save_plot(plot, functools.partial(plots.save_switch_interval, cells))


@lab.command("convoy")
def convoy_command(
    python: Optional[str] = typer.Option(
        None, "--python", metavar="LIST", help="Interpreters, e.g. 2.7,3.11 (default: this one)."
    ),
    threads: str = typer.Option(
        ",".join(map(str, convoy.THREADS)), "--threads", metavar="LIST",
        help="Numbers of CPU-bound threads beside the echo thread.",
    ),
    pings: int = typer.Option(convoy.PINGS, "--pings", metavar="N", help="Round trips per cell."),
    interval: Optional[float] = typer.Option(
        None, "--switch-interval", metavar="SECONDS", help="sys.setswitchinterval in the program."
    ),
    plot: Optional[Path] = typer.Option(None, "--plot", metavar="FILE", help=_PLOT_HELP),
) -> None:
    """Response time of an I/O-bound thread (an echo) while CPU-bound threads run."""
    if interval is not None:
        validate.seconds(interval, "switch_interval", validate.COMMAND_LINE)
    _check_plot(plot)
    pythons, counts = _pythons(python), _list("--threads", threads, int)
    console = Console()
    cells, warning = _watched(lambda: convoy.run(pythons, counts, pings, interval, progress_bar))
    _show(
        console,
        f"The convoy: echo round trip, p50 / p95 over {pings} pings",
        warning,
        lab_tables.convoy_table(cells),
        lab_tables.convoy_chart(cells, console.width),
        _prose(convoy.EXPLANATION),
    )
    _save_plot(plot, functools.partial(plots.save_convoy, cells))


@lab.command("pending-signal")
def pending_signal_command(
    python: Optional[str] = typer.Option(
        None, "--python", metavar="LIST", help="Interpreters, e.g. 2.7,3.11 (default: this one)."
    ),
    repeat: int = _repeat_option(),
    max_repeat: int = _max_repeat_option(),
    plot: Optional[Path] = typer.Option(None, "--plot", metavar="FILE", help=_PLOT_HELP),
    json_file: Optional[Path] = typer.Option(
        None, "--json", metavar="FILE",
        help="Also write each interpreter's pace before and after the Ctrl-C as JSON; - for "
        "stdout (then nothing else is printed there).",
    ),
) -> None:
    """A worker counts while main waits in join(); Ctrl-C mid-run: does the worker slow down?"""
    _check_plot(plot)
    outputs.check_writable(json_file, "--json")
    pythons = _pythons(python)
    results, warning = _watched(lambda: pending_signal.run(
        pythons, repeat=repeat, max_repeat=max_repeat, progress=progress_bar))
    if json_file is not None:
        document = json.dumps({
            "schema": "sigkit.lab.pending-signal/1",
            "warning": warning,
            "interpreters": [result.to_dict() for result in results],
        }, indent=2)
        outputs.write_text(json_file, "--json", document)
    if not outputs.to_stdout(json_file):
        console = Console()
        before, after = pending_signal.BEFORE, pending_signal.AFTER
        _show(
            console,
            f"A pending Ctrl-C: a worker counts for {before + after:g} s while main waits in "
            f"join(); Ctrl-C at {before:g} s (median of {len(results[0].runs)} runs)",
            warning,
            lab_ticks.pending_table(results),
            lab_ticks.pending_chart(results, console.width),
            Text("\n".join(result.saying() for result in results)),
            _prose(pending_signal.EXPLANATION),
        )
    _save_plot(plot, functools.partial(plots.save_pending_signal, results))


@lab.command("check-interval")
def check_interval_command(
    python: str = typer.Option(
        "2.7", "--python", metavar="LIST",
        help="Interpreters: each Python 2 at every check interval, each Python 3 at its "
        "switch interval, e.g. 2.7,3.11.",
    ),
    intervals: str = typer.Option(
        ",".join(map(str, check_interval.INTERVALS)), "--intervals", metavar="LIST",
        help="sys.setcheckinterval values to try, in ticks (Python 2).",
    ),
    trials: int = typer.Option(10, "--trials", "-n", metavar="N", help="Ctrl-C presses per row."),
    repeat: int = typer.Option(
        3, "--repeat", metavar="N", help="Switching runs per row (the median is shown)."
    ),
    plot: Optional[Path] = typer.Option(None, "--plot", metavar="FILE", help=_PLOT_HELP),
) -> None:
    """Python 2's check interval (ticks) beside Python 3's switch interval (time): GIL hand-overs
    and Ctrl-C latency."""
    _check_plot(plot)
    pythons, ticks = _pythons(python), _list("--intervals", intervals, int)
    console = Console()
    rows, warning = _watched(lambda: check_interval.run(
        pythons, ticks, trials=trials, repeat=repeat, progress=progress_bar))
    _show(
        console,
        f"Ticks vs time: GIL hand-overs between two counting threads (median of {repeat} runs), "
        f"and Ctrl-C beside one busy thread ({trials} presses)",
        warning,
        lab_ticks.check_table(rows),
        lab_ticks.check_chart(rows, console.width),
        _prose(check_interval.EXPLANATION),
    )
    _save_plot(plot, functools.partial(plots.save_check_interval, rows))
