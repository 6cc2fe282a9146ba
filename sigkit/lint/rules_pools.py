"""SK108, SK109: pools of workers that outlive or mishandle a Ctrl-C.

Leaving ``with ThreadPoolExecutor()`` waits for all submitted work; a ``multiprocessing``
pool's workers share the terminal's process group, so each of them gets the SIGINT as well.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from sigkit.lint.findings import Hit
from sigkit.lint.flow import interrupt_clause, local_nodes
from sigkit.lint.index import ModuleIndex, Where
from sigkit.lint.nodes import argument, inside, is_true, source_text, terminal_name
from sigkit.lint.pools import executor_kind, pool_constructions, pool_initializer
from sigkit.lint.rule import Rule, triggers
from sigkit.lint.signals import ignores_sigint


def _executor_waits(index: ModuleIndex) -> Iterator[Hit]:
    for with_node, where in index.withs:
        for item in with_node.items:
            executor, created = item.optional_vars, item.context_expr
            kind = executor_kind(index, created)
            if kind is None or not isinstance(executor, ast.Name):
                continue
            queued = _queued_submit(index, with_node, executor.id)
            if queued is not None and not _cancels_futures(index, where):
                yield Hit(created,
                          f"after Ctrl-C, leaving `with {kind}` waits for every queued "
                          f"task: the `submit()` loop at line {queued.lineno} keeps them "
                          "coming; cancel them with `shutdown(cancel_futures=True)`")


def _queued_submit(index: ModuleIndex, with_node: ast.With, executor: str) -> ast.Call | None:
    """A ``executor.submit(...)`` made in a loop (or comprehension) inside the ``with``: more
    tasks than workers, so some wait in the queue."""
    for call, where in index.calls_by_name.get("submit", []):
        func = call.func
        if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.value.id == executor and where.loop is not None
                and inside(where.loop, with_node)):
            return call
    return None


def _cancels_futures(index: ModuleIndex, where: Where) -> bool:
    """``shutdown(cancel_futures=True)`` anywhere in the function, or ``future.cancel()`` in a
    handler that catches KeyboardInterrupt."""
    return any(terminal_name(call.func) == "shutdown"
               and is_true(argument(call, "cancel_futures"))
               for call, _ in index.calls_in(where.scope)
               ) or _on_interrupt_calls(index, where, "cancel")


def _pool_unprepared(index: ModuleIndex) -> Iterator[Hit]:
    for call, where in pool_constructions(index):
        if _on_interrupt_calls(index, where, "terminate"):
            continue
        initializer = pool_initializer(call)
        if initializer is None:
            yield Hit(call, "`Pool()` without Ctrl-C handling: SIGINT reaches every worker, "
                            "each dies mid-task with its own traceback; ignore SIGINT in the "
                            "workers (`initializer=`) and `terminate()` on KeyboardInterrupt")
            continue
        function = index.function_named(initializer, where)
        if function is not None and not ignores_sigint(index, function):
            yield Hit(call, f"`Pool()` initializer `{source_text(initializer)}` does not "
                            "ignore SIGINT and nothing terminates the pool on "
                            "KeyboardInterrupt: every worker gets the Ctrl-C too")


def _on_interrupt_calls(index: ModuleIndex, where: Where, method: str) -> bool:
    """True if a handler in the same function that catches KeyboardInterrupt calls
    ``something.method()`` (``pool.terminate()``, ``future.cancel()``)."""
    for try_node, try_where in index.trys:
        if try_where.scope is not where.scope:
            continue
        for handler in try_node.handlers:
            if interrupt_clause(index, handler, try_where) is not None and any(
                    isinstance(node, ast.Call) and terminal_name(node.func) == method
                    for node in local_nodes(handler.body)):
                return True
    return False


RULES = (
    Rule(
        code="SK108",
        name="executor-waits-after-interrupt",
        summary="`with ThreadPoolExecutor()` / `ProcessPoolExecutor()` queues work that "
                "still runs after Ctrl-C",
        why="Leaving the `with` block - also because of a KeyboardInterrupt - calls "
            "`shutdown(wait=True)`, which waits for every task already submitted, queued ones "
            "included. After Ctrl-C the program sits there until the whole queue is done. "
            "(`executor.map()` is not reported: its result iterator cancels what is left "
            "when the interrupt goes through it.)",
        fix="Catch KeyboardInterrupt inside the `with` and call "
            "`executor.shutdown(wait=False, cancel_futures=True)` (Python 3.9+), or "
            "`future.cancel()` for each future, before re-raising; long tasks should also "
            "check a stop Event, since running tasks are never cancelled.",
        cannot_see="Only `submit()` calls in a loop or comprehension inside the `with` are "
                   "counted as queued work, and only on the name bound by `as`. Executors "
                   "created without `with` (shut down at interpreter exit) are not checked. "
                   "A `shutdown(cancel_futures=True)` anywhere in the same function, or a "
                   "KeyboardInterrupt handler there calling `.cancel()`, counts as handled.",
        triggers=triggers("PoolExecutor"),
        check=_executor_waits,
    ),
    Rule(
        code="SK109",
        name="pool-without-interrupt-handling",
        summary="`multiprocessing.Pool` with no Ctrl-C handling in its workers",
        why="Ctrl-C sends SIGINT to the whole foreground process group, so every pool worker "
            "gets a KeyboardInterrupt too: each dies in the middle of its task and prints its "
            "own traceback, results are lost, and `with Pool()` or not, clean-up code in the "
            "tasks is cut short.",
        fix="Start the workers with `initializer=` a function that calls "
            "`signal.signal(signal.SIGINT, signal.SIG_IGN)`, so only the parent reacts; in "
            "the parent, `except KeyboardInterrupt: pool.terminate(); pool.join(); raise`.",
        cannot_see="Either piece counts as handling: an initializer that ignores SIGINT "
                   "(an initializer imported from elsewhere is trusted), or a KeyboardInterrupt "
                   "handler in the same function that calls `.terminate()`. Pools created in "
                   "one function and cleaned up in another are reported.",
        triggers=triggers("Pool"),
        check=_pool_unprepared,
    ),
)
