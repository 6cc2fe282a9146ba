"""``sigkit scenarios``: list the teaching scenarios; ``sigkit scenarios show NAME``: read one.

The listing answers "which hang do I want to study?"; ``show`` prints what the header promises
per interpreter (so a student can predict before running ``sigkit run NAME``) and the source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console, Group
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from sigkit import scenarios
from sigkit.errors import UsageError
from sigkit.interpreters import CPYTHON, PYPY, Identity
from sigkit.scenarios import Scenario

# The interpreters the bundled expectations were measured on (see docs/scenarios.md).
MEASURED_VERSIONS = ((2, 7), (3, 6), (3, 7), (3, 8), (3, 9), (3, 10), (3, 11), (3, 12), (3, 13))
PYPY_MEASURED = Identity(PYPY, (3, 9))  # Debian's pypy3 (PyPy 7.3.11)

DirsOption = Annotated[
    Optional[list[Path]],
    typer.Option(
        "--scenarios-dir", metavar="DIR",
        help="Also load scenarios from this folder (repeatable).",
    ),
]


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        name="scenarios",
        help="List the teaching scenarios (scripts that hang in one instructive way each); "
        "`sigkit scenarios show NAME` prints one with its expected behaviour per Python.",
        invoke_without_command=True,
        no_args_is_help=False,
    )
    group.callback()(list_command)
    group.command("show", help="Print a scenario's header, expectations and source.")(show_command)
    app.add_typer(group, name="scenarios")


def list_command(
    ctx: typer.Context,
    scenarios_dir: DirsOption = None,
    on: Annotated[str, typer.Option(
        "--on", metavar="X.Y", help="Show the broken → fixed expectation for this Python.",
    )] = "3.11",
) -> None:
    ctx.obj = list(scenarios_dir or [])
    if ctx.invoked_subcommand is not None:
        return
    version = _version_option(on)
    found = scenarios.discover(ctx.obj)
    table = Table(title="sigkit scenarios", title_justify="left", show_lines=False)
    table.add_column("name", style="bold cyan", no_wrap=True)
    table.add_column("summary")
    table.add_column("min py", justify="center", no_wrap=True)
    table.add_column(f"{on}: broken → fixed", no_wrap=True)
    for scenario in found:
        table.add_row(
            scenario.name,
            scenario.summary,
            _dotted(scenario.min_python) if scenario.min_python else "",
            _transition(scenario, version),
        )
    console = Console()
    console.print(table)
    console.print(Text(
        "ki: the 1st Ctrl-C ended it (KeyboardInterrupt) · exit: the 1st Ctrl-C, ordinary exit · "
        "presses=N: it took N · term/kill: only SIGTERM/SIGKILL did · +orphan: a child "
        "outlived it.\nRead one: sigkit scenarios show NAME · run one: sigkit run NAME [--fixed]",
        style="dim",
    ))


def show_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Scenario name (see `sigkit scenarios`).")],
    scenarios_dir: DirsOption = None,
    header_only: Annotated[bool, typer.Option(
        "--header-only", help="Skip the source listing."
    )] = False,
) -> None:
    extra = [*(ctx.obj or []), *(scenarios_dir or [])]
    scenario = scenarios.get(name, extra)
    console = Console()
    console.print(_header_panel(scenario))
    console.print(_expectation_table(scenario))
    if not header_only:
        source = scenario.path.read_text(encoding="utf-8")
        console.print(Syntax(source, "python", line_numbers=True, word_wrap=True))


def _header_panel(scenario: Scenario) -> Panel:
    rows = Table.grid(padding=(0, 2))
    rows.add_column(style="bold", no_wrap=True)
    rows.add_column()
    rows.add_row("summary", scenario.summary)
    rows.add_row("teaches", scenario.teaches)
    if scenario.behaviour:
        behaviour = Table.grid(padding=(0, 2))
        behaviour.add_column(style="magenta", no_wrap=True)
        behaviour.add_column()
        for versions, text in scenario.behaviour_rows():
            behaviour.add_row(versions, text)
        rows.add_row("behaviour", behaviour)
    rows.add_row("fix", scenario.fix)
    rows.add_row("ready", scenario.ready)
    if scenario.ladder:
        rows.add_row("ladder", ",".join(scenario.ladder))
    if scenario.min_python:
        rows.add_row("min python", _dotted(scenario.min_python))
    if scenario.options:
        rows.add_row("options", scenario.options)
    rows.add_row("file", str(scenario.path))
    rows.add_row("run", f"sigkit run {scenario.name} [--fixed]   or   "
                 f"python {scenario.path.name} [--fixed]")
    return Panel(Group(rows), title=f"[bold]{scenario.name}[/bold]", title_align="left")


def _expectation_table(scenario: Scenario) -> Table:
    """Expected verdicts per interpreter; neighbouring versions that agree share a row."""
    table = Table(title="expected when you press Ctrl-C", title_justify="left")
    table.add_column("python", style="magenta", no_wrap=True)
    for variant in scenarios.VARIANTS:
        table.add_column(variant, no_wrap=True)
    runs: list[tuple[list[tuple[int, int]], tuple[str, ...]]] = []
    for version in MEASURED_VERSIONS:
        cells = tuple(_cell(scenario, variant, version) for variant in scenarios.VARIANTS)
        if runs and runs[-1][1] == cells and runs[-1][0][-1][0] == version[0]:
            runs[-1][0].append(version)
        else:
            runs.append(([version], cells))
    for versions, cells in runs:
        label = _dotted(versions[0])
        if len(versions) > 1:
            label += "-" + _dotted(versions[-1])
        table.add_row(label, *cells)
    table.add_row(PYPY_MEASURED.label, *(_cell(scenario, variant, PYPY_MEASURED.version, PYPY)
                                         for variant in scenarios.VARIANTS))
    return table


def _cell(scenario: Scenario, variant: str, version: tuple[int, int],
          implementation: str = CPYTHON) -> str:
    if not scenario.supports(version):
        return "[dim]n/a[/dim]"
    outcome = scenario.expected(variant, version, implementation)
    if outcome is None:
        return "?"
    orphans = scenario.expects_orphans(variant, version, implementation)
    return outcome + ("+orphan" if orphans else "")


def _transition(scenario: Scenario, version: tuple[int, int]) -> str:
    if not scenario.supports(version):
        return f"needs {_dotted(scenario.min_python or version)}"
    broken = _cell(scenario, "broken", version)
    fixed = _cell(scenario, "fixed", version)
    return f"{broken} → {fixed}"


def _version_option(text: str) -> tuple[int, int]:
    major, dot, minor = text.strip().partition(".")
    if not (dot and major.isdigit() and minor.isdigit()):
        raise UsageError(f"--on wants a version like 3.11, not {text!r}")
    return int(major), int(minor)


def _dotted(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"
