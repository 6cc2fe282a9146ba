"""SK111: a loop that runs entirely in C over an endless iterator.

The C handler for SIGINT only sets a flag; Python acts on it between bytecodes. ``x in
itertools.count()`` or ``list(itertools.repeat(0))`` loop inside C code that never returns
to the bytecode loop and never checks for signals, so the flag is never looked at.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from sigkit.lint.findings import Hit
from sigkit.lint.index import ModuleIndex
from sigkit.lint.nodes import argument, source_text
from sigkit.lint.rule import Rule, triggers

CONSUMERS = frozenset({"list", "tuple", "set", "frozenset", "sorted", "sum", "min", "max",
                       "dict", "collections.deque"})


def _endless_iterator(index: ModuleIndex, expr: ast.expr) -> bool:
    """``itertools.count(...)``, ``itertools.cycle(x)``, ``itertools.repeat(x)`` (no times)."""
    if not isinstance(expr, ast.Call):
        return False
    name = index.qualified_name(expr.func)
    if name == "itertools.repeat":
        return len(expr.args) == 1 and argument(expr, "times") is None
    return name in ("itertools.count", "itertools.cycle")


def _c_loops_forever(index: ModuleIndex) -> Iterator[Hit]:
    for test, _ in index.membership_tests:
        if any(_endless_iterator(index, operand) for operand in test.comparators):
            yield Hit(test, f"`{source_text(test)}` searches inside C code that never checks for "
                            "signals: if the value never comes it loops forever, and Ctrl-C "
                            "is recorded but never acted on")
    for consumer in CONSUMERS:
        for call, _ in index.calls_by_name.get(consumer.rsplit(".", 1)[-1], []):
            if (index.qualified_name(call.func) == consumer and call.args
                    and _endless_iterator(index, call.args[0])):
                yield Hit(call, f"`{source_text(call)}` loops forever inside C code that never "
                                "checks for signals: Ctrl-C is recorded but never acted on")





RULES = (
    Rule(
        code="SK111",
        name="endless-c-loop",
        summary="`x in itertools.count()`, `list(itertools.repeat(x))`: an endless loop in C",
        why="Python's SIGINT handler runs between bytecodes of the main thread. These "
            "expressions iterate inside C functions that never come back to the bytecode "
            "loop and never call PyErr_CheckSignals: the Ctrl-C is noted and never handled. "
            "Only a signal Python does not handle (SIGTERM, SIGKILL) ends the process.",
        fix="Iterate in Python (`for n in itertools.count(): if n == x: ...`) so the "
            "interpreter checks for signals between turns, or bound the iterator "
            "(`itertools.islice`, `range`).",
        cannot_see="Whether `x in itertools.count()` finds its value: it is reported "
                   "anyway. Only the itertools iterators that never end (count, cycle, repeat "
                   "without `times`) written directly in the `in` test or as the argument of "
                   "list(), tuple(), set(), sorted(), sum(), min(), max(), dict() or deque(). "
                   "Endless iterators passed through a variable, and other C code that loops "
                   "without checking signals, are not seen.",
        triggers=triggers("itertools"),
        check=_c_loops_forever,
    ),
)
