"""Pictures as files (SVG, PNG, PDF) through matplotlib, the optional ``plot`` extra.

matplotlib is imported only when a plot is asked for (it costs ~0.3 s and is not a dependency),
and ``check`` runs before any measuring: a long lab run must not end in "matplotlib missing".
The same log time axes as the terminal pictures (``pictures``), for the same reason.
"""

from __future__ import annotations

import shlex
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sigkit.errors import UsageError
from sigkit.lab import check_interval, convoy, gil, pending_signal, switch_interval
from sigkit.report import pictures
from sigkit.stats import histogram
from sigkit.timeline import LATENCY_NAMES, Trial, latencies_us
from sigkit.units import fmt

SUFFIXES = (".svg", ".png", ".pdf")
_MARKERS = {  # the terminal picture's symbols, as matplotlib markers and colours
    pictures.SENT: ("o", "black"),
    pictures.ARRIVAL: ("D", "tab:cyan"),
    pictures.HANDLER: ("^", "tab:green"),
    pictures.EXIT: ("s", "tab:red"),
    pictures.SNAPSHOT: ("d", "goldenrod"),
}


def _pyplot() -> Any:
    """matplotlib.pyplot on the file-only Agg backend, or a one-line usage error."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("--plot needs matplotlib: pip install 'sigkit[plot]'") from None
    return plt


def check(path: Path) -> None:
    """Fail before measuring: a known suffix, an existing folder, matplotlib importable."""
    if path.suffix.lower() not in SUFFIXES:
        raise UsageError(f"--plot {path}: use a file ending in {', '.join(SUFFIXES)}")
    if not path.parent.is_dir():
        raise UsageError(f"--plot {path}: folder {path.parent} does not exist")
    _pyplot()


def _save(figure: Any, path: Path) -> None:
    """Write and close; SVG/PDF without a creation date, so reruns differ only by data."""
    figure.tight_layout()
    metadata = {"Date": None} if path.suffix.lower() in (".svg", ".pdf") else None
    figure.savefig(path, metadata=metadata)
    _pyplot().close(figure)


def _log_time_axis(axis: Any, low: float, high: float, which: str = "x") -> None:
    """Decades labelled 10µs, 1ms, 1s... as in the terminal pictures."""
    decades = pictures.LogAxis(low, high, 2).decades()
    getattr(axis, f"set_{which}scale")("log")
    getattr(axis, f"set_{which}lim")(low, high)
    getattr(axis, f"set_{which}ticks")(decades, [pictures.decade_label(d) for d in decades])
    getattr(axis, f"set_{which}ticks")([], minor=True)


# -- probe ---------------------------------------------------------------------------------------
def _draw_timeline(axis: Any, trial: Trial) -> None:
    """Lanes top-down: one per press, then one per thread of the stack snapshot."""
    if not trial.presses:
        axis.text(0.5, 0.5, "No signal was sent: " + (trial.problem or "nothing to draw"),
                  ha="center", va="center")
        axis.set_axis_off()
        return
    scale = pictures.LogAxis.spanning(pictures.longest_us(trial), 2)
    lanes: list[str] = []
    for number, (press, gap) in enumerate(zip(trial.presses, pictures.gaps_us(trial)), start=1):
        y = -len(lanes)
        lanes.append(pictures.press_label(number, press))
        marks = pictures.press_marks(press, trial)
        last = max(max(us for us, _, _ in marks), scale.low)
        axis.plot([scale.low, last], [y, y], color="0.6", lw=1, zorder=1)
        if gap is not None and not press.ended_it:
            axis.plot([last, gap], [y, y], color="0.6", lw=1, ls=":", zorder=1)
        for index, (us, mark, what) in enumerate(marks):
            shape, colour = _MARKERS[mark]
            axis.scatter([max(us, scale.low)], [y], marker=shape, color=colour, zorder=2, s=40)
            if what:  # captions alternate above and below: neighbours often sit close
                axis.annotate(f"{what} +{fmt(us)}", (max(us, scale.low), y), fontsize=7,
                              xytext=(0, 7 if index % 2 else -12), textcoords="offset points",
                              ha="center")
    at = pictures.stacks_at_us(trial)
    if at is not None:
        for thread in pictures.snapshot_threads(trial):
            y = -len(lanes)
            lanes.append(thread.label)
            shape, colour = _MARKERS[pictures.SNAPSHOT]
            axis.plot([scale.low, at], [y, y], color="0.85", lw=4, zorder=1)
            axis.scatter([at], [y], marker=shape, color=colour, zorder=2, s=40)
            axis.annotate(thread.where, (at, y), fontsize=7, xytext=(6, -3),
                          textcoords="offset points")
    _log_time_axis(axis, scale.low, scale.high)
    axis.set_yticks([-i for i in range(len(lanes))], lanes)
    axis.set_ylim(-len(lanes) + 0.4, 0.6)
    axis.set_xlabel("time after the press (log scale)")
    axis.grid(axis="x", color="0.92")
    interpreter = trial.interpreter.name if trial.interpreter else "no Python probe"
    program = shlex.join([Path(trial.command[0]).name, *trial.command[1:]])
    axis.set_title(f"{program}  ({interpreter}): {trial.verdict}", fontsize=9)


def _draw_histogram(axis: Any, values: Sequence[float], title: str) -> None:
    rows = histogram(values, bins=12, log=True)
    low, high = rows[0][0], rows[-1][1]
    axis.bar([r[0] for r in rows], [r[2] for r in rows], width=[r[1] - r[0] for r in rows],
             align="edge", color="tab:cyan", edgecolor="white")
    span = pictures.LogAxis.covering(low, high, 2)
    _log_time_axis(axis, span.low, span.high)
    axis.set_title(f"{title} (n={len(values)})", fontsize=9)
    axis.set_ylabel("trials")
    axis.yaxis.get_major_locator().set_params(integer=True)


def save_probe(trials: Sequence[Trial], path: Path) -> None:
    """The file form of ``pictures.render_probe``: the first trial's timeline; histograms too
    when there are several trials."""
    plt = _pyplot()
    figures = [latencies_us(t) for t in trials]
    present = {
        label: values
        for name, label in LATENCY_NAMES.items()
        if len(values := [v for f in figures if (v := f[name]) is not None and v > 0]) > 1
    }
    rows = 1 + (len(present) if len(trials) > 1 else 0)
    lanes = len(trials[0].presses) + len(pictures.snapshot_threads(trials[0]))
    ratios = [max(lanes, 2)] + [3] * (rows - 1)
    figure, axes = plt.subplots(rows, 1, figsize=(9, 1.2 + 0.55 * sum(ratios)), squeeze=False,
                                gridspec_kw={"height_ratios": ratios})
    _draw_timeline(axes[0][0], trials[0])
    if len(trials) > 1:
        for axis, (label, values) in zip(axes[1:, 0], present.items()):
            _draw_histogram(axis, values, label)
    _save(figure, path)


# -- lab -----------------------------------------------------------------------------------------
def _bars_with_range(axis: Any, xs: Sequence[float], runs: Sequence[Sequence[float]],
                     **style: Any) -> None:
    """A bar at each run set's median, with whiskers to its lowest and highest run."""
    middles = [statistics.median(values) for values in runs]
    whiskers = [[m - min(v) for m, v in zip(middles, runs)],
                [max(v) - m for m, v in zip(middles, runs)]]
    axis.bar(xs, middles, 0.4, yerr=whiskers, capsize=3, **style)


