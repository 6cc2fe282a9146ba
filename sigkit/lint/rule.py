"""A lint rule: its code, the check that finds it and the teaching text that explains it."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from sigkit.lint.findings import Hit
    from sigkit.lint.index import ModuleIndex

_WRAPPER = textwrap.TextWrapper(width=88, break_on_hyphens=False)


@dataclass(frozen=True)
class Documented:
    """A code sigkit can report, with the text ``--explain`` prints for it."""

    code: str
    name: str
    summary: str
    why: str
    fix: str
    cannot_see: str

    def explanation(self) -> str:
        """What it is, why it matters for Ctrl-C, the fix, and the blind spots (plain text,
        wrapped for a terminal)."""
        sections = [
            _WRAPPER.fill(f"{self.code} ({self.name}): {self.summary}"),
            *(f"{title}:\n{_WRAPPER.fill(body)}" for title, body in (
                ("Why it matters for Ctrl-C", self.why),
                ("Fix", self.fix),
                ("What it cannot see", self.cannot_see),
            )),
        ]
        return "\n\n".join(sections) + "\n"


@dataclass(frozen=True)
class Rule(Documented):
    """A static check. ``triggers`` are regexes one of which every file with this problem
    matches (a name the code has to spell out); files that match none are never walked for
    this rule, which keeps a run over thousands of files fast."""

    triggers: tuple[re.Pattern[str], ...]
    check: Callable[[ModuleIndex], Iterable[Hit]]


def triggers(*patterns: str) -> tuple[re.Pattern[str], ...]:
    """Compiled triggers. One regex per alternative, each starting with a literal, searches
    much faster than one ``a|b|c`` regex: the engine can jump to the literal's next occurrence
    instead of trying the pattern at every position."""
    return tuple(re.compile(pattern) for pattern in patterns)
