"""Tiny questions about single AST nodes, shared by the rules."""

from __future__ import annotations

import ast


def argument(call: ast.Call, keyword: str, position: int | None = None) -> ast.expr | None:
    """The argument passed as ``keyword=`` or, if ``position`` is given, at that position."""
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def is_true(expr: ast.AST | None) -> bool:
    """The literal ``True``."""
    return isinstance(expr, ast.Constant) and expr.value is True


def terminal_name(expr: ast.AST) -> str | None:
    """``stop`` for ``stop``, ``self.stop`` and ``a.b.stop``; None for anything else."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


def inside(inner: ast.AST, outer: ast.AST) -> bool:
    """True if ``inner``'s source span lies within ``outer``'s (both from the same file)."""
    start = (getattr(inner, "lineno", 0), getattr(inner, "col_offset", 0))
    end = (getattr(inner, "end_lineno", 0) or 0, getattr(inner, "end_col_offset", 0) or 0)
    outer_start = (getattr(outer, "lineno", 0), getattr(outer, "col_offset", 0))
    outer_end = (getattr(outer, "end_lineno", 0) or 0, getattr(outer, "end_col_offset", 0) or 0)
    return outer_start <= start and end <= outer_end


def source_text(node: ast.AST, limit: int = 60) -> str:
    """The source of ``node`` for a message, cut to ``limit`` characters. ``ast.unparse``
    recurses, so an absurdly deep expression is shown as ``...`` rather than crashing."""
    try:
        text = ast.unparse(node)
    except RecursionError:
        return "..."
    return text if len(text) <= limit else text[:limit - 3] + "..."
