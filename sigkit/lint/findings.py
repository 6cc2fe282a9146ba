"""What a check reports: a place in a file, a rule code and a sentence a person can act on."""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at ``path:line:col`` (both 1-based, like compilers and ruff print them)."""

    path: str
    line: int
    col: int
    code: str
    message: str


@dataclass(frozen=True)
class Hit:
    """What a rule's check yields: the node to point at and the message (the engine adds the
    path and the code)."""

    node: ast.AST
    message: str

    def at(self, path: str, code: str) -> Finding:
        """The finding in ``path``; columns become 1-based because people count that way."""
        line = getattr(self.node, "lineno", 1)
        col = getattr(self.node, "col_offset", 0) + 1
        return Finding(path=path, line=line, col=col, code=code, message=self.message)
