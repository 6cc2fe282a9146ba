"""``sigkit lint PATH...``: static checks for code that keeps Ctrl-C from working.

(No ``from __future__ import annotations`` here: typer reads these annotations at run time,
and on Python 3.9 ``X | None`` cannot be evaluated.)
"""

import sys
from enum import Enum
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from sigkit.errors import UsageError
from sigkit.lint import discover, lint_files, parse_codes, render, rule_explanations
from sigkit.lint import select as selection_for
from sigkit.lint.catalog import EVERYTHING


class OutputFormat(str, Enum):
    """How findings are printed."""

    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


def register(app: typer.Typer) -> None:
    """Adds the ``lint`` command to ``app``."""
    app.command("lint")(lint)


def lint(
    paths: Annotated[Optional[list[str]], typer.Argument(
        help="Files and folders to check (folders: every *.py file, .gitignore respected). "
             "Default: the current folder.", show_default=False)] = None,
    select: Annotated[Optional[list[str]], typer.Option(
        "--select", metavar="CODES", help="Only these codes or prefixes, comma-separated (e.g. SK1,SK103).",
        show_default=False)] = None,
    ignore: Annotated[Optional[list[str]], typer.Option(
        "--ignore", metavar="CODES", help="Leave out these codes or prefixes.", show_default=False)] = None,
    exclude: Annotated[Optional[list[str]], typer.Option(
        "--exclude", metavar="PATTERN", help="Skip files matching these .gitignore-style patterns "
                          "(relative to each folder given).", show_default=False)] = None,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", help="text (path:line:col: CODE message), json, github (Actions "
                         "annotations) or sarif (SARIF 2.1.0, for code scanning).")] = OutputFormat.text,
    jobs: Annotated[Optional[int], typer.Option(
        "--jobs", "-j", min=1, help="Processes to use (default: one per core when there are "
                                    "many files).", show_default=False)] = None,
    explain: Annotated[Optional[str], typer.Option(
        "--explain", metavar="CODE", help="Explain one code: what, why, fix, blind spots.",
        show_default=False)] = None,
    list_rules: Annotated[bool, typer.Option(
        "--list-rules", help="List every code and exit.")] = False,
) -> None:
    """Find code that keeps Ctrl-C from working, without running it.

    Exit status: 0 no findings, 1 findings, 2 usage error.
    """
    if list_rules:
        _print_rule_table()
    elif explain is not None:
        _print_explanation(explain)
    else:
        _lint(paths or ["."], select or [], ignore or [], exclude or [], output_format, jobs)


def _lint(paths: list[str], select: list[str], ignore: list[str], exclude: list[str],
          output_format: OutputFormat, jobs: Optional[int]) -> None:
    selection = selection_for(parse_codes(select, "--select"), parse_codes(ignore, "--ignore"))
    files = discover(paths, exclude)
    run = lint_files(files, selection, jobs)
    sys.stdout.write(render(run.findings, run.files_checked, output_format.value))
    if run.findings:
        raise typer.Exit(1)


def _print_explanation(code: str) -> None:
    text = rule_explanations().get(code.strip().upper())
    if text is None:
        raise UsageError(f"unknown rule code: {code} (see `sigkit lint --list-rules`)")
    sys.stdout.write(text)


def _print_rule_table() -> None:
    table = Table("Code", "Name", "What it finds", box=None, pad_edge=False)
    for entry in EVERYTHING:
        table.add_row(entry.code, entry.name, entry.summary)
    Console().print(table)
