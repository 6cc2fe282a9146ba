"""What a check reports: a place in a file, a rule code and a sentence a person can act on."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at ``path:line:col``: both 1-based and the column in characters, as flake8
    and ruff print them and editors jump to them (every output format uses this column)."""

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

    def at(self, path: str, code: str, lines: Sequence[str]) -> Finding:
        """The finding in ``path``, whose source ``lines`` turn the AST's column into a
        person's."""
        line = getattr(self.node, "lineno", 1)
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        col = character_column(text, getattr(self.node, "col_offset", 0))
        return Finding(path=path, line=line, col=col, code=code, message=self.message)


def character_column(line: str, byte_offset: int) -> int:
    """The 1-based character column of the AST's ``col_offset``, which counts UTF-8 bytes:
    the ``x`` of ``nom = 'é'; x`` is at byte offset 12 yet it is the 12th character (``é`` takes
    two bytes)."""
    if line.isascii():
        return byte_offset + 1
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1
