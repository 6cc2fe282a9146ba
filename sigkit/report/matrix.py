"""The scenario matrix: variant × interpreter → how it ended, latency, and whether it matched."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from sigkit.interpreters import Identity
from sigkit.scenario_run import Cell
from sigkit.stats import summarize
from sigkit.timeline import latencies_us
from sigkit.units import fmt


def _cell_text(cell: Cell) -> Text:
    if cell.skipped:
        return Text(f"n/a ({cell.skipped})", style="dim")
    observed = cell.observed or "?"
    text = Text(observed, style="bold")
    handler = summarize([latencies_us(t)["handler"] for t in cell.trials])
    if handler is not None:
        text.append(f" {fmt(handler.p50)}")
        if handler.n > 1:
            text.append(f" /{fmt(handler.p95)}", style="dim")
    if cell.matches is True:
        text.append(" ✓", style="green")
    elif cell.matches is False:
        text.append(f" ✗ expected {cell.expected}", style="red")
    return text


def matrix_table(cells: Sequence[Cell]) -> Table:
    """Rows: scenario variant; columns: interpreter version. Cells: verdict, handler p50[/p95]."""
    identities = sorted({c.identity for c in cells}, key=lambda identity: identity.sort_key)
    title = "verdict · sent → Python handler p50 (/p95) · ✓/✗ against the header"
    table = Table(header_style="bold", title=title)
    table.add_column("scenario")
    for identity in identities:
        table.add_column(identity.label)
    rows: dict[tuple[str, str], dict[Identity, Cell]] = {}
    for cell in cells:
        rows.setdefault((cell.scenario.name, cell.variant), {})[cell.identity] = cell
    for (name, variant), by_identity in rows.items():
        table.add_row(
            f"{name} ({variant})",
            *(_cell_text(by_identity[i]) if i in by_identity else Text("") for i in identities),
        )
    return table


def legend() -> str:
    return ("ki = 1st Ctrl-C ended it by KeyboardInterrupt · exit = 1st Ctrl-C, exit code · "
            "presses=N = N Ctrl-Cs · term = needed SIGTERM · kill = needed SIGKILL\n"
            "times: sent → Python handler, median (/95th percentile over the trials) · "
            "✓ = what the scenario's header expects for that Python · ✗ = not what it expects")


def matrix_findings(cells: Sequence[Cell]) -> Text:
    """One line per scenario variant and cause, naming the interpreters where it was found."""
    found: dict[tuple[str, str, str], tuple[str, list[str]]] = {}
    for cell in cells:
        if not cell.trials:
            continue
        for finding in cell.trials[0].findings:
            key = (cell.scenario.name, cell.variant, finding.cause)
            found.setdefault(key, (finding.title, []))[1].append(cell.label)
    text = Text("Diagnosis: ", style="bold")
    if not found:
        return text.append("no problem found", style="green")
    for (name, variant, cause), (title, versions) in found.items():
        text.append(f"\n  {name} ({variant}) on {', '.join(versions)}: ")
        text.append(cause, style="bold red")
        text.append(f" — {title}")
        fixed = " --fixed" if variant == "fixed" else ""
        text.append(f"\n    details: sigkit run {name}{fixed} --python {versions[0]} · "
                    f"sigkit explain {cause}", style="dim")
    return text
