"""Small control-flow questions the rules ask: does this code leave, re-raise, loop forever?

All answers are about the code as written in one function body: what a called function does
is out of sight (each rule's documentation says so).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from sigkit.lint.index import DEFINITIONS, LOOPS, FunctionNode, ModuleIndex, Where
from sigkit.lint.nodes import terminal_name

PROGRAM_EXITS = frozenset({"sys.exit", "os._exit", "os.abort", "exit", "quit", "os.kill",
                           "os.killpg", "signal.raise_signal"})
_SLOW_NODES = (ast.Call, ast.Import, ast.ImportFrom, ast.Await, ast.With, ast.AsyncWith,
               ast.For, ast.AsyncFor, ast.While)
REPORTING_CALLS = frozenset({"print", "str", "repr", "format", "type", "isinstance", "len",
                             "debug", "info", "warning", "warn", "error", "exception",
                             "critical", "log", "write", "print_exc", "print_exception",
                             "format_exc", "format_exception"})


def local_nodes(roots: Iterable[ast.AST]) -> Iterator[ast.AST]:
    """Every node under ``roots`` that runs as part of this code: nested functions, lambdas
    and classes are skipped because their bodies run some other time (or never)."""
    stack = list(roots)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, DEFINITIONS):
                stack.append(child)


def exits_program(index: ModuleIndex, call: ast.Call) -> bool:
    """``sys.exit()``, ``os._exit()``, ``exit()``...: the program stops, nothing is swallowed."""
    return index.qualified_name(call.func) in PROGRAM_EXITS


def lets_exception_out(index: ModuleIndex, body: list[ast.stmt]) -> bool:
    """True if the code raises (re-raises or raises something else) or ends the program."""
    for node in local_nodes(body):
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Call) and exits_program(index, node):
            return True
    return False


def interrupt_clause(index: ModuleIndex, handler: ast.ExceptHandler,
                     where: Where) -> str | None:
    """How an ``except`` clause catches KeyboardInterrupt, as the source spells it: a bare
    ``except:``, ``BaseException`` or ``KeyboardInterrupt`` itself, alone or in a tuple -
    also a tuple kept in a name (``except REraised:`` after
    ``REraised = (KeyboardInterrupt, SystemExit)``); None if it does not catch it."""
    if handler.type is None:
        return "bare `except:`"
    caught = _elements(handler.type)
    for binding in index.bindings_of(handler.type, where):
        if binding.kind == "value" and isinstance(binding.expr, ast.Tuple):
            caught += _elements(binding.expr)
    names = {index.qualified_name(kind) for kind in caught}
    for name in ("KeyboardInterrupt", "BaseException"):
        if name in names or f"builtins.{name}" in names:
            return f"`except {name}`"
    return None


def _elements(expr: ast.expr) -> list[ast.expr]:
    return list(expr.elts) if isinstance(expr, ast.Tuple) else [expr]


def may_take_time(body: list[ast.stmt]) -> bool:
    """True if the code calls something, imports, awaits, enters a ``with`` or loops: the kinds
    of statement a program can spend seconds in, and so where a Ctrl-C is likely to land."""
    return any(isinstance(node, _SLOW_NODES) for node in local_nodes(body))


def hands_off_exception(handler: ast.ExceptHandler) -> bool:
    """True if the caught exception is passed on rather than dropped: stored, returned, given
    to a callback (``future.set_exception(e)``), or captured with ``sys.exc_info()``.

    Printing or logging it does not count: the interrupt is still gone afterwards.
    """
    bound = handler.name
    for node in local_nodes(handler.body):
        if isinstance(node, ast.Call):
            callee = terminal_name(node.func)
            if callee == "exc_info":
                return True
            if callee not in REPORTING_CALLS and any(
                    _passes_on(argument, bound) for argument in _call_arguments(node)):
                return True
        elif (isinstance(node, (ast.Assign, ast.AnnAssign, ast.Return, ast.Yield))
              and node.value is not None and _passes_on(node.value, bound)):
            return True
    return False


def leaves_loop(body: list[ast.stmt]) -> bool:
    """True if the code ends the loop it is in: ``return``, or a ``break`` of this loop (a
    ``break`` inside an inner loop's body only ends that inner loop)."""
    stack: list[tuple[ast.AST, bool]] = [(statement, True) for statement in body]
    while stack:
        node, breaks_this_loop = stack.pop()
        if isinstance(node, ast.Return) or (isinstance(node, ast.Break) and breaks_this_loop):
            return True
        for field, value in ast.iter_fields(node):
            inner_body = isinstance(node, LOOPS) and field == "body"
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST) and not isinstance(child, DEFINITIONS):
                    stack.append((child, breaks_this_loop and not inner_body))
    return False


def names_read(expr: ast.AST) -> set[str]:
    """Names and attribute names an expression reads: ``not self.stop.is_set()`` reads
    ``self``, ``stop`` and ``is_set``."""
    found: set[str] = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
    return found


def names_touched(body: list[ast.stmt]) -> set[str]:
    """Names the code assigns or calls a method on: ``stop = True``, ``self.running = False``,
    ``stop_event.set()``; a loop whose condition reads one of them may be told to end."""
    found: set[str] = set()
    for node in local_nodes(body):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            targets = [node.func.value]
        for target in targets:
            name = terminal_name(target)
            if name is not None:
                found.add(name)
    return found


def endless_loop(function: FunctionNode, index: ModuleIndex) -> ast.While | None:
    """The ``while True:`` loop that never ends in ``function``, if there is one.

    "Never ends" means nothing in the loop leaves it: no ``break`` of its own, no ``return``,
    no ``raise``, no ``sys.exit()``. A loop inside ``try: ... except ...:`` is taken to end by
    an exception (``except OSError`` after the main thread closes the socket is a common way
    to stop a server thread). A generator is never endless here: as a thread target it
    returns at once.
    """
    if isinstance(function, ast.Lambda):
        return None
    body_nodes = list(local_nodes(function.body))
    if any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in body_nodes):
        return None
    expected_to_raise = {
        inner for node in body_nodes if isinstance(node, ast.Try) and node.handlers
        for inner in local_nodes(node.body) if isinstance(inner, ast.While)
    }
    for node in body_nodes:
        if (isinstance(node, ast.While) and _always_true(node.test)
                and node not in expected_to_raise and not _loop_has_exit(node, index)):
            return node
    return None


def _loop_has_exit(loop: ast.While, index: ModuleIndex) -> bool:
    return leaves_loop(loop.body) or lets_exception_out(index, loop.body)


def _always_true(test: ast.expr) -> bool:
    return isinstance(test, ast.Constant) and bool(test.value) and test.value is not Ellipsis


def _passes_on(expr: ast.AST, name: str | None) -> bool:
    """True if ``expr`` carries the exception object itself (``e``, ``(False, e)``), not just
    a description of it (``str(e)``, ``f"{e}"``)."""
    if name is None:
        return False
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and node.id == name:
            return True
        reporting = isinstance(node, ast.Call) and terminal_name(node.func) in REPORTING_CALLS
        if not reporting and not isinstance(node, (ast.JoinedStr, *DEFINITIONS)):
            stack.extend(ast.iter_child_nodes(node))
    return False


def _call_arguments(call: ast.Call) -> list[ast.expr]:
    return [*call.args, *(keyword.value for keyword in call.keywords)]
