"""``sigkit lint``: find, without running anything, code that keeps Ctrl-C from working.

Each rule (SK1xx) looks for one pattern in the AST: an ``except`` that swallows
KeyboardInterrupt, SIGINT set to ``SIG_IGN``, a thread that can never end, a pool whose
workers get the Ctrl-C too... ``rule_explanations()`` says for every code what it finds, why it
matters, how to fix it and what the rule cannot see.
"""

from sigkit.lint.catalog import RULES, rule_explanations
from sigkit.lint.engine import lint_file, lint_source
from sigkit.lint.files import discover
from sigkit.lint.findings import Finding
from sigkit.lint.report import FORMATS, render
from sigkit.lint.runner import LintRun, lint_files
from sigkit.lint.selection import Selection, parse_codes, select

__all__ = [
    "FORMATS",
    "RULES",
    "Finding",
    "LintRun",
    "Selection",
    "discover",
    "lint_file",
    "lint_files",
    "lint_source",
    "parse_codes",
    "render",
    "rule_explanations",
    "select",
]
