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

EXPLANATION_WIDTH = 88


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
            textwrap.fill(f"{self.code} ({self.name}): {self.summary}", EXPLANATION_WIDTH),
            *(f"{title}:\n{textwrap.fill(body, EXPLANATION_WIDTH)}" for title, body in (
                ("Why it matters for Ctrl-C", self.why),
                ("Fix", self.fix),
                ("What it cannot see", self.cannot_see),
            )),
        ]
        return "\n\n".join(sections) + "\n"


@dataclass(frozen=True)
class Rule(Documented):
    """A static check. ``trigger`` is a regex every file with this problem must contain (a
    name the code has to spell out); files without it are never walked for this rule, which
    keeps a run over thousands of files fast."""

    trigger: re.Pattern[str]
    check: Callable[[ModuleIndex], Iterable[Hit]]
