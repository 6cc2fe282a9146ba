"""Pictures in the terminal: a trial's timeline, latency histograms, bar charts.

Latencies span five decades (a 70 µs C handler, a 5 ms GIL hand-off, a 2 s escalation), so the
time axes are logarithmic: on a linear axis everything but the slowest event piles up at zero.
Pure text (unicode blocks and box lines) styled with rich: it survives a CI log and a pipe.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console, Group, RenderableType
from rich.text import Text

from sigkit import stacks
from sigkit.stats import histogram, summarize
from sigkit.timeline import LATENCY_NAMES, STACKS, Press, Trial, key_label, latencies_us
from sigkit.units import fmt

SENT, ARRIVAL, HANDLER, EXIT, SNAPSHOT = "●", "◆", "▲", "■", "◇"
LEGEND = f"{SENT} sent  {ARRIVAL} C handler  {HANDLER} Python handler  {EXIT} exit"
_STYLES = {SENT: "bold", ARRIVAL: "cyan", HANDLER: "green", EXIT: "bold red", SNAPSHOT: "yellow"}
_BLOCKS = " ▏▎▍▌▋▊▉█"
_LABEL_WIDTH = 12
_AXIS_FLOOR_US = 10.0  # the left end of the log axis: below ~10 µs nothing here is measurable


# -- axes and bars ----------------------------------------------------------------------------
@dataclass(frozen=True)
class LogAxis:
    """Maps microseconds onto ``columns`` columns, decade by decade, from ``low`` to ``high``."""

    low: float
    high: float
    columns: int

    @classmethod
    def spanning(cls, largest_us: float, columns: int, low: float = _AXIS_FLOOR_US) -> LogAxis:
        """From ``low`` to the decade above ``largest_us`` (at least two decades wide)."""
        top = max(largest_us, low * 100)
        return cls(low, 10 ** math.ceil(math.log10(top)), columns)

    @classmethod
    def covering(cls, smallest_us: float, largest_us: float, columns: int) -> LogAxis:
        """Whole decades from the one holding ``smallest_us`` to the one above ``largest_us``."""
        low = 10 ** math.floor(math.log10(max(smallest_us, 1e-3)))
        return cls(low, max(10 ** math.ceil(math.log10(largest_us)), low * 10), columns)

    def column(self, us: float) -> int:
        span = math.log10(self.high) - math.log10(self.low)
        share = (math.log10(max(us, self.low)) - math.log10(self.low)) / span
        return min(self.columns - 1, max(0, round(share * (self.columns - 1))))

    def decades(self) -> list[float]:
        count = round(math.log10(self.high / self.low))
        return [self.low * 10**i for i in range(count + 1)]

    def labels(self, indent: int = 0) -> Text:
        """Decade labels above their ticks (``10 µs``, ``1 ms``, ``1 s``...)."""
        row = [" "] * (indent + self.columns + 8)
        free_from = 0
        for us in self.decades():
            label = decade_label(us)
            start = indent + self.column(us)
            if start >= free_from:
                row[start : start + len(label)] = label
                free_from = start + len(label) + 1
        return Text("".join(row).rstrip(), style="dim")

    def ruler(self, indent: int = 0) -> Text:
        row = ["─"] * self.columns
        for us in self.decades():
            row[self.column(us)] = "┼"
        row[0], row[-1] = "├", "┤"
        return Text(" " * indent + "".join(row), style="dim")


def decade_label(us: float) -> str:
    """``1000.0`` → ``1ms``: a power of ten in the unit that makes it 1, 10 or 100."""
    for unit, size in (("s", 1e6), ("ms", 1e3)):
        if us >= size:
            return f"{us / size:g}{unit}"
    return f"{us:g}µs"


def bar(fraction: float, width: int) -> str:
    """A horizontal bar ``fraction`` of ``width`` cells long, to an eighth of a cell."""
    eighths = max(0, round(min(fraction, 1.0) * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (_BLOCKS[part] if part else "")


@dataclass(frozen=True)
class BarRow:
    """One bar: ``value`` drawn solid; an optional ``high`` (a p95) drawn dashed beyond it."""

    label: str
    value: float
    text: str
    high: float | None = None


def bar_chart(rows: Sequence[BarRow], width: int = 80, log: bool = False) -> Text:
    """Labelled bars filling ``width`` columns; ``log`` scales by decades, else from zero."""
    if not rows:
        return Text("")
    top = max(max(r.value, r.high or 0.0) for r in rows)
    positive = [r.value for r in rows if r.value > 0]
    log = log and bool(positive)
    bottom = min(positive) / 2 if log else 0.0

    def share(value: float) -> float:
        if top <= 0:
            return 0.0
        if not log:
            return value / top
        if value <= bottom or top <= bottom:
            return 0.02
        return math.log(value / bottom) / math.log(top / bottom)

    label_width = max(len(r.label) for r in rows)
    bar_width = max(10, width - label_width - max(len(r.text) for r in rows) - 3)
    out = Text()
    for row in rows:
        solid = bar(share(row.value), bar_width) or "▏"
        dashed = ""
        if row.high is not None and row.high > row.value:
            dashed = "╌" * max(0, round(share(row.high) * bar_width) - len(solid)) + "┤"
        out.append(f"{row.label:<{label_width}} ")
        out.append(solid, style="cyan")
        out.append(dashed, style="dim cyan")
        out.append(" " * max(1, bar_width + 2 - len(solid) - len(dashed)) + row.text + "\n")
    out.rstrip()
    return out


# -- one trial's timeline ------------------------------------------------------------------------
def _lane(axis: LogAxis, marks: Sequence[tuple[float, str]], until: float | None) -> Text:
    """A line from the press to its last mark (dotted on to ``until`` if it kept running)."""
    cells = [" "] * axis.columns
    last = max((axis.column(us) for us, _ in marks), default=0)
    for i in range(last + 1):
        cells[i] = "─"
    if until is not None:
        for i in range(last + 1, axis.column(until) + 1):
            cells[i] = "┄"
    for us, mark in marks:
        at = axis.column(us)
        while at < axis.columns - 1 and cells[at] in _STYLES:  # two marks in one cell: shift
            at += 1
        cells[at] = mark
    lane = Text()
    for cell in cells:
        lane.append(cell, style=_STYLES.get(cell, "dim"))
    lane.rstrip()
    return lane


def press_marks(press: Press, trial: Trial) -> list[tuple[float, str, str]]:
    """(µs after the press, marker, caption) for what followed one press."""
    marks = [(0.0, SENT, "")]
    if press.arrival_ns is not None:
        marks.append(((press.arrival_ns - press.sent_ns) / 1000, ARRIVAL, "C handler"))
    if press.handler_ns is not None:
        marks.append(((press.handler_ns - press.sent_ns) / 1000, HANDLER, "Python handler"))
    if press.ended_it and trial.exit_ns is not None:
        marks.append(((trial.exit_ns - press.sent_ns) / 1000, EXIT, "exit"))
    return marks


def press_label(number: int, press: Press) -> str:
    name = key_label(press.signal)
    return f"{number} {name}"


def gaps_us(trial: Trial) -> list[float | None]:
    """For each press, µs until the next one (None for the last)."""
    sent = [press.sent_ns for press in trial.presses]
    return [(after - before) / 1000 for before, after in zip(sent, sent[1:])] + [None]


def stacks_at_us(trial: Trial) -> float | None:
    """When the stack snapshot was taken, in µs after the first press (None: no snapshot)."""
    snapshot = next((e for e in trial.events if e.kind == STACKS), None)
    if snapshot is None or not trial.stacks or not trial.presses:
        return None
    return (snapshot.t_ns - trial.presses[0].sent_ns) / 1000


def longest_us(trial: Trial) -> float:
    """The longest span a timeline must show: a press's last event, the next press, the snapshot."""
    spans = [us for press in trial.presses for us, _, _ in press_marks(press, trial)]
    spans += [gap for gap in gaps_us(trial) if gap is not None]
    snapshot = stacks_at_us(trial)
    return max(spans + ([snapshot] if snapshot is not None else []))


