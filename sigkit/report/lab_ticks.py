"""Python 2's ticks in tables and terminal charts: the pending-signal and check-interval labs.

Reads the lab's result objects; measures and judges nothing (the verdicts come with the results).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from sigkit.lab import check_interval, pending_signal
from sigkit.report.lab_tables import lab_table, p50_p95, p50_p95_chart
from sigkit.units import fmt

_SPARKS = " ▁▂▃▄▅▆▇█"
PRESS = "┃"


def _rate(per_second: float) -> str:
    return f"{per_second / 1e6:.1f} M/s"


def _reached(run_delay: float | None, during: int, runs: int) -> str:
    if run_delay is None:
        return "never"
    where = "in join()" if during == runs else "after join()" if during == 0 else "mixed"
    return f"{where}, {fmt(run_delay * 1e6)}"


def pending_table(results: Sequence[pending_signal.Result]) -> Table:
    """Per interpreter: the worker's pace before and after the press, per wall and CPU second."""
    table = lab_table("python", "wall: before", "after", "CPU: before", "after",
                      "after ÷ before (CPU)", "KeyboardInterrupt")
    for result in results:
        verdict = result.verdict
        low, high = verdict.interval or verdict.spread
        table.add_row(
            result.python,
            _rate(result.median("rate", "before")),
            _rate(result.median("rate", "after")),
            _rate(result.median("cpu_rate", "before")),
            _rate(result.median("cpu_rate", "after")),
            f"{verdict.median:.2f}x ({low:.2f}-{high:.2f})",
            _reached(result.answered_after(), result.answered_during_join, len(result.runs)),
        )
    return table


def _spark(rates: Sequence[tuple[float, float]], top: float, columns: int) -> Text:
    """One block per sample period (pairs merged to fit ``columns``), the press as ``┃``."""
    step = max(1, -(-len(rates) // columns))
    merged = [rates[i : i + step] for i in range(0, len(rates), step)]
    line, pressed = Text(), False
    for group in merged:
        at = group[0][0]
        if not pressed and at >= 0:
            line.append(PRESS, style="bold red")
            pressed = True
        pace = sum(rate for _, rate in group) / len(group)
        level = min(len(_SPARKS) - 1, round(pace / top * (len(_SPARKS) - 1))) if top > 0 else 0
        line.append(_SPARKS[level], style="cyan")
    return line


def pending_chart(results: Sequence[pending_signal.Result], width: int) -> Text:
    """Each interpreter's typical run, the worker's pace over time; ``┃`` marks the Ctrl-C."""
    series = [(result.python, result.typical.rates()) for result in results if result.runs]
    if not series:
        return Text("")
    top = max(rate for _, rates in series for _, rate in rates)
    label_width = max(len(label) for label, _ in series)
    out = Text()
    for label, rates in series:
        out.append(f"{label:<{label_width}} ")
        out.append(_spark(rates, top, max(10, width - label_width - 2)))
        out.append("\n")
    period = fmt(pending_signal.PERIOD * 1e6)
    out.append(f"the worker's pace per {period} of wall time (median run), full height "
               f"{_rate(top)}; {PRESS} Ctrl-C", style="dim")
    return out


def _with_range(median: float, runs: Sequence[float]) -> str:
    """``9,261 (8,768-9,926)``: the median, and the runs' range when there are several."""
    if len(runs) < 2:
        return f"{median:,.0f}"
    return f"{median:,.0f} ({min(runs):,.0f}-{max(runs):,.0f})"


def check_table(rows: Sequence[check_interval.Row]) -> Table:
    """Per interpreter and interval: GIL hand-overs, counting pace, Ctrl-C latency."""
    table = lab_table("python · GIL check", "hand-overs/s (range)", "loop iterations/s",
                      "C → Python handler p50 / p95")
    for row in rows:
        table.add_row(
            row.label,
            _with_range(row.handoffs, row.handoffs_per_s),
            _rate(row.counts),
            p50_p95(row.latency),
        )
    return table


def check_chart(rows: Sequence[check_interval.Row], width: int) -> Text:
    """C handler → Python handler p50 bars (p95 dashed), log scale."""
    return p50_p95_chart(((row.label, row.latency) for row in rows), width)
