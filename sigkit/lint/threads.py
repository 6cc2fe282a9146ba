"""Where threads are made, what they run and whether they are daemons.

Three rules ask these questions (``signal.signal`` in a thread, ``join()`` on a thread that
never ends, a never-ending non-daemon thread), so the answers are computed once per module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from sigkit.lint.index import COMPREHENSIONS, FunctionNode, ModuleIndex, Where
from sigkit.lint.nodes import argument, is_true, source_text

THREAD_CLASSES = frozenset({"threading.Thread", "threading.Timer"})
RAW_THREAD_STARTERS = frozenset({"_thread.start_new_thread", "_thread.start_new",
                                 "thread.start_new_thread"})
MAX_RESOLVE_DEPTH = 6


@dataclass(frozen=True)
class ThreadSite:
    """One place a thread is created: ``threading.Thread(target=work)``, ``Worker()`` for a
    ``threading.Thread`` subclass of this module, or ``_thread.start_new_thread(work, ())``."""

    call: ast.Call
    where: Where
    target: FunctionNode | None
    target_label: str
    daemon: bool


def thread_sites(index: ModuleIndex) -> list[ThreadSite]:
    """Every thread created in the module (use as ``index.derived(thread_sites)``)."""
    daemon_later = _calls_made_daemon_later(index)
    sites = []
    for call, where in _thread_constructions(index):
        target, label, daemon_in_class = _target_of(index, call, where)
        daemon = daemon_in_class or is_true(argument(call, "daemon"))
        sites.append(ThreadSite(call, where, target, label, daemon or call in daemon_later))
    return sites


def thread_functions(index: ModuleIndex) -> set[FunctionNode]:
    """Functions that run as a whole thread: the targets of the threads created here and the
    ``run`` methods of this module's Thread subclasses. Code written directly in them never
    sees a KeyboardInterrupt: Python raises it in the main thread only."""
    found = {site.target for site in index.derived(thread_sites) if site.target is not None}
    for thread_class in index.derived(_thread_subclasses):
        run = index.methods[thread_class].get("run")
        if run is not None:
            found.add(run)
    return found


def threads_behind(index: ModuleIndex, expr: ast.AST, where: Where) -> set[ast.Call]:
    """The thread constructions a name or expression may hold: ``t`` after
    ``t = Thread(...)``, or each ``t`` of ``for t in threads`` after
    ``threads = [Thread(...) for _ in range(4)]`` or ``threads.append(Thread(...))``."""
    constructions = {site.call for site in index.derived(thread_sites)}
    return _resolve(index, expr, where, constructions, MAX_RESOLVE_DEPTH)


def _resolve(index: ModuleIndex, expr: ast.AST, where: Where, constructions: set[ast.Call],
             depth: int) -> set[ast.Call]:
    if depth == 0:
        return set()
    if isinstance(expr, ast.Call):
        return {expr} if expr in constructions else set()
    if isinstance(expr, (ast.Name, ast.Attribute)):
        found: set[ast.Call] = set()
        for binding in index.bindings_of(expr, where):
            found |= _resolve(index, binding.expr, binding.where, constructions, depth - 1)
        return found
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        found = set()
        for element in expr.elts:
            found |= _resolve(index, element, where, constructions, depth - 1)
        return found
    if isinstance(expr, COMPREHENSIONS) and not isinstance(expr, ast.DictComp):
        return _resolve(index, expr.elt, where, constructions, depth - 1)
    if isinstance(expr, ast.Subscript):
        return _resolve(index, expr.value, where, constructions, depth - 1)
    return set()


def _thread_constructions(index: ModuleIndex) -> Iterator[tuple[ast.Call, Where]]:
    for class_name in ("Thread", "Timer", "start_new_thread", "start_new"):
        for call, where in index.calls_by_name.get(class_name, []):
            name = index.qualified_name(call.func)
            if name in THREAD_CLASSES or name in RAW_THREAD_STARTERS:
                yield call, where
    for thread_class in index.derived(_thread_subclasses):
        for call, where in index.calls_by_name.get(thread_class.name, []):
            if isinstance(call.func, ast.Name):
                yield call, where


def _thread_subclasses(index: ModuleIndex) -> list[ast.ClassDef]:
    """Classes of this module that derive from ``threading.Thread`` (directly or through
    another such class), each defined once so a name means one class."""
    found: list[ast.ClassDef] = []
    thread_bases = set(THREAD_CLASSES)
    changed = True
    while changed:
        changed = False
        for name, classes in index.classes.items():
            if len(classes) != 1 or classes[0] in found:
                continue
            if any(index.qualified_name(base) in thread_bases for base in classes[0].bases):
                found.append(classes[0])
                thread_bases.add(name)
                changed = True
    return found


def _target_of(index: ModuleIndex, call: ast.Call,
               where: Where) -> tuple[FunctionNode | None, str, bool]:
    """(target function, how to name it, daemon set by the class itself) of one site."""
    name = index.qualified_name(call.func)
    if name in RAW_THREAD_STARTERS:
        reference = call.args[0] if call.args else None
        return (*_function_and_label(index, reference, where), True)
    if name == "threading.Timer":
        reference = argument(call, "function", position=1)
    elif name == "threading.Thread":
        reference = argument(call, "target", position=1)
    else:
        assert isinstance(call.func, ast.Name)
        thread_class = index.classes[call.func.id][0]
        daemon = _class_sets_daemon(index, thread_class)
        run = index.methods[thread_class].get("run")
        if run is not None:
            return run, f"{thread_class.name}.run", daemon
        reference = argument(call, "target")
        return (*_function_and_label(index, reference, where), daemon)
    return (*_function_and_label(index, reference, where), False)


def _function_and_label(index: ModuleIndex, reference: ast.expr | None,
                        where: Where) -> tuple[FunctionNode | None, str]:
    if reference is None:
        return None, "?"
    function = index.function_named(reference, where)
    label = "lambda" if isinstance(reference, ast.Lambda) else source_text(reference)
    return function, label


def _class_sets_daemon(index: ModuleIndex, thread_class: ast.ClassDef) -> bool:
    """``self.daemon = True``, ``self.setDaemon(True)`` or ``super().__init__(daemon=True)``
    somewhere in the class."""
    for target, value, where in index.attribute_stores.get("daemon", []):
        if where.cls is thread_class and is_true(value) and isinstance(target.value, ast.Name):
            return True
    for method in ("setDaemon", "__init__"):
        for call, where in index.calls_by_name.get(method, []):
            if where.cls is thread_class and (
                    is_true(argument(call, "daemon"))
                    or (method == "setDaemon" and call.args and is_true(call.args[0]))):
                return True
    return False


def _calls_made_daemon_later(index: ModuleIndex) -> set[ast.Call]:
    """Constructions whose thread is made a daemon after the fact: ``t.daemon = True`` or
    ``t.setDaemon(True)``."""
    receivers: list[tuple[ast.expr, Where]] = [
        (target.value, where)
        for target, value, where in index.attribute_stores.get("daemon", [])
        if is_true(value)
    ]
    receivers += [
        (call.func.value, where)
        for call, where in index.calls_by_name.get("setDaemon", [])
        if isinstance(call.func, ast.Attribute) and call.args and is_true(call.args[0])
    ]
    made_daemon: set[ast.Call] = set()
    constructions = {call for call, _ in _thread_constructions(index)}
    for receiver, where in receivers:
        made_daemon |= _resolve(index, receiver, where, constructions, MAX_RESOLVE_DEPTH)
    return made_daemon
