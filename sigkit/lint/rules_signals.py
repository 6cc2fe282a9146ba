"""SK103, SK104, SK105: SIGINT handlers that ignore Ctrl-C or cannot be installed.

``signal.signal(SIGINT, ...)`` decides what Ctrl-C does for the whole process. ``SIG_IGN``
or a handler that only prints means Ctrl-C does nothing; and only the main thread may call
``signal.signal`` at all.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from sigkit.lint.findings import Hit
from sigkit.lint.flow import REPORTING_CALLS
from sigkit.lint.index import FunctionNode, ModuleIndex
from sigkit.lint.nodes import terminal_name
from sigkit.lint.pools import process_entry_points
from sigkit.lint.rule import Rule, triggers
from sigkit.lint.signals import (
    is_sig_ign,
    restored_later,
    sigint_installs,
    signal_installs,
)
from sigkit.lint.threads import thread_sites

MAX_CALL_DEPTH = 3


def _sigint_ignored(index: ModuleIndex) -> Iterator[Hit]:
    candidates = [install for install in sigint_installs(index)
                  if is_sig_ign(index, install.handler) and not restored_later(index, install)]
    if not candidates:
        return
    child_setup = index.derived(process_entry_points)
    for install in candidates:
        if install.where.scope not in child_setup:
            yield Hit(install.call, "SIGINT is set to SIG_IGN and never restored here: Ctrl-C "
                                    "does nothing from now on, in this process and in every "
                                    "child it starts")


def _sigint_handler_does_nothing(index: ModuleIndex) -> Iterator[Hit]:
    for install in sigint_installs(index):
        handler = index.function_named(install.handler, install.where)
        if handler is not None and _does_nothing(handler) and not restored_later(index,
                                                                                 install):
            name = "lambda" if isinstance(handler, ast.Lambda) else handler.name
            yield Hit(install.call, f"the SIGINT handler `{name}` neither raises, exits nor "
                                    "records the request: Ctrl-C is swallowed")


def _does_nothing(function: FunctionNode) -> bool:
    """True if the body only passes, prints or logs: nothing changes when Ctrl-C arrives."""
    if isinstance(function, ast.Lambda):
        return _is_reporting_or_constant(function.body)
    return all(
        isinstance(statement, ast.Pass)
        or (isinstance(statement, ast.Expr) and _is_reporting_or_constant(statement.value))
        for statement in function.body
    )


def _is_reporting_or_constant(expr: ast.expr) -> bool:
    if isinstance(expr, ast.Constant):
        return True
    return isinstance(expr, ast.Call) and terminal_name(expr.func) in REPORTING_CALLS


def _signal_in_thread(index: ModuleIndex) -> Iterator[Hit]:
    reported: set[ast.Call] = set()
    installs = {install.call for install in index.derived(signal_installs)}
    for site in index.derived(thread_sites):
        if site.target is None:
            continue
        for call in _calls_reachable(index, site.target, installs):
            if call not in reported:
                reported.add(call)
                yield Hit(call, f"`signal.signal()` runs in a thread (reached from "
                                f"`{site.target_label}`, the thread created at line "
                                f"{site.call.lineno}): outside the main thread it raises "
                                "ValueError, so this handler is never installed")


def _calls_reachable(index: ModuleIndex, start: FunctionNode,
                     wanted: set[ast.Call]) -> list[ast.Call]:
    """Calls in ``wanted`` made by ``start`` or by this module's functions it calls (a few
    levels deep)."""
    found: list[ast.Call] = []
    seen: set[FunctionNode] = set()
    level: list[FunctionNode] = [start]
    for _ in range(MAX_CALL_DEPTH):
        next_level: list[FunctionNode] = []
        for function in level:
            seen.add(function)
            for call, where in index.calls_in(function):
                if call in wanted:
                    found.append(call)
                callee: FunctionNode | None = index.function_named(call.func, where)
                if callee is not None and callee not in seen:
                    next_level.append(callee)
        level = next_level
    return found


_TRIGGERS = triggers("signal")

RULES = (
    Rule(
        code="SK103",
        name="sigint-ignored",
        summary="`signal.signal(SIGINT, SIG_IGN)`: Ctrl-C is switched off",
        why="With SIGINT ignored, the kernel discards Ctrl-C before Python sees it: no "
            "KeyboardInterrupt, no handler, nothing. The setting is inherited by child "
            "processes and survives `exec`, so programs started from here ignore Ctrl-C too.",
        fix="Install a handler that records the request (set a flag or an Event) and stop "
            "at the next safe point, or restore the old handler when the critical section "
            "ends: `old = signal.signal(SIGINT, SIG_IGN)` ... `signal.signal(SIGINT, old)` "
            "in a `finally:`.",
        cannot_see="Not reported: a later `signal.signal(SIGINT, ...)` in the same function "
                   "(a temporary change), and functions passed as `initializer=` to a pool or "
                   "as `target=` to a `Process` (a child that ignores SIGINT while its parent "
                   "decides when it ends is the right pattern). Restores made in another "
                   "function, and helper processes started some other way (a command line), "
                   "are not seen.",
        triggers=_TRIGGERS,
        check=_sigint_ignored,
    ),
    Rule(
        code="SK104",
        name="sigint-handler-does-nothing",
        summary="a SIGINT handler that only passes, prints or logs",
        why="Installing a Python handler replaces the default one that raises "
            "KeyboardInterrupt. If the new handler just prints, Ctrl-C is acknowledged and "
            "then ignored: the program keeps running.",
        fix="Raise KeyboardInterrupt (or call `signal.default_int_handler`), call "
            "`sys.exit()`, or set a flag/Event that the main loop checks so the program "
            "shuts down at the next safe point.",
        cannot_see="Only handlers defined in the same module (a `def` or a `lambda`) are "
                   "inspected; a handler that calls a helper is assumed to do something.",
        triggers=_TRIGGERS,
        check=_sigint_handler_does_nothing,
    ),
    Rule(
        code="SK105",
        name="signal-in-thread",
        summary="`signal.signal()` called from a thread's target",
        why="Python only lets the main thread install signal handlers; anywhere else "
            "`signal.signal()` raises ValueError. The thread dies (often silently) and the "
            "handler meant to make Ctrl-C work is never installed. Handlers also always run "
            "in the main thread, never in the thread that installed them.",
        fix="Install handlers in the main thread before starting threads, and let the "
            "handler signal the threads (an Event they check).",
        cannot_see="Targets are followed only through functions of the same module, up to "
                   f"{MAX_CALL_DEPTH} calls deep; threads created by executors "
                   "(`submit`) and targets passed in from elsewhere are not seen.",
        triggers=_TRIGGERS,
        check=_signal_in_thread,
    ),
)
