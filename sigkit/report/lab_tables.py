"""The lab's results as tables and terminal charts (rich renderables; no measuring here)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.table import Table
from rich.text import Text

from sigkit.lab import convoy, gil, switch_interval
from sigkit.report.pictures import BarRow, bar_chart
from sigkit.stats import Summary
from sigkit.units import fmt


def lab_table(*columns: str) -> Table:
    table = Table(box=None, header_style="bold", pad_edge=False)
    for index, name in enumerate(columns):
        table.add_column(name, justify="left" if index == 0 else "right")
    return table


def _seconds(value: float) -> str:
    return fmt(value * 1e6, "s")


def gil_table(results: Sequence[gil.GilResult]) -> Table:
    """Wall seconds per mode, ratios to sequential, and CPU seconds of the threaded run."""
    table = lab_table("python", *gil.MODES, "thr/seq", "proc/seq", "CPU thr")
    for result in results:
        runs = result.runs
        table.add_row(
            result.python + ("" if result.gil else " (no GIL)"),
            *(_seconds(runs[mode].wall) for mode in gil.MODES),
            f"{result.ratio('threads'):.2f}x",
            f"{result.ratio('processes'):.2f}x",
            _seconds(runs["threads"].cpu),
        )
    seed = gil.SEED_SECONDS
    table.add_row(
        Text("seed (2.7)", style="dim"),
        *(Text(_seconds(seed[mode]), style="dim") for mode in gil.MODES),
        Text(f"{seed['threads'] / seed['sequential']:.2f}x", style="dim"),
        Text(f"{seed['processes'] / seed['sequential']:.2f}x", style="dim"),
        "",
    )
    return table


def gil_chart(results: Sequence[gil.GilResult], width: int) -> Text:
    rows = [
        BarRow(f"{result.python} {mode}", result.runs[mode].wall, _seconds(result.runs[mode].wall))
        for result in results
        for mode in gil.MODES
    ]
    return bar_chart(rows, width)


def p50_p95(summary: Summary | None) -> str:
    return "—" if summary is None else f"{fmt(summary.p50)} / {fmt(summary.p95)}"


def switch_table(cells: Sequence[switch_interval.Cell]) -> Table:
    """One row per switch interval, one column per busy-thread count: handler p50 / p95."""
    counts = sorted({cell.threads for cell in cells})
    table = lab_table("switch interval", *(f"{n} busy" if n else "idle" for n in counts))
    for interval in sorted({cell.switch_interval for cell in cells}):
        row = {c.threads: c for c in cells if c.switch_interval == interval}
        table.add_row(fmt(interval * 1e6), *(p50_p95(row[n].summary) for n in counts))
    return table


def p50_p95_chart(labelled: Iterable[tuple[str, Summary | None]], width: int) -> Text:
    """p50 bars (p95 dashed) on a log scale, one per label whose summary exists."""
    rows = [
        BarRow(label, s.p50, f"p50 {fmt(s.p50)}  p95 {fmt(s.p95)}", high=s.p95)
        for label, s in labelled
        if s is not None
    ]
    return bar_chart(rows, width, log=True)


def switch_chart(cells: Sequence[switch_interval.Cell], width: int) -> Text:
    return p50_p95_chart(((cell.label, cell.summary) for cell in cells), width)


def convoy_table(cells: Sequence[convoy.Cell]) -> Table:
    """One row per interpreter, one column per CPU-thread count: round trip p50 / p95."""
    counts = sorted({cell.threads for cell in cells})
    table = lab_table("python", *(f"{n} CPU threads" for n in counts))
    for python in dict.fromkeys(cell.python for cell in cells):
        row = {c.threads: c for c in cells if c.python == python}
        table.add_row(row[counts[0]].version, *(p50_p95(row[n].summary) for n in counts))
    return table


def convoy_chart(cells: Sequence[convoy.Cell], width: int) -> Text:
    return p50_p95_chart(
        ((f"{cell.version} · {cell.threads} CPU", cell.summary) for cell in cells), width)
