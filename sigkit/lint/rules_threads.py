"""SK106, SK107: threads that never end.

A Ctrl-C only ever interrupts the main thread. A thread whose target is a ``while True:``
with no way out keeps running; whoever waits for it (``join()``, or the interpreter itself
at exit for non-daemon threads) waits forever.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from sigkit.lint.findings import Hit
from sigkit.lint.flow import endless_loop
from sigkit.lint.index import ModuleIndex
from sigkit.lint.nodes import argument, source_text
from sigkit.lint.rule import Rule, triggers
from sigkit.lint.threads import ThreadSite, thread_sites, threads_behind


def _endless_sites(index: ModuleIndex) -> dict[ast.Call, tuple[ThreadSite, ast.While]]:
    """Thread constructions whose target loops forever, with that loop."""
    found = {}
    for site in index.derived(thread_sites):
        loop = endless_loop(site.target, index) if site.target is not None else None
        if loop is not None:
            found[site.call] = (site, loop)
    return found


def _join_without_timeout(index: ModuleIndex) -> Iterator[Hit]:
    endless = index.derived(_endless_sites)
    if not endless:
        return
    for call, where in index.calls_by_name.get("join", []):
        if not isinstance(call.func, ast.Attribute) or _has_timeout(call):
            continue
        for construction in sorted(threads_behind(index, call.func.value, where),
                                   key=lambda node: node.lineno):
            if construction in endless:
                site, loop = endless[construction]
                receiver = source_text(call.func.value)
                yield Hit(call, f"`{receiver}.join()` has no timeout but `{site.target_label}` "
                                f"never returns (its `while True` at line {loop.lineno} has "
                                "no way out): this join can only end in an exception")
                break


def _has_timeout(call: ast.Call) -> bool:
    timeout = argument(call, "timeout", position=0)
    return timeout is not None and not (isinstance(timeout, ast.Constant)
                                        and timeout.value is None)


def _endless_non_daemon(index: ModuleIndex) -> Iterator[Hit]:
    for site, loop in index.derived(_endless_sites).values():
        if not site.daemon:
            yield Hit(site.call, f"non-daemon thread runs `{site.target_label}`, whose "
                                 f"`while True` (line {loop.lineno}) has no way out: after "
                                 "Ctrl-C the interpreter waits for it at exit and the program "
                                 "hangs")


_TRIGGERS = triggers("Thread", "Timer", "start_new")

RULES = (
    Rule(
        code="SK106",
        name="join-endless-thread",
        summary="`join()` with no timeout on a thread whose target never returns",
        why="The join can never return normally, so the main thread's only way on is an "
            "exception. Whether Ctrl-C gets through depends on the platform and version: on "
            "Windows a lock wait without timeout is not interrupted by Ctrl-C, and from "
            "Python 3.13 a non-daemon thread interrupted in `join()` is still waited for at "
            "exit, so the program hangs after the traceback.",
        fix="Give the thread a way out (`while not stop.is_set():`) and set the Event from "
            "a `finally:` or KeyboardInterrupt handler before joining; or join in short "
            "slices: `while t.is_alive(): t.join(0.5)`.",
        cannot_see="The thread is followed from its construction (`t = Thread(...)`, a list "
                   "or `append` of them, `for t in threads`, `self.t`) within one module. "
                   "Only the target's own body is examined: a loop inside a function it calls, "
                   "or a `break` hidden in a called function, is not seen.",
        triggers=_TRIGGERS,
        check=_join_without_timeout,
    ),
    Rule(
        code="SK107",
        name="endless-non-daemon-thread",
        summary="a non-daemon thread whose target is a `while True` with no way out",
        why="At exit - including the exit caused by an uncaught KeyboardInterrupt - the "
            "interpreter waits for every non-daemon thread. This one never finishes, so "
            "Ctrl-C prints a traceback and then the program hangs; only a second Ctrl-C "
            "(or kill) ends it.",
        fix="Give the loop a stop condition (`while not stop.is_set():`) and set it on the "
            "way out, or make the thread a daemon (`daemon=True`) if it may be killed "
            "mid-work at exit.",
        cannot_see="Daemon status is seen from `daemon=True`, `t.daemon = True`, "
                   "`t.setDaemon(True)` and a Thread subclass setting it; not from "
                   "`threading.current_thread()` inheritance or attributes set elsewhere. "
                   "Only the target's own body is examined.",
        triggers=_TRIGGERS,
        check=_endless_non_daemon,
    ),
)
