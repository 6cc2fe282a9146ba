"""``sigkit explain [CAUSE]``: the catalogue of causes, or one cause's lesson and fix.

``CAUSE`` is a diagnosis id (``uninterruptible-wait``) or a ``sigkit lint`` code (``SK101``).
"""

from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sigkit import causes
from sigkit.errors import UsageError
from sigkit.report.findings import code_spans


def register(app: typer.Typer) -> None:
    app.command(
        "explain",
        help="List the causes sigkit diagnoses, or explain one: what happens, the evidence "
        "sigkit uses, the fix. Also takes `sigkit lint` codes (SK101...).",
    )(explain_command)


def explain_command(
    cause: Optional[str] = typer.Argument(
        None, metavar="CAUSE", show_default=False, help="A cause id (e.g. lost-work) or a lint code (SK101)."
    ),
) -> None:
    console = Console()
    if cause is None:
        console.print(catalogue_table())
        console.print(Text("sigkit explain CAUSE for one; lint codes (SK1xx) work too.",
                           style="dim"))
        return
    if cause.strip().upper().startswith("SK"):
        console.print(Text(_lint_explanation(cause.strip().upper())))
        return
    print_cause(console, causes.get(cause))


def catalogue_table() -> Table:
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("cause")
    table.add_column("severity")
    table.add_column("what it is")
    table.add_column("lint", style="dim")
    for entry in causes.CAUSES:
        table.add_row(entry.id, entry.severity, entry.title, " ".join(entry.lint))
    return table


def print_cause(console: Console, entry: causes.Cause) -> None:
    console.print(Text(entry.id, style="bold").append(f"  {entry.title}", style=""))
    console.print(Text(f"severity: {entry.severity}", style="dim"))
    for label, body in (("What happens", entry.happens), ("Evidence sigkit uses",
                        entry.evidence), ("Fix", entry.fix)):
        console.print()
        console.print(Text(label, style="bold"))
        console.print(code_spans(body))
    if entry.lint:
        console.print()
        console.print(Text("Found in source by sigkit lint: " + ", ".join(entry.lint),
                           style="dim"))


def _lint_explanation(code: str) -> str:
    from sigkit.lint import rule_explanations  # lazily: only `explain SK...` needs the linter

    explanations = rule_explanations()
    if code not in explanations:
        raise UsageError(f"unknown lint code {code!r} (known: {', '.join(sorted(explanations))})")
    return explanations[code].rstrip()
