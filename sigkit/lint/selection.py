"""``--select`` / ``--ignore``: which codes a run reports, by code or prefix (``SK1``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sigkit.errors import UsageError
from sigkit.lint.catalog import EVERYTHING, FILE_PROBLEMS, RULES
from sigkit.lint.rule import Rule

EVERY_CODE = "ALL"


@dataclass(frozen=True)
class Selection:
    """The rules to run and the file problems (SK0xx) to report."""

    rules: tuple[Rule, ...]
    file_problems: frozenset[str]

    def reports(self, code: str) -> bool:
        """True if findings with this code are shown."""
        return code in self.file_problems or any(rule.code == code for rule in self.rules)


def parse_codes(values: Iterable[str], option: str) -> list[str]:
    """``["SK1,SK201", " sk3 "]`` -> ``["SK1", "SK201", "SK3"]``; each must name a code or a
    prefix of one, or the whole run stops with a usage error (a typo must not silently
    select nothing)."""
    prefixes = [part.strip().upper() for value in values for part in value.split(",")]
    prefixes = [prefix for prefix in prefixes if prefix]
    for prefix in prefixes:
        if prefix != EVERY_CODE and not any(entry.code.startswith(prefix)
                                            for entry in EVERYTHING):
            raise UsageError(f"unknown rule code or prefix in {option}: {prefix} "
                             "(see `sigkit lint --list-rules`)")
    return prefixes


def select(selected: Sequence[str] = (), ignored: Sequence[str] = ()) -> Selection:
    """The selection for ``--select``/``--ignore`` values (already split by ``parse_codes``).

    With no ``--select`` every rule runs. File problems (syntax errors, unreadable files) are
    shown whatever ``--select`` says - a file that was not checked must not look clean - and
    hidden only when ``--ignore`` names them.
    """
    chosen = list(selected) or [EVERY_CODE]

    def matches(code: str, prefixes: Sequence[str]) -> bool:
        return any(prefix == EVERY_CODE or code.startswith(prefix) for prefix in prefixes)

    rules = tuple(rule for rule in RULES
                  if matches(rule.code, chosen) and not matches(rule.code, ignored))
    file_problems = frozenset(problem.code for problem in FILE_PROBLEMS
                              if not matches(problem.code, ignored))
    return Selection(rules, file_problems)
