"""The human view of probe results: a timeline per trial, percentile lines over many.

Written for someone staring at an unkillable program: every line says what happened and how long
after the Ctrl-C, and the closing line says how the program ended, in words.
"""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sigkit import stacks, stop_verdict
from sigkit.ladder import TTY_KEYS
from sigkit.output import classify
from sigkit.stats import summarize
from sigkit.timeline import HANDLER, LATENCY_NAMES, SPAWN, Trial, key_label, latencies_us
from sigkit.units import fmt, shared_unit

_ENDINGS = {
    "ki": "ended by KeyboardInterrupt on the first {first}",
    "exit": "exited on the first {first}",
    "term": "survived the first {first}; {ender} ended it",
    "kill": "survived everything but SIGKILL",
    "never": "still alive after the whole ladder",
    "not-ready": "never became ready (--expect did not match in time); killed",
    "exited-before-interrupt": "exited before sigkit {sent} {first}",
}


def describe_ending(trial: Trial) -> str:
    """How it ended, in the words of the signals actually sent (Ctrl-C only when typed)."""
    verdict = trial.verdict
    first = key_label(first_signal(trial))
    if verdict.startswith("presses="):
        text = f"needed {trial.presses_to_exit} presses of {first}"
    else:
        ender = trial.presses[trial.presses_to_exit - 1] if trial.presses_to_exit else None
        text = _ENDINGS.get(verdict, verdict).format(
            first=first, ender=key_label(ender.signal) if ender else "?",
            sent="pressed" if first_signal(trial) in TTY_KEYS else "sent")
    if trial.exit_signal:
        text += f" (killed by {trial.exit_signal})"
    elif trial.exit_code is not None:
        text += f" (exit code {trial.exit_code})"
    return text


def first_signal(trial: Trial) -> str:
    """The first signal sent (or, if none was, the one the stop would have sent)."""
    if trial.presses:
        return trial.presses[0].signal
    return trial.stop.signal if trial.stop is not None else "INT"


def _header(trial: Trial) -> Text:
    header = Text("sigkit probe: ", style="bold")
    header.append(shlex.join(trial.command))
    details = [f"pid {trial.pid}"]
    if trial.interpreter:
        details.insert(0, f"{trial.interpreter.implementation} {trial.interpreter.version}")
    elif trial.probe_failures:
        details.insert(0, "the Python probe failed to set up (below)")
    else:
        details.insert(0, "no Python probe (not Python, or started with -I/-E)")
    if trial.ready:
        details.append(f"ready: {trial.ready}")
    header.append("\n  " + " · ".join(details), style="dim")
    return header


def timeline_table(trial: Trial) -> Table:
    """One row per rung and per thing that followed it, timed from that rung's send."""
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("press")
    table.add_column("event")
    table.add_column("after send", justify="right")
    table.add_column("step", justify="right", style="dim")
    for number, press in enumerate(trial.presses, start=1):
        rows = [("sent " + key_label(press.signal), press.sent_ns)]
        if press.arrival_ns is not None:
            rows.append(("C handler ran (wakeup byte)", press.arrival_ns))
        if press.handler_ns is not None:
            rows.append(("Python handler, main thread", press.handler_ns))
        if press.ended_it and trial.exit_ns is not None:
            rows.append(("process exited", trial.exit_ns))
        previous = press.sent_ns
        for index, (what, t_ns) in enumerate(rows):
            since = (t_ns - press.sent_ns) / 1000
            step = (t_ns - previous) / 1000
            previous = t_ns
            table.add_row(
                str(number) if index == 0 else "",
                what,
                "0" if index == 0 else "+" + fmt(since),
                "" if index == 0 else "+" + fmt(step),
            )
        if not press.ended_it and press.handler_ns is None and HANDLER not in trial.unseen:
            table.add_row("", Text("no Python handler ran", style="yellow"), "", "")
    return table