def save_gil(results: Sequence[gil.GilResult], path: Path) -> None:
    """Threads and processes as multiples of sequential, per interpreter and for the seed's run,
    with whiskers from the lowest to the highest round: the spread the verdicts are judged on.

    Ratios, not seconds: they compare across machines and N (the seed counted on 2010 hardware).
    """
    plt = _pyplot()
    seed = gil.SEED_SECONDS
    seed_ratios = {mode: [seed[mode] / seed["sequential"]] for mode in ("threads", "processes")}
    groups = [(r.python, {mode: r.ratios(mode) for mode in seed_ratios}) for r in results]
    groups.append(("seed (2.7)", seed_ratios))
    figure, axis = plt.subplots(figsize=(max(5, 1.6 * len(groups)), 3.6))
    xs = range(len(groups))
    for offset, mode, label, colour in ((-0.2, "threads", "two threads", "tab:orange"),
                                        (0.2, "processes", "two processes", "tab:green")):
        _bars_with_range(axis, [x + offset for x in xs], [ratios[mode] for _, ratios in groups],
                         label=label, color=colour)
    axis.axhline(1.0, color="0.3", ls="--", lw=1, label="sequential = 1")
    axis.set_xticks(list(xs), [name for name, _ in groups])
    axis.set_ylabel("wall time ÷ sequential (median, runs' range)")
    n = results[0].n if results else gil.DEFAULT_N
    axis.set_title(f"count down {n:,} twice: threads vs processes", fontsize=10)
    axis.legend(fontsize=8)
    _save(figure, path)


def _latency_lines(axis: Any, series: dict[str, list[tuple[int, float, float]]]) -> None:
    """One line of p50 per series over thread counts, with a band up to p95."""
    everything = [v for points in series.values() for _, p50, p95 in points for v in (p50, p95)]
    for label, points in series.items():
        xs = [x for x, _, _ in points]
        line = axis.plot(xs, [p50 for _, p50, _ in points], marker="o", label=label)[0]
        axis.fill_between(xs, [p50 for _, p50, _ in points], [p95 for _, _, p95 in points],
                          color=line.get_color(), alpha=0.15)
    if everything:
        span = pictures.LogAxis.covering(min(everything), max(everything), 2)
        _log_time_axis(axis, span.low, span.high, which="y")
    axis.grid(color="0.92")
    axis.legend(fontsize=8)


