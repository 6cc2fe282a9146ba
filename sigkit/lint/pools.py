"""Process pools and executors: how they are created and what their workers run first."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from sigkit.lint.index import FunctionNode, ModuleIndex, Where
from sigkit.lint.nodes import argument

POOL_NAMES = frozenset({"multiprocessing.Pool", "multiprocessing.pool.Pool"})
CONTEXT_FACTORIES = frozenset({"multiprocessing.get_context"})
EXECUTOR_NAMES = frozenset({
    "concurrent.futures.ThreadPoolExecutor",
    "concurrent.futures.thread.ThreadPoolExecutor",
    "concurrent.futures.ProcessPoolExecutor",
    "concurrent.futures.process.ProcessPoolExecutor",
})
POOL_INITIALIZER_POSITION = 1


def pool_constructions(index: ModuleIndex) -> Iterator[tuple[ast.Call, Where]]:
    """``multiprocessing.Pool(...)`` and ``get_context(...).Pool(...)`` (the latter also via a
    name: ``ctx = multiprocessing.get_context("spawn")``, then ``ctx.Pool()``)."""
    for call, where in index.calls_by_name.get("Pool", []):
        name = index.qualified_name(call.func)
        if name in POOL_NAMES or _made_by_context(index, call.func, where):
            yield call, where


def _made_by_context(index: ModuleIndex, func: ast.expr, where: Where) -> bool:
    if not isinstance(func, ast.Attribute):
        return False
    owner = func.value
    candidates = [owner] + [binding.expr for binding in index.bindings_of(owner, where)
                            if binding.kind == "value"]
    return any(isinstance(candidate, ast.Call)
               and index.qualified_name(candidate.func) in CONTEXT_FACTORIES
               for candidate in candidates)


def pool_initializer(call: ast.Call) -> ast.expr | None:
    """The ``initializer`` of a ``Pool(processes, initializer, ...)`` call, if any."""
    return argument(call, "initializer", POOL_INITIALIZER_POSITION)


def process_entry_points(index: ModuleIndex) -> set[FunctionNode]:
    """Functions of this module that begin another process's life: ``initializer=`` of a pool
    or executor, ``target=`` of a ``Process``. Signal set-up there happens in the child, whose
    end the parent decides - ignoring SIGINT there is the usual, correct pattern."""
    references = [(argument(call, "initializer"), where)
                  for calls in index.calls_by_name.values() for call, where in calls]
    references += [(pool_initializer(call), where) for call, where in pool_constructions(index)]
    references += [(argument(call, "target"), where)
                   for call, where in index.calls_by_name.get("Process", [])]
    found: set[FunctionNode] = set()
    for reference, where in references:
        function = index.function_named(reference, where) if reference is not None else None
        if function is not None:
            found.add(function)
    return found


def executor_kind(index: ModuleIndex, expr: ast.expr) -> str | None:
    """``"ThreadPoolExecutor"`` or ``"ProcessPoolExecutor"`` if ``expr`` creates one."""
    if not isinstance(expr, ast.Call):
        return None
    name = index.qualified_name(expr.func)
    return name.rsplit(".", 1)[-1] if name in EXECUTOR_NAMES else None
