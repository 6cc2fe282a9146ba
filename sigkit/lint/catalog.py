"""Every code ``sigkit lint`` can report: the file problems (SK0xx) and the rules (SK1xx)."""

from __future__ import annotations

from sigkit.lint import (
    rules_asyncio,
    rules_c_loops,
    rules_interrupts,
    rules_pools,
    rules_signals,
    rules_threads,
)
from sigkit.lint.rule import Documented, Rule

SYNTAX_ERROR = Documented(
    code="SK000",
    name="syntax-error",
    summary="the file is not valid Python, so none of its code was checked",
    why="A file that does not parse cannot be linted: a clean report would say nothing about "
        "it. The message is Python's own.",
    fix="Fix the syntax (run the file with the Python version you target), or exclude the "
        "file with `--exclude` if it is deliberately invalid (test data, templates).",
    cannot_see="Files are parsed with the Python running sigkit: newer syntax than that "
               "version knows is reported here too.",
)

UNREADABLE = Documented(
    code="SK001",
    name="unreadable-file",
    summary="the file could not be read",
    why="A file that cannot be read was not checked; it is reported so that a clean run "
        "really means every file was looked at. Only regular files up to 10 MiB are read: "
        "a FIFO or a device named like a source file (or given on the command line) would "
        "block or never end.",
    fix="Check permissions, or exclude the path with `--exclude`.",
    cannot_see="Nothing about the file's contents.",
)

FILE_PROBLEMS: tuple[Documented, ...] = (SYNTAX_ERROR, UNREADABLE)

RULES: tuple[Rule, ...] = (
    *rules_interrupts.RULES,
    *rules_signals.RULES,
    *rules_threads.RULES,
    *rules_pools.RULES,
    *rules_asyncio.RULES,
    *rules_c_loops.RULES,
)

EVERYTHING: tuple[Documented, ...] = (*FILE_PROBLEMS, *RULES)


def rule_explanations() -> dict[str, str]:
    """Code -> explanation text, for every code ``sigkit lint`` reports (``sigkit explain``
    uses this too)."""
    return {entry.code: entry.explanation() for entry in EVERYTHING}
