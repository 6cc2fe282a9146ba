"""Recognising ``signal.signal(SIGINT, handler)`` calls, however ``signal`` was imported."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from sigkit.lint.index import ModuleIndex, Where

SIGINT_NAMES = frozenset({"signal.SIGINT", "signal.Signals.SIGINT"})
SIG_IGN_NAMES = frozenset({"signal.SIG_IGN", "signal.Handlers.SIG_IGN"})
SIGINT_NUMBER = 2


@dataclass(frozen=True)
class HandlerInstall:
    """``signal.signal(signum, handler)`` somewhere in the module."""

    call: ast.Call
    where: Where
    signum: ast.expr
    handler: ast.expr


def signal_installs(index: ModuleIndex) -> list[HandlerInstall]:
    """Every ``signal.signal(...)`` call with both arguments (for ``index.derived``)."""
    installs = []
    for call, where in index.calls_by_name.get("signal", []):
        if index.qualified_name(call.func) == "signal.signal" and len(call.args) == 2:
            installs.append(HandlerInstall(call, where, call.args[0], call.args[1]))
    return installs


def sigint_installs(index: ModuleIndex) -> Iterator[HandlerInstall]:
    """The installs that change what Ctrl-C does."""
    return (install for install in index.derived(signal_installs)
            if is_sigint(index, install.signum))


def is_sigint(index: ModuleIndex, expr: ast.expr) -> bool:
    """``signal.SIGINT``, ``SIGINT`` imported from signal, ``Signals.SIGINT`` or plain ``2``."""
    if isinstance(expr, ast.Constant):
        return expr.value == SIGINT_NUMBER and type(expr.value) is int
    return index.qualified_name(expr) in SIGINT_NAMES


def is_sig_ign(index: ModuleIndex, expr: ast.expr) -> bool:
    """``signal.SIG_IGN`` however it is spelled."""
    return index.qualified_name(expr) in SIG_IGN_NAMES


def ignores_sigint(index: ModuleIndex, function: ast.AST) -> bool:
    """True if ``function``'s own body sets SIGINT to SIG_IGN (what a pool initializer should
    do so that only the parent process reacts to Ctrl-C)."""
    return any(install.where.scope is function and is_sig_ign(index, install.handler)
               for install in sigint_installs(index))


def restored_later(index: ModuleIndex, install: HandlerInstall) -> bool:
    """True if the same function installs another SIGINT handler further down: the change is
    temporary (``old = signal.signal(SIGINT, SIG_IGN)`` ... ``signal.signal(SIGINT, old)``)."""
    return any(
        later.where.scope is install.where.scope
        and later.call.lineno > install.call.lineno
        and not is_sig_ign(index, later.handler)
        for later in sigint_installs(index)
    )
