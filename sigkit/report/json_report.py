"""The documented, versioned JSON form of probe results (schema: ``sigkit/schema/probe-v1.json``).

Times inside a trial are nanoseconds relative to the first press (``sent`` = 0), so a reader can
plot them without knowing CLOCK_MONOTONIC's epoch; latencies are microseconds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from importlib import resources
from typing import Any

from sigkit import __version__, stop_verdict, stops
from sigkit.checks.config import Config
from sigkit.checks.runner import CaseResult
from sigkit.output import classify
from sigkit.report.findings import findings_to_dict
from sigkit.stats import summarize
from sigkit.timeline import LATENCY_NAMES, Trial, latencies_us

SCHEMA_ID = "sigkit.probe/1"
CHECK_SCHEMA_ID = "sigkit.check/1"


def load_schema() -> dict[str, Any]:
    text = resources.files("sigkit").joinpath("schema/probe-v1.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def trial_to_dict(trial: Trial) -> dict[str, Any]:
    origin = trial.first_press.sent_ns if trial.first_press else trial.events[0].t_ns

    def rel(ns: int | None) -> int | None:
        return None if ns is None else ns - origin

    return {
        "command": trial.command,
        "pid": trial.pid,
        "python_pid": trial.python_pid,
        "interpreter": asdict(trial.interpreter) if trial.interpreter else None,
        "ready": trial.ready,
        "problem": trial.problem,
        "verdict": trial.verdict,
        "ended_by": trial.ended_by,
        "presses_to_exit": trial.presses_to_exit,
        "exit_code": trial.exit_code,
        "exit_signal": trial.exit_signal,
        "latency_us": latencies_us(trial),
        "presses": [
            {
                "signal": p.signal,
                "sent_ns": rel(p.sent_ns),
                "arrival_ns": rel(p.arrival_ns),
                "handler_ns": rel(p.handler_ns),
                "ended_it": p.ended_it,
            }
            for p in trial.presses
        ],
        "events": [
            {"kind": e.kind, "t_ns": rel(e.t_ns), "pid": e.pid, "detail": e.detail}
            for e in trial.events
        ],
        "probe_failures": trial.probe_failures,
        "lost_threads": trial.lost_threads,
        "orphans": [asdict(o) for o in trial.orphans],
        "orphans_seen_by": trial.orphans_seen_by,
        "stacks": {"source": trial.stacks_source, "text": trial.stacks} if trial.stacks else None,
        "proc_snapshot": trial.proc_snapshot,
        "looks": [{**look.to_dict(), "t_ns": rel(look.t_ns)} for look in trial.looks],
        "at_press": {**trial.at_press.to_dict(), "t_ns": rel(trial.at_press.t_ns)}
        if trial.at_press else None,
        "late_processes": [
            {"pid": p.pid, "name": p.name, "after_press_ns": p.after_press_ns}
            for p in trial.late_processes
        ],
        "output": trial.output[-8192:],
        "output_class": classify(trial.output_after_press),
        "stop": _stop(trial),
        "findings": findings_to_dict(trial.findings),
    }


def _stop(trial: Trial) -> dict[str, Any] | None:
    """The stop contract the trial replayed, and its grace verdict (None for a typed key)."""
    if trial.stop is None:
        return None
    verdict = stop_verdict.grace_verdict(trial)
    return {
        "preset": trial.stop.name,
        "manager": trial.stop.manager,
        "signal": trial.stop.signal,
        "to": stops.TTY if trial.stop.to == stops.TTY else trial.to,
        "grace_s": trial.grace,
        "pid1": trial.pid1,
        "within_grace": None if verdict is None else verdict[0],
        "verdict": None if verdict is None else verdict[1],
    }


def run_to_dict(
    trials: Sequence[Trial], extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A whole run: every trial plus the latency summary over them."""
    figures = [latencies_us(t) for t in trials]
    summary = {}
    for name in LATENCY_NAMES:
        stats = summarize([f[name] for f in figures])
        summary[name] = stats.to_dict() if stats else None
    document: dict[str, Any] = {
        "schema": SCHEMA_ID,
        "sigkit_version": __version__,
        "trials": [trial_to_dict(t) for t in trials],
        "summary_us": summary,
    }
    if extra:
        document.update(extra)
    return document


def case_to_dict(result: CaseResult) -> dict[str, Any]:
    """One check case: its budgets and its full probe run."""
    return {
        "name": result.case.check.name,
        "case": result.case.label,
        "interpreter": result.case.interpreter,
        "command": result.case.options.command,
        "passed": result.passed,
        "seconds": round(result.seconds, 3),
        "machine": result.load.to_dict() if result.load else None,
        "load_warning": result.load_warning,
        "budgets": [asdict(budget) for budget in result.budgets],
        "run": run_to_dict(result.trials),
    }


def checks_to_dict(config: Config, results: Sequence[CaseResult]) -> dict[str, Any]:
    """The ``check --json`` form (``sigkit.check/1``): every case, its budgets, its probe run."""
    return {
        "schema": CHECK_SCHEMA_ID,
        "sigkit_version": __version__,
        "config": config.shown,
        "passed": all(result.passed for result in results),
        "checks": [case_to_dict(result) for result in results],
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, default=str)
