"""The signal worked and the program is on its way out, but its clean-up takes its time: a
``finally:`` block, an ``except`` that tidies up, a signal handler that closes things first."""

from __future__ import annotations

import ast
import linecache

from sigkit import causes
from sigkit.diagnose.evidence import Evidence, is_probe_frame
from sigkit.diagnose.rules.common import main_where, signal_path
from sigkit.diagnose.source import quoted
from sigkit.findings import Finding, finding
from sigkit.stacks import Frame, is_library
from sigkit.units import fmt


def _block_kind(ev: Evidence, frame: Frame) -> str | None:
    """``finally``/``except`` when the frame's line sits in such a block of its file."""
    path = ev.resolve(frame.filename)
    try:
        tree = ast.parse("".join(linecache.getlines(path)))
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        if _spans(node.finalbody, frame.line):
            return "finally"
        if any(_spans(h.body, frame.line) and _reraises(h) for h in node.handlers):
            return "except"
    return None


def _reraises(handler: ast.ExceptHandler) -> bool:
    """An ``except`` that tidies up and raises again: clean-up, not a swallowed interrupt."""
    return any(isinstance(node, ast.Raise) for node in ast.walk(handler))


def _spans(body: list[ast.stmt], line: int) -> bool:
    return bool(body) and body[0].lineno <= line <= (body[-1].end_lineno or body[-1].lineno)


def cleaning_up(ev: Evidence) -> tuple[Frame, str] | None:
    """The user's frame that is cleaning up, and how: inside a ``finally:``/``except`` block, or
    inside a Python signal handler (called by sigkit's handler wrapper)."""
    main = ev.main_stack
    if main is None or ev.handler_us is None:
        return None
    frames = main.frames
    for index, frame in enumerate(frames):
        if is_library(frame) or is_probe_frame(frame):
            continue
        caller = frames[index + 1] if index + 1 < len(frames) else None
        if caller is not None and is_probe_frame(caller):
            return frame, f"the signal handler `{frame.function}`"
        kind = _block_kind(ev, frame)
        if kind is not None:
            return frame, f"a `{kind}:` block"
    return None


def slow_cleanup(ev: Evidence) -> list[Finding]:
    """Still cleaning up when the deadline passed (or, with a long deadline, when sigkit looked)."""
    if not (ev.deadline_missed or (ev.look_us is not None and ev.ended_by_itself)):
        return []
    found = cleaning_up(ev)
    if found is None:
        return []
    frame, how = found
    when = ("when the deadline passed" if ev.deadline_missed
            else f"when sigkit looked, {fmt(ev.look_us)} after the first signal")
    evidence = [*signal_path(ev), *main_where(ev),
                f"still cleaning up at {frame.where()} {when}, in {how}: {quoted(ev, frame)}"]
    if ev.ended_by_itself:
        evidence.insert(0, f"the clean-up finished by itself: the program exited "
                           f"{fmt(ev.exit_us)} after the first signal")
        return [finding("slow-cleanup", evidence, severity=causes.INFO)]
    if ev.ender:
        evidence.append(f"{ev.ender} cut the clean-up short")
    fix = (f"The clean-up at {frame.where()} outlasts the grace it was given: bound it with a "
           "timeout, do the slow part before the stop, or give it the time it needs "
           f"(probe with `--deadline` longer than the clean-up to see it finish).")
    return [finding("slow-cleanup", evidence, fix)]
