"""One walk over a module's AST that files away every fact the rules ask about.

Rules never walk the tree themselves: a big file would otherwise be walked once per rule.
The walk is iterative (an explicit stack), so a deeply nested expression cannot exhaust
Python's recursion limit, and it records for each interesting node *where* it sits: its
scope (function, lambda or class), the class around it and the innermost loop of its scope.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Callable, Optional, TypeVar, Union, cast

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda]
ScopeNode = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef]
LOOPS = (ast.For, ast.AsyncFor, ast.While)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
TRY_STATEMENTS: tuple[type[ast.stmt], ...] = tuple(
    getattr(ast, name) for name in ("Try", "TryStar") if hasattr(ast, name))  # except*: 3.11+
TryNode = ast.Try  # ast.TryStar has the same fields (body, handlers, orelse, finalbody)
APPENDERS = frozenset({"append", "add", "appendleft", "insert"})


@dataclass(frozen=True)
class Where:
    """The surroundings of a node: ``scope`` is None at module level, ``loop`` is None outside
    loops (a loop of an enclosing function does not count: the scope's own code is not
    repeated by it)."""

    scope: ScopeNode | None
    cls: ast.ClassDef | None
    loop: ast.AST | None

    @property
    def function(self) -> FunctionNode | None:
        """The function or lambda whose body this is (None in module or class-body code)."""
        return None if isinstance(self.scope, ast.ClassDef) else self.scope


@dataclass(frozen=True)
class Binding:
    """``name`` got a value: ``value`` is assigned to it, ``element`` added to it (an append to a
    list), ``iterate`` a loop variable that takes each element of ``expr`` in turn, or
    ``define`` a ``def`` (the binding that shadows outer names)."""

    kind: str
    expr: ast.AST
    where: Where


BindingKey = tuple[Optional[ScopeNode], str]
T = TypeVar("T")
Visitor = Callable[["ModuleIndex", ast.AST, Where, list], bool]


class ModuleIndex:
    """Facts about one module, gathered in a single pass (see the module docstring)."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.imports: dict[str, str] = {}
        self.trys: list[tuple[TryNode, Where]] = []
        self.withs: list[tuple[ast.With, Where]] = []
        self.membership_tests: list[tuple[ast.Compare, Where]] = []
        self.calls_by_name: dict[str, list[tuple[ast.Call, Where]]] = defaultdict(list)
        self.calls_by_scope: dict[ScopeNode | None, list[tuple[ast.Call, Where]]] = (
            defaultdict(list)
        )
        self.definitions: dict[BindingKey, FunctionNode] = {}
        self.methods: dict[ast.ClassDef, dict[str, FunctionNode]] = defaultdict(dict)
        self.classes: dict[str, list[ast.ClassDef]] = defaultdict(list)
        self.where_defined: dict[ScopeNode, Where] = {}
        self.bindings: dict[BindingKey, list[Binding]] = defaultdict(list)
        self.attribute_stores: dict[str, list[tuple[ast.Attribute, ast.AST, Where]]] = (
            defaultdict(list)
        )
        self._derived: dict[Callable[[ModuleIndex], Any], Any] = {}
        self._walk()

    # ----------------------------------------------------------------- queries

    def qualified_name(self, expr: ast.AST) -> str | None:
        """``sig.SIGINT`` -> ``signal.SIGINT`` once ``import signal as sig`` is seen.

        Names that were not imported stay as written (builtins, local functions); a call in the
        chain is kept as ``()``: ``multiprocessing.get_context().Pool``.
        """
        parts: list[str] = []  # read right to left, so no recursion however long the chain
        while True:
            if isinstance(expr, ast.Attribute):
                parts.append("." + expr.attr)
                expr = expr.value
            elif isinstance(expr, ast.Call):
                parts.append("()")
                expr = expr.func
            elif isinstance(expr, ast.Name):
                parts.append(self.imports.get(expr.id, expr.id))
                return "".join(reversed(parts))
            else:
                return None

    def bindings_of(self, expr: ast.AST, where: Where) -> list[Binding]:
        """Every binding of a name (``t``) or ``self`` attribute (``self.t``) seen from
        ``where``, in the nearest scope that binds it (Python's own lookup order)."""
        if isinstance(expr, ast.Attribute) and _is_self(expr.value):
            return self.bindings.get((where.cls, "self." + expr.attr), [])
        if not isinstance(expr, ast.Name):
            return []
        for scope in self._visible_scopes(where):
            found = self.bindings.get((scope, expr.id))
            if found:
                return found
        return []

    def function_named(self, expr: ast.AST, where: Where) -> FunctionNode | None:
        """The definition a reference points at: a lambda itself, ``name`` (the nearest
        ``def name`` seen from ``where``) or ``self.name`` (also ``cls.name``,
        ``type(self).name``: a method of the surrounding class); None if it is not defined in
        this module."""
        if isinstance(expr, ast.Lambda):
            return expr
        if isinstance(expr, ast.Attribute) and where.cls is not None and _is_own_class(
                expr.value, where.cls):
            return self.methods[where.cls].get(expr.attr)
        if isinstance(expr, ast.Name):
            for scope in self._visible_scopes(where):
                if (scope, expr.id) in self.bindings:
                    return self.definitions.get((scope, expr.id))
        return None

    def _visible_scopes(self, where: Where) -> Iterator[ScopeNode | None]:
        """``where``'s own scope, then the functions around it, then the module (None). Class
        bodies around a function are skipped, as Python skips them."""
        scope = where.scope
        yield scope
        while scope is not None:
            scope = self.where_defined[scope].scope
            if not isinstance(scope, ast.ClassDef):
                yield scope

    def derived(self, compute: Callable[[ModuleIndex], T]) -> T:
        """``compute(self)``, worked out once and shared by every rule that needs it."""
        if compute not in self._derived:
            self._derived[compute] = compute(self)
        return self._derived[compute]

    def calls_in(self, scope: ScopeNode | None) -> list[tuple[ast.Call, Where]]:
        """The calls written directly in one function's body (not in functions nested in it)."""
        return self.calls_by_scope.get(scope, [])

    # ----------------------------------------------------------------- the walk

    def _walk(self) -> None:
        """Visits every node once. Most nodes need nothing but their children pushed, so that
        case is written out here rather than in a function: this loop runs for millions of
        nodes when a whole source tree is linted."""
        stack: list[tuple[ast.AST, Where]] = [(self.tree, Where(None, None, None))]
        visitors, leaves, push = _VISITORS, _LEAVES, stack.append
        while stack:
            node, where = stack.pop()
            kind = type(node)
            visit = visitors.get(kind)
            if visit is not None and visit(self, node, where, stack):
                continue
            for field in _CHILD_FIELDS.get(kind) or _child_fields(kind):
                value = getattr(node, field, None)
                if type(value) is list:
                    for item in value:
                        if type(item) not in leaves and isinstance(item, ast.AST):
                            push((item, where))
                elif type(value) not in leaves and isinstance(value, ast.AST):
                    push((value, where))

    def _bind(self, target: ast.AST, binding: Binding) -> None:
        if isinstance(target, ast.Attribute) and binding.kind == "value":
            self.attribute_stores[target.attr].append((target, binding.expr, binding.where))
        if isinstance(target, ast.Name):
            self.bindings[(binding.where.scope, target.id)].append(binding)
        elif isinstance(target, ast.Attribute) and _is_self(target.value):
            self.bindings[(binding.where.cls, "self." + target.attr)].append(binding)