def timeline(trial: Trial, width: int = 60) -> RenderableType:
    """Each press on its own lane, on one log axis of time since that press; thread lanes below.

    Threads are drawn only where a stack snapshot exists (the target outlived its deadline):
    the snapshot is one instant, so each thread's lane ends in a ◇ and what it was doing then.
    """
    if not trial.presses:
        return Text("No signal was sent: " + (trial.problem or "nothing to draw"), style="dim")
    gaps = gaps_us(trial)
    snapshot_us = stacks_at_us(trial)
    axis = LogAxis.spanning(longest_us(trial), width)
    pad = " " * _LABEL_WIDTH
    parts: list[RenderableType] = [
        Text.assemble(("Timeline", "bold"), " (log time after each press)"),
        Text(LEGEND + (f"  {SNAPSHOT} stack snapshot" if snapshot_us is not None else ""),
             style="dim"),
        axis.labels(_LABEL_WIDTH),
        axis.ruler(_LABEL_WIDTH),
    ]
    for number, (press, gap) in enumerate(zip(trial.presses, gaps), start=1):
        marks = press_marks(press, trial)
        still_running = gap if not press.ended_it else None
        lane = _lane(axis, [(us, mark) for us, mark, _ in marks], still_running)
        parts.append(Text(f"{press_label(number, press):<{_LABEL_WIDTH}}") + lane)
        captions = [f"{what} +{fmt(us)}" for us, _, what in marks[1:]]
        if press.handler_ns is None and press.signal == "INT":
            captions.append("no Python handler")
        if gap is not None and not press.ended_it:
            captions.append(f"still running at the next press (+{fmt(gap)})")
        parts.append(Text(pad + " · ".join(captions), style="dim"))
    if snapshot_us is not None:
        parts.extend(_thread_lanes(trial, axis, snapshot_us))
    return Group(*parts)


