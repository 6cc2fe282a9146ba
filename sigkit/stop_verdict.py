"""A stop's verdict in its own words: within the grace, or still running when it ran out.

``docker stop`` gives a program 10 s and then SIGKILLs it; what matters to the person who
deploys it is whether the program was gone by then and, if not, what the SIGKILL cut off.
Reporters (text, JSON, check tables, the pytest fixture) all read these sentences.
"""

from __future__ import annotations

from typing import Optional

from sigkit import stacks, stops
from sigkit.timeline import Trial
from sigkit.units import fmt


def describe(trial: Trial) -> Optional[str]:
    """``docker stop: SIGTERM to pid 41 (PID 1 of its namespace), grace 10 s``; None for a
    typed key (the terminal decides who gets it)."""
    stop = trial.stop
    if stop is None or stop.to == stops.TTY:
        return None
    whom = f"pid {trial.pid}" + (" (PID 1 of its own PID namespace)" if trial.pid1 else "")
    if trial.to == stops.GROUP:
        whom = f"the process group of {whom}"
    grace = f", grace {trial.grace:g} s" if trial.grace is not None else ""
    return f"{stop.manager}: SIG{stop.signal} to {whom}{grace}, then SIGKILL"


def grace_verdict(trial: Trial) -> Optional[tuple[bool, str]]:
    """(within, sentence) for a stop sigkit sent itself: ``stopped within the grace: 1.40 s of
    10 s`` or ``still running at 10 s: docker stop would SIGKILL it``; None when it does not
    apply (a typed Ctrl-C, or the program never got the signal)."""
    stop, first = trial.stop, trial.first_press
    if stop is None or stop.to == stops.TTY or first is None or trial.grace is None:
        return None
    grace = f"{trial.grace:g} s"
    if first.ended_it and trial.exit_latency_ns is not None:
        return True, f"stopped within the grace: {_seconds(trial.exit_latency_ns)} of {grace}"
    flight = in_flight(trial)
    return False, f"still running at {grace}: {stop.overrun}" + (f" — {flight}" if flight else "")


def in_flight(trial: Trial) -> str:
    """What the grace's end caught mid-way: the main thread's line, the processes alive."""
    parts = []
    threads = stacks.parse(trial.stacks, trial.stacks_source or "") if trial.stacks else []
    main = next((t for t in threads if t.is_main), None)
    frames = [f for f in main.frames if f.filename != "<sigkit probe>"] if main else []
    if frames:
        where = f"main thread in {frames[0].function} ({frames[0].where()})"
        mine = stacks.user_frame(frames)
        if mine is not None and mine is not frames[0]:
            where += f" ← {mine.function} ({mine.where()})"
        parts.append(where)
    alive = [f"{p.get('name')} {p.get('pid')}" for p in trial.proc_snapshot]
    if len(alive) > 1:
        parts.append(f"{len(alive)} processes running ({', '.join(alive[:4])})")
    return "; ".join(parts)


def _seconds(ns: int) -> str:
    return fmt(ns / 1000.0)