def _is_self(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Name) and expr.id == "self"


def _is_own_class(expr: ast.AST, cls: ast.ClassDef) -> bool:
    """``self``, ``cls``, ``type(self)`` or the class's name, seen from inside the class."""
    if isinstance(expr, ast.Name):
        return expr.id in ("self", "cls", cls.name)
    return (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name)
            and expr.func.id == "type" and len(expr.args) == 1 and _is_self(expr.args[0]))


_LEAVES = frozenset({ast.Name, ast.Constant})  # nothing below them that any rule asks about
_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops"})  # Load/Store and operators: leaves too
_CHILD_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}


def _child_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    """The fields of a node type that may hold nodes worth visiting (computed once a type)."""
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _CHILD_FIELDS[kind] = tuple(
            field for field in kind._fields if field not in _SKIPPED_FIELDS)
    return fields


def _push_split(node: ast.AST, inner_fields: tuple[str, ...], inner: Where, outer: Where,
                stack: list[tuple[ast.AST, Where]]) -> None:
    """Children in ``inner_fields`` (say a loop's body) get ``inner``, the rest ``outer``."""
    for field in _child_fields(type(node)):
        value = getattr(node, field, None)
        where = inner if field in inner_fields else outer
        for item in value if type(value) is list else (value,):
            if type(item) not in _LEAVES and isinstance(item, ast.AST):
                stack.append((item, where))