@dataclass(frozen=True)
class ThreadAtSnapshot:
    """One thread of the stack snapshot, as a lane shows it."""

    label: str
    where: str


def snapshot_threads(trial: Trial) -> list[ThreadAtSnapshot]:
    """The threads of the stack snapshot, main first, each with its innermost frame."""
    if not trial.stacks:
        return []
    threads = stacks.parse(trial.stacks, trial.stacks_source or "")
    threads.sort(key=lambda thread: not thread.is_main)
    shown = []
    for index, thread in enumerate(threads):
        name = thread.name or ("main" if thread.is_main else f"thread {index}")
        top = thread.frames[0] if thread.frames else None
        where = f"{top.function} ({top.where()})" if top else "?"
        shown.append(ThreadAtSnapshot(name, where + (f" [{thread.state}]" if thread.state else "")))
    return shown


def _thread_lanes(trial: Trial, axis: LogAxis, at_us: float) -> list[RenderableType]:
    lines: list[RenderableType] = [
        Text(f"Threads at +{fmt(at_us)} after the first press ({trial.stacks_source})", "bold")
    ]
    for thread in snapshot_threads(trial):
        label = Text(f"{thread.label[: _LABEL_WIDTH - 1]:<{_LABEL_WIDTH}}")
        lane = _lane(axis, [(at_us, SNAPSHOT)], None)
        lines.append(label + lane + Text(f" {thread.where}", style="dim"))
    return lines


# -- distributions -------------------------------------------------------------------------------
def latency_histogram(values_us: Sequence[float], title: str, bins: int | None = None,
                      width: int = 40) -> RenderableType:
    """Counts per log-spaced bin, then the percentiles a user quotes (p50, p95, max).

    Without ``bins``, Sturges' rule (log2 n + 1, at most 12): few trials, few bars, so that
    20 presses do not look like a comb of empty bins.
    """
    present = [v for v in values_us if v is not None and v > 0]
    summary = summarize(present)
    if summary is None:
        return Text(f"{title}: no values", style="dim")
    if bins is None:
        bins = min(12, math.ceil(math.log2(len(present))) + 1)
    rows = histogram(present, bins=bins, log=True)
    most = max(count for _, _, count in rows)
    edges = [(fmt(low), fmt(high)) for low, high, _ in rows]
    left = max(len(a) for a, _ in edges)
    right = max(len(b) for _, b in edges)
    out = Text.assemble((title, "bold"), f"  ({summary.n} trials, log bins)\n")
    for (low, high), (_, _, count) in zip(edges, rows):
        out.append(f"  {low:>{left}} … {high:<{right}} ")
        out.append(f"{bar(count / most, width):<{width}}", style="cyan")
        out.append(f" {count}\n")
    out.append(
        f"  p50 {fmt(summary.p50)} · p95 {fmt(summary.p95)} · max {fmt(summary.maximum)}",
        style="dim",
    )
    return out


def latency_histograms(trials: Sequence[Trial], width: int = 40) -> RenderableType:
    """One histogram per latency the trials have (C handler, Python handler, exit...)."""
    figures = [latencies_us(t) for t in trials]
    parts: list[RenderableType] = []
    for name, label in LATENCY_NAMES.items():
        values = [v for f in figures if (v := f[name]) is not None]
        if values:
            parts.extend([latency_histogram(values, label, width=width), Text("")])
    return Group(*parts[:-1])


def render_probe(console: Console, trials: Sequence[Trial], width: int = 60) -> None:
    """The picture view of a probe: the timeline of one trial, or histograms over many.

    With several trials the first one's timeline comes first: a distribution says how often,
    one timeline says what happened.
    """
    if not trials:
        return
    console.print(timeline(trials[0], width=width))
    if len(trials) > 1:
        console.print()
        console.print(latency_histograms(trials, width=max(20, width - 20)))
