"""What ``sigkit watch`` prints into the user's own terminal -- framed, so it never reads as the
program's output (as pytest-timeout frames its ``+++ Timeout +++`` dumps).

Two moments: the program outlived the deadline after a press (every thread's stack in every
process, then the findings), and the program ended (one line: how, and how long after the press;
then whatever the end revealed that was not shown yet, such as processes left behind).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from sigkit import stacks
from sigkit.report.findings import render_findings
from sigkit.report.text import timeline_table
from sigkit.stacks import ProcessStacks
from sigkit.timeline import Trial, key_label
from sigkit.units import fmt


def _frame(console: Console, mark: str, words: str) -> None:
    console.print(Text(f"{mark * 3} {words} {mark * 3}", style="bold magenta"), soft_wrap=True)


def render_stuck(console: Console, trial: Trial, processes: Sequence[ProcessStacks],
                 deadline: float) -> None:
    first = trial.presses[0]
    command = shlex.join(trial.command)
    console.print()  # the program's cursor may be mid-line (a prompt): start on a line of our own
    _frame(console, "+", f"sigkit: {command} (pid {trial.pid}) still running "
                         f"{deadline:g} s after {key_label(first.signal)}")
    console.print(timeline_table(trial))
    for process in processes:
        where = f"pid {process.pid} ({process.name})"
        if process.threads:
            _frame(console, "~", f"Stacks of {where}, {process.source}")
            console.print(Text(stacks.format_threads(process.threads), style="dim"), soft_wrap=True)
        else:
            _frame(console, "~", f"{where}: no stacks: {process.note}")
    render_findings(console, trial.findings)
    _frame(console, "+", f"back to {command}: your keys go to it again")


def render_end(console: Console, trial: Trial, status: int, already_shown: Sequence[str]) -> None:
    """The closing line, then findings whose cause the stuck report did not show."""
    if not (trial.presses or trial.orphans):
        return  # nothing was pressed and nothing left behind: sigkit was never there
    if trial.output and not trial.output.endswith("\n"):
        console.print()  # the program left the cursor mid-line (an echoed ^\, a prompt)
    if trial.presses:
        console.print(Text("sigkit: ", style="bold").append(_ending(trial, status)), soft_wrap=True)
    if trial.orphans:
        console.print(Text(f"sigkit: killed {len(trial.orphans)} process(es) the program left "
                           "behind:", style="red"))
        for orphan in trial.orphans:
            escaped = " (escaped with setsid)" if orphan.escaped_session else ""
            console.print(f"  pid {orphan.pid} {orphan.cmdline}{escaped}")
    new = [f for f in trial.findings if f.cause not in already_shown]
    if new:
        render_findings(console, new)


def _ending(trial: Trial, status: int) -> str:
    """``exited with status 130 (SIGINT) 1.20 ms after Ctrl-C (C handler +95 µs, Python handler
    +0.2 ms)``: what the shell would show, and where the time went."""
    how = f" ({trial.exit_signal})" if trial.exit_signal else ""
    text = f"{shlex.join(trial.command)} exited with status {status}{how}"
    ender = next((p for p in trial.presses if p.ended_it), None)
    if ender is None or trial.exit_ns is None:
        return text + f" after {len(trial.presses)} press(es), none of which ended it"
    number = trial.presses.index(ender) + 1
    after = fmt((trial.exit_ns - ender.sent_ns) / 1000)
    text += f" {after} after {key_label(ender.signal)}"
    if number > 1:
        text += f" (press {number} of {len(trial.presses)})"
    steps = [f"{label} +{fmt(ns / 1000)}" for label, ns in (
        ("C handler", ender.arrival_latency_ns()), ("Python handler", ender.handler_latency_ns()))
        if ns is not None]
    return text + (f": {', '.join(steps)}" if steps else "")