def save_switch_interval(cells: Sequence[switch_interval.Cell], path: Path) -> None:
    plt = _pyplot()
    series: dict[str, list[tuple[int, float, float]]] = {}
    for cell in cells:
        if (s := cell.summary) is not None:
            key = f"switch interval {fmt(cell.switch_interval * 1e6)}"
            series.setdefault(key, []).append((cell.threads, s.p50, s.p95))
    figure, axis = plt.subplots(figsize=(6.5, 4))
    _latency_lines(axis, series)
    axis.set_xlabel("busy pure-Python threads")
    axis.set_ylabel("sent → Python handler (p50, band to p95)")
    axis.set_xticks(sorted({c.threads for c in cells}))
    _save(figure, path)


def save_convoy(cells: Sequence[convoy.Cell], path: Path) -> None:
    plt = _pyplot()
    series: dict[str, list[tuple[int, float, float]]] = {}
    for cell in cells:
        if (s := cell.summary) is not None:
            series.setdefault(f"Python {cell.version}", []).append((cell.threads, s.p50, s.p95))
    figure, axis = plt.subplots(figsize=(6.5, 4))
    _latency_lines(axis, series)
    axis.set_xlabel("CPU-bound threads")
    axis.set_ylabel("echo round trip (p50, band to p95)")
    axis.set_xticks(sorted({c.threads for c in cells}))
    _save(figure, path)


def save_pending_signal(results: Sequence[pending_signal.Result], path: Path) -> None:
    """Left: each interpreter's median run over time, the press at 0.  Right: the pace per CPU
    second before and after, the median of the runs with whiskers to the slowest and fastest."""
    plt = _pyplot()
    figure, (over_time, per_cpu) = plt.subplots(
        1, 2, figsize=(10, 3.8), gridspec_kw={"width_ratios": [3, 2]})
    for result in results:
        rates = result.typical.rates()
        over_time.plot([t for t, _ in rates], [r / 1e6 for _, r in rates], lw=1.2,
                       label=f"Python {result.python}")
    over_time.axvline(0, color="tab:red", ls="--", lw=1, label="Ctrl-C")
    over_time.set_xlabel("seconds after the Ctrl-C")
    over_time.set_ylabel("worker's pace, M counts per second (wall)")
    over_time.set_ylim(bottom=0)
    over_time.grid(color="0.92")
    over_time.legend(fontsize=8)
    xs = range(len(results))
    for offset, window, colour in ((-0.2, "before", "tab:blue"), (0.2, "after", "tab:orange")):
        _bars_with_range(per_cpu, [x + offset for x in xs],
                         [[getattr(run, window).cpu_rate / 1e6 for run in r.runs] for r in results],
                         color=colour, label=f"{window} the Ctrl-C")
    per_cpu.set_xticks(list(xs), [f"Python {r.python}" for r in results])
    per_cpu.set_ylabel("M counts per CPU second")
    per_cpu.legend(fontsize=8)
    _save(figure, path)


def save_check_interval(rows: Sequence[check_interval.Row], path: Path) -> None:
    """Left: GIL hand-overs per second per row.  Right: C handler → Python handler, p50 with a
    bar up to p95, log scale."""
    plt = _pyplot()
    figure, (handoffs, latency) = plt.subplots(1, 2, figsize=(10, 0.6 + 0.5 * len(rows) + 2))
    labels = [row.label for row in rows]
    ys = list(range(len(rows)))[::-1]
    handoffs.barh(ys, [row.handoffs for row in rows], color="tab:purple")
    handoffs.set_yticks(ys, labels)
    handoffs.set_xlabel("GIL hand-overs per second (two counting threads)")
    measured = [(y, s) for y, row in zip(ys, rows) if (s := row.latency) is not None]
    for y, s in measured:
        latency.plot([s.p50, s.p95], [y, y], color="tab:green", lw=2, alpha=0.4)
        latency.scatter([s.p50], [y], color="tab:green", zorder=2)
    if measured:
        span = pictures.LogAxis.covering(min(s.p50 for _, s in measured),
                                         max(s.p95 for _, s in measured), 2)
        _log_time_axis(latency, span.low, span.high)
    latency.set_yticks(ys, labels)
    latency.set_xlabel("Ctrl-C: C handler → Python handler (p50 ● to p95)")
    latency.grid(axis="x", color="0.92")
    _save(figure, path)