def render_trial(console: Console, trial: Trial) -> None:
    console.print(_header(trial))
    for what in trial.probe_failures:
        console.print(Text(f"the probe failed inside the target: {what}", style="yellow"))
    if trial.presses:
        console.print(timeline_table(trial))
    style = "green" if trial.verdict in ("ki", "exit") else "red"
    contract = stop_verdict.describe(trial)
    if contract:
        console.print(Text("Stop: ", style="bold").append(contract))
    console.print(Text("Ending: ", style="bold").append(describe_ending(trial), style=style))
    grace = stop_verdict.grace_verdict(trial)
    if grace is not None:
        within, sentence = grace
        console.print(Text("Grace: ", style="bold").append(sentence,
                                                           style="green" if within else "red"))
    if trial.problem is not None:
        render_problem(console, trial)
    if trial.presses:
        console.print(f"Output after {key_label(first_signal(trial))}: "
                      f"{', '.join(classify(trial.output_after_press))}")
    if trial.lost_threads:
        console.print(
            Text(
                "Lost work: non-daemon threads still running at exit: "
                + ", ".join(trial.lost_threads),
                style="red",
            )
        )
    if trial.orphans:
        console.print(Text(f"Orphans (killed by sigkit): {len(trial.orphans)}", style="red"))
        for orphan in trial.orphans:
            where = " (escaped with setsid)" if orphan.escaped_session else ""
            console.print(f"  pid {orphan.pid} {orphan.cmdline}{where}")
    elif trial.orphans_seen_by:
        console.print(Text("Orphans: none found").append(
            f" (looked for: {trial.orphans_seen_by})", style="dim"))
    else:
        console.print("Orphans: not looked for")
    if trial.stacks_source and not trial.stacks:
        console.print(Text(f"Stacks: unavailable: {trial.stacks_source}", style="yellow"))
    elif trial.stacks:
        console.print(f"Stacks captured ({trial.stacks_source}) when the deadline passed:")
        threads = stacks.parse(trial.stacks, trial.stacks_source or "")
        console.print(Text(stacks.format_threads(threads), style="dim"), soft_wrap=True)
        render_other_processes(console, trial)


def render_other_processes(console: Console, trial: Trial) -> None:
    """The rest of the tree at the same moment: servers and pools wait in their children too."""
    seen = trial.looks[-1] if trial.looks else None
    if seen is None:
        return
    for dump in seen.stacks:
        if dump.pid == trial.python_pid or dump.pid == trial.pid:
            continue
        label = f"Process {dump.pid} ({dump.name or '?'})"
        if not dump.text:
            console.print(Text(f"{label}: no stacks: {dump.note}", style="yellow"))
            continue
        console.print(f"{label}, {dump.source}:")
        console.print(Text(stacks.format_threads(dump.threads), style="dim"), soft_wrap=True)


def render_problem(console: Console, trial: Trial, lines: int = 15) -> None:
    """Nothing was measured: say how long sigkit waited and show the program's last words."""
    started = next((e.t_ns for e in trial.events if e.kind == SPAWN), None)
    if started is not None and trial.exit_ns is not None:
        waited = fmt((trial.exit_ns - started) / 1000)
        what = ("it ended by itself" if trial.problem == "exited-before-interrupt"
                else "sigkit gave up waiting for it to be ready and killed it")
        console.print(Text(f"No signal was sent: {what} {waited} after it started.", style="red"))
    tail = trial.output.rstrip().splitlines()[-lines:]
    if not tail:
        console.print(Text("It printed nothing.", style="dim"))
        return
    console.print(Text(f"Its last {len(tail)} line{'s' if len(tail) != 1 else ''} of output:"))
    for line in tail:
        console.print(Text("  " + line, style="dim"), soft_wrap=True)


def summary_table(trials: Sequence[Trial]) -> Table:
    """p50/p95/p99/max of each latency over the trials, one unit per row."""
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("latency")
    for column in ("p50", "p95", "p99", "max", "n"):
        table.add_column(column, justify="right")
    figures = [latencies_us(t) for t in trials]
    for name, label in LATENCY_NAMES.items():
        stats = summarize([f[name] for f in figures])
        if stats is None:
            continue
        unit = shared_unit([stats.p50])
        table.add_row(
            label, *(fmt(v, unit) for v in (stats.p50, stats.p95, stats.p99, stats.maximum)),
            str(stats.n),
        )
    return table


def render_summary(console: Console, trials: Sequence[Trial]) -> None:
    first = trials[0]
    console.print(_header(first))
    console.print(f"{len(trials)} trials")
    console.print(summary_table(trials))
    endings = Counter(describe_ending_short(t) for t in trials)
    console.print("Endings: " + ", ".join(f"{n} × {what}" for what, n in endings.most_common()))
    orphaned = sum(1 for t in trials if t.orphans)
    console.print(f"Trials that left orphans: {orphaned}")


def describe_ending_short(trial: Trial) -> str:
    if trial.verdict == "exit" and trial.presses[0].signal not in TTY_KEYS:
        return f"exit on SIG{trial.presses[0].signal}"
    return trial.verdict if trial.verdict != "ki" else "KeyboardInterrupt (1 press)"
