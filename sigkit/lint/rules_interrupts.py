"""SK101, SK102: ``except`` clauses that catch KeyboardInterrupt and drop it.

Ctrl-C reaches Python code as a KeyboardInterrupt exception raised wherever the main thread
happens to be. Any handler that catches it (a bare ``except:``, ``except BaseException`` or
``except KeyboardInterrupt``) and neither re-raises nor exits makes that Ctrl-C disappear.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from sigkit.lint.findings import Hit
from sigkit.lint.flow import (
    hands_off_exception,
    interrupt_clause,
    leaves_loop,
    lets_exception_out,
    may_take_time,
    names_read,
    names_touched,
)
from sigkit.lint.index import ModuleIndex, Where
from sigkit.lint.rule import Rule, triggers
from sigkit.lint.threads import thread_functions

INTERRUPT = "KeyboardInterrupt"


@dataclass(frozen=True)
class Swallow:
    """A handler that catches KeyboardInterrupt and lets neither it nor the program go."""

    handler: ast.ExceptHandler
    clause: str
    loop_goes_on: bool


def swallowed_interrupts(index: ModuleIndex) -> list[Swallow]:
    """Every handler that swallows KeyboardInterrupt (for ``index.derived``).

    Only ``try`` bodies that may take time count: a Ctrl-C lands where the program spends its
    time, and a body that only reads a variable or an item is over in microseconds. Code
    that runs as a thread's target is skipped: KeyboardInterrupt is raised in the main thread
    only.
    """
    found = []
    in_threads = index.derived(thread_functions)
    for try_node, where in index.trys:
        if where.function in in_threads or not may_take_time(try_node.body):
            continue
        for handler in try_node.handlers:
            clause = interrupt_clause(index, handler, where)
            if clause is None:
                continue
            if not lets_exception_out(index, handler.body) and not hands_off_exception(handler):
                found.append(Swallow(handler, clause, _loop_goes_on(handler, where)))
            break  # later clauses never see a KeyboardInterrupt: this one took it
    return found


def _loop_goes_on(handler: ast.ExceptHandler, where: Where) -> bool:
    """True if the handler sits in a loop and neither leaves it nor changes what its
    ``while`` condition reads (``except KeyboardInterrupt: stop = True`` is a clean stop)."""
    if where.loop is None or leaves_loop(handler.body):
        return False
    if isinstance(where.loop, ast.While):
        return not names_touched(handler.body) & names_read(where.loop.test)
    return True


def _swallowed_once(index: ModuleIndex) -> Iterator[Hit]:
    for swallow in index.derived(swallowed_interrupts):
        if not swallow.loop_goes_on and INTERRUPT not in swallow.clause:
            yield Hit(swallow.handler, f"{swallow.clause} catches KeyboardInterrupt and drops "
                                       "it: a Ctrl-C that lands in this `try` is lost")


def _swallowed_in_loop(index: ModuleIndex) -> Iterator[Hit]:
    for swallow in index.derived(swallowed_interrupts):
        if swallow.loop_goes_on:
            yield Hit(swallow.handler, f"{swallow.clause} inside a loop drops KeyboardInterrupt "
                                       "and the loop goes on: every Ctrl-C that lands in this "
                                       "`try` is lost")


_TRIGGERS = triggers(r"except\s*:", "BaseException", "KeyboardInterrupt")

RULES = (
    Rule(
        code="SK101",
        name="interrupt-swallowed",
        summary="a bare `except:` or `except BaseException` drops KeyboardInterrupt",
        why="Ctrl-C is delivered as a KeyboardInterrupt raised wherever the main thread is. "
            "A bare `except:` or `except BaseException` catches it like any error; if the "
            "handler does not re-raise, the program carries on as if nothing was pressed.",
        fix="Catch `Exception` instead (KeyboardInterrupt and SystemExit are not Exceptions), "
            "or re-raise: `except BaseException: cleanup(); raise`. For clean-up that must "
            "always run, use `finally:`.",
        cannot_see="Calls: a handler that calls a function which re-raises or exits is "
                   "reported anyway. Handlers that pass the exception on (store it, return it, "
                   "hand it to `future.set_exception(e)`, read `sys.exc_info()`) are trusted "
                   "to re-raise it elsewhere. Handlers inside loops are SK102.",
        triggers=_TRIGGERS,
        check=_swallowed_once,
    ),
    Rule(
        code="SK102",
        name="interrupt-swallowed-in-loop",
        summary="KeyboardInterrupt is caught inside a loop and the loop goes on",
        why="Inside a loop, a handler that swallows KeyboardInterrupt turns every Ctrl-C into "
            "'next iteration': however often it is pressed, the loop never stops. This is the "
            "classic 'Ctrl-C does nothing' program; explicit `except KeyboardInterrupt:` "
            "counts here too.",
        fix="Leave the loop on KeyboardInterrupt (`break`, `return` or `raise`), or set a flag "
            "the `while` condition checks. Catch `Exception` for the per-item errors you "
            "meant to skip. A REPL that deliberately survives Ctrl-C can keep the handler "
            "with `# noqa: SK102`.",
        cannot_see="Only the innermost loop of the same function is considered; a flag is "
                   "recognised only when the handler assigns (or calls a method on) a name the "
                   "`while` condition reads. Calls that exit from inside another function are "
                   "not followed.",
        triggers=_TRIGGERS,
        check=_swallowed_in_loop,
    ),
)