def _visit_import(index: ModuleIndex, node: ast.AST, where: Where, stack: list) -> bool:
    assert isinstance(node, ast.Import)
    for alias in node.names:
        if alias.asname:
            index.imports[alias.asname] = alias.name
        else:
            top = alias.name.split(".")[0]
            index.imports[top] = top
    return True


def _visit_import_from(index: ModuleIndex, node: ast.AST, where: Where, stack: list) -> bool:
    assert isinstance(node, ast.ImportFrom)
    module = "." * (node.level or 0) + (node.module or "")
    for alias in node.names:
        if alias.name != "*":
            index.imports[alias.asname or alias.name] = f"{module}.{alias.name}"
    return True


def _visit_function(index: ModuleIndex, node: ast.AST, where: Where, stack: list) -> bool:
    assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
    index.where_defined[node] = where
    if not isinstance(node, ast.Lambda):
        index.definitions[(where.scope, node.name)] = node
        index.bindings[(where.scope, node.name)].append(Binding("define", node, where))
        if isinstance(where.scope, ast.ClassDef):
            index.methods[where.scope][node.name] = node
    _push_split(node, ("body",), Where(node, where.cls, None), where, stack)
    return True


def _visit_class(index: ModuleIndex, node: ast.AST, where: Where, stack: list) -> bool:
    assert isinstance(node, ast.ClassDef)
    index.where_defined[node] = where
    index.classes[node.name].append(node)
    _push_split(node, ("body",), Where(node, node, None), where, stack)
    return True


def _visit_loop(index: ModuleIndex, node: ast.AST, where: Where, stack: list) -> bool:
    assert isinstance(node, (ast.For, ast.AsyncFor, ast.While))
    if isinstance(node, (ast.For, ast.AsyncFor)):
        index._bind(node.target, Binding("iterate", node.iter, where))
    _push_split(node, ("body",), Where(where.scope, where.cls, node), where, stack)
    return True


def _visit_comprehension(index: ModuleIndex, node: ast.AST, where: Where, stack: list) -> bool:
    _push_split(node, (), where, Where(where.scope, where.cls, node), stack)
    return True


def _visit_try(index: ModuleIndex, node: ast.AST, where: Where, stack: list) -> bool:
    assert isinstance(node, TRY_STATEMENTS)
    index.trys.append((cast(TryNode, node), where))
    return False


def _visit_with(index: ModuleIndex, node: ast.AST, where: Where, stack: list) -> bool:
    assert isinstance(node, (ast.With, ast.AsyncWith))
    if isinstance(node, ast.With):
        index.withs.append((node, where))
    for item in node.items:
        if item.optional_vars is not None:
            index._bind(item.optional_vars, Binding("value", item.context_expr, where))
    return False


def _visit_assign(index: ModuleIndex, node: ast.AST, where: Where, stack: list) -> bool:
    assert isinstance(node, (ast.Assign, ast.AnnAssign, ast.NamedExpr))
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    if node.value is not None:
        for target in targets:
            index._bind(target, Binding("value", node.value, where))
    return False


def _visit_compare(index: ModuleIndex, node: ast.AST, where: Where, stack: list) -> bool:
    assert isinstance(node, ast.Compare)
    if any(isinstance(operator, (ast.In, ast.NotIn)) for operator in node.ops):
        index.membership_tests.append((node, where))
    return False


def _visit_call(index: ModuleIndex, node: ast.AST, where: Where, stack: list) -> bool:
    assert isinstance(node, ast.Call)
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if name is not None:
        index.calls_by_name[name].append((node, where))
        if name in APPENDERS and isinstance(func, ast.Attribute) and node.args:
            index._bind(func.value, Binding("element", node.args[-1], where))
    index.calls_by_scope[where.scope].append((node, where))
    return False


_VISITORS: dict[type, Visitor] = {
    ast.Import: _visit_import,
    ast.ImportFrom: _visit_import_from,
    ast.FunctionDef: _visit_function,
    ast.AsyncFunctionDef: _visit_function,
    ast.Lambda: _visit_function,
    ast.ClassDef: _visit_class,
    **{statement: _visit_try for statement in TRY_STATEMENTS},
    ast.With: _visit_with,
    ast.AsyncWith: _visit_with,
    ast.Assign: _visit_assign,
    ast.AnnAssign: _visit_assign,
    ast.NamedExpr: _visit_assign,
    ast.Call: _visit_call,
    ast.Compare: _visit_compare,
    **{loop: _visit_loop for loop in LOOPS},
    **{comprehension: _visit_comprehension for comprehension in COMPREHENSIONS},
}
