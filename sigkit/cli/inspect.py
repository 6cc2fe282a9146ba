"""``sigkit inspect PID``: why would Ctrl-C not stop this running process?

For a process sigkit did not start: each thread's signal masks and kernel state, its place
relative to the terminal's foreground group, its descendants, every Python process's stacks
(through py-spy: the wait may be in a child), then the same findings a probe gives -- those
that need no timeline.  With ``--signal``, sigkit also sends the signal and reports whether (and
how fast) the process exited, or what the second look shows when it did not.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sigkit import stacks, validate
from sigkit.diagnose import diagnose_evidence
from sigkit.diagnose.evidence import Evidence, from_live
from sigkit.diagnose.rules.common import child_waits
from sigkit.findings import Finding
from sigkit.interpreters import PYPY
from sigkit.live_stop import StopAttempt, try_stop
from sigkit.procinfo import ProcessState
from sigkit.report.findings import findings_to_dict, render_findings
from sigkit.units import fmt

# Signals whose presence in a mask decides what Ctrl-C does: shown first, highlighted.
_KEY_SIGNALS = ("SIGINT", "SIGTERM")
SCHEMA_ID = "sigkit.inspect/1"


def register(app: typer.Typer) -> None:
    app.command(
        "inspect",
        help="Look into a running process and its children: per-thread signal masks (blocked, "
        "ignored, caught, pending), states, foreground group, every Python process's stacks "
        "(py-spy), and what would "
        "keep Ctrl-C from stopping it. With --signal: send it, wait for the exit, and say how "
        "long it took or why the process is still running.",
    )(inspect_command)


def inspect_command(
    pid: int = typer.Argument(..., metavar="PID", help="The process to inspect."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (schema sigkit.inspect/1)."),
    no_stacks: bool = typer.Option(
        False, "--no-stacks", help="Skip the Python stacks (py-spy pauses the process briefly)."
    ),
    signal_name: Optional[str] = typer.Option(
        None, "--signal", metavar="INT|TERM|HUP|QUIT",
        help="Send this signal, then watch for the exit (without it, inspect only looks).",
    ),
    wait: float = typer.Option(
        2.0, "--wait", metavar="SECONDS", help="How long to wait for the exit after --signal."
    ),
    to: str = typer.Option(
        "main", "--to", metavar="main|group",
        help="main: the process alone (kill PID, docker stop); group: its whole process group "
        "(a terminal's Ctrl-C, systemd's default).",
    ),
) -> None:
    validate.pid(pid)
    if signal_name is not None:
        validate.seconds(wait, "wait", validate.COMMAND_LINE)
        report_stop(try_stop(pid, signal_name, to, wait, not no_stacks), as_json)
        return
    evidence = from_live(pid, want_stacks=not no_stacks)
    findings = diagnose_evidence(evidence)
    if as_json:
        print(json.dumps(to_dict(evidence, findings), indent=2))
        return
    render(Console(), evidence, findings)


def to_dict(evidence: Evidence, findings: list[Finding]) -> dict[str, Any]:
    return {
        "schema": SCHEMA_ID,
        "pid": evidence.pid,
        "python_version": ".".join(map(str, evidence.version)) if evidence.version else None,
        "implementation": evidence.implementation,
        "processes": [p.to_dict() for p in evidence.processes],
        "stacks": {
            "source": evidence.stacks_source,
            "unavailable": evidence.stacks_note,
            "threads": [asdict(t) for t in evidence.threads],
        },
        "tree_stacks": {str(pid): [asdict(t) for t in threads]
                        for pid, threads in sorted(evidence.tree.items()) if pid != evidence.pid},
        "findings": findings_to_dict(findings),
    }


def report_stop(attempt: StopAttempt, as_json: bool) -> None:
    """The outcome first; if the process is still running, the second look and its findings."""
    findings = diagnose_evidence(attempt.after) if attempt.after else []
    if as_json:
        document = to_dict(attempt.after or attempt.before, findings)
        document["signal"] = {
            "name": attempt.signal, "to": attempt.to, "wait_s": attempt.waited,
            "exited": attempt.exited, "exit_after_us": attempt.exit_after_us,
        }
        before = to_dict(attempt.before, [])
        document["before"] = {key: before[key] for key in ("processes", "stacks", "tree_stacks")}
        print(json.dumps(document, indent=2))
        return
    console = Console()
    if attempt.after is None:
        process = attempt.before.process
        assert process is not None
        console.print(_header(attempt.before, process))
        console.print(outcome(attempt))
        return
    console.print(outcome(attempt))
    render(console, attempt.after, findings)


def outcome(attempt: StopAttempt) -> Text:
    """``Sent SIGTERM to pid 42 (the process alone): exited after 12.3 ms``."""
    whom = "the process alone" if attempt.to == "main" else "its whole process group"
    text = Text(f"Sent {attempt.signal} to pid {attempt.pid} ({whom}): ", style="bold")
    if attempt.exit_after_us is not None:
        return text.append(f"exited after {fmt(attempt.exit_after_us)}", style="green")
    if attempt.exited:
        return text.append(f"exited just after the {attempt.waited:g} s wait", style="yellow")
    return text.append(f"still running after {attempt.waited:g} s", style="bold red")


def render(console: Console, evidence: Evidence, findings: list[Finding]) -> None:
    process = evidence.process
    assert process is not None  # from_live refuses a pid it cannot read
    console.print(_header(evidence, process))
    console.print(threads_table(process))
    shared = process.threads[0].masks.get("ShdPnd", []) if process.threads else []
    console.print(f"Pending for the whole process (ShdPnd): {_names(shared) or 'none'}")
    _render_children(console, evidence.children)
    for line in child_waits(evidence):  # the parent only waits: say where the wait really is
        console.print(Text(line[0].upper() + line[1:], style="bold"), soft_wrap=True)
    if evidence.threads:
        console.print(Text(f"Python stacks ({evidence.stacks_source}):", style="bold"))
        console.print(Text(stacks.format_threads(evidence.threads), style="dim"), soft_wrap=True)
    else:
        console.print(Text(f"Python stacks: unavailable: {evidence.stacks_note}", style="yellow"))
    for pid, threads in sorted(evidence.tree.items()):
        if pid != evidence.pid:
            console.print(Text(f"Python stacks of {evidence.name_of(pid)}:", style="bold"))
            console.print(Text(stacks.format_threads(threads), style="dim"), soft_wrap=True)
    render_findings(console, findings)


def _header(evidence: Evidence, process: ProcessState) -> Text:
    header = Text("sigkit inspect: ", style="bold").append(f"pid {process.pid} ({process.name})")
    version = "Python: unknown"
    if evidence.version:
        name = "PyPy" if evidence.implementation == PYPY else "Python"
        version = f"{name} {evidence.version[0]}.{evidence.version[1]}"
    if process.tty_foreground_pgrp <= 0:
        terminal = "no controlling terminal"
    elif process.in_foreground:
        terminal = "in the terminal's foreground group"
    else:
        terminal = f"background (the terminal's foreground group is {process.tty_foreground_pgrp})"
    details = [version, f"ppid {process.ppid}", f"pgrp {process.pgrp}",
               f"session {process.session}", terminal]
    return header.append("\n  " + " · ".join(details), style="dim")


def threads_table(process: ProcessState) -> Table:
    """One row per kernel thread: state, kernel wait, and the four signal sets."""
    table = Table(box=None, header_style="bold", pad_edge=False, title_justify="left",
                  title="Threads (kernel view, /proc)")
    for column in ("tid", "name", "state", "wchan", "blocked", "ignored", "caught", "pending"):
        table.add_column(column)
    for thread in process.threads:
        main = " (main)" if thread.tid == process.pid else ""
        table.add_row(
            f"{thread.tid}{main}", thread.name, thread.state, thread.wchan.strip() or "-",
            *(_mask(thread.masks.get(key, []), key)
              for key in ("SigBlk", "SigIgn", "SigCgt", "SigPnd")),
        )
    return table


def _mask(names: list[str], key: str) -> Text:
    """Signals without their SIG prefix; SIGINT/SIGTERM first, in red where they hurt."""
    ordered = [n for n in _KEY_SIGNALS if n in names] + [n for n in names if n not in _KEY_SIGNALS]
    text = Text()
    for index, name in enumerate(ordered):
        hurts = name in _KEY_SIGNALS and key in ("SigBlk", "SigIgn")
        text.append(("," if index else "") + name.removeprefix("SIG"),
                    style="bold red" if hurts else "")
    return text if ordered else Text("-")


def _names(signals: list[str]) -> str:
    return ",".join(name.removeprefix("SIG") for name in signals)


def _render_children(console: Console, children: list[ProcessState]) -> None:
    if not children:
        console.print("Children: none")
        return
    console.print(Text(f"Children: {len(children)}", style="bold"))
    for child in children:
        main = next((t for t in child.threads if t.tid == child.pid), None)
        ignores = main is not None and "SIGINT" in main.masks.get("SigIgn", [])
        where = "foreground" if child.in_foreground else f"pgrp {child.pgrp}"
        state = main.state if main else "?"
        console.print(f"  pid {child.pid} ({child.name}) state {state}, {where}"
                      + (", ignores SIGINT" if ignores else ""))
