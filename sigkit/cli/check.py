"""``sigkit check``: run the Ctrl-C regression checks of a project; exit 1 if a budget is breached.

Exit codes are the contract with CI: 0 every check passed, 1 a budget was breached, 2 the config
or the command line is wrong (one line on stderr, nothing probed).
"""

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sigkit.checks import config, runner
from sigkit.errors import UsageError
from sigkit.report import checks_text, junit


def register(app: typer.Typer) -> None:
    app.command(
        "check",
        help="Run the Ctrl-C regression checks from sigkit.toml or [tool.sigkit] in "
        "pyproject.toml. Exit 0: all passed; 1: a budget was breached; 2: bad config or usage.",
    )(check_command)


def check_command(
    config_file: Annotated[Optional[Path], typer.Option(
        "--config", metavar="FILE",
        help="The config (default: ./sigkit.toml, else ./pyproject.toml with [tool.sigkit]).",
    )] = None,
    only: Annotated[Optional[list[str]], typer.Option(
        "--only", metavar="NAME",
        help="Run only this check (repeatable; NAME[3.11] picks one interpreter).",
    )] = None,
    json_file: Annotated[Optional[Path], typer.Option(
        "--json", metavar="FILE", help="Write results and every trial as JSON; - for stdout."
    )] = None,
    junit_file: Annotated[Optional[Path], typer.Option(
        "--junit", metavar="FILE", help="Write JUnit XML for CI test reports."
    )] = None,
) -> None:
    for target in (json_file, junit_file):
        _check_writable(target)
    if config_file is not None and not config_file.is_file():
        raise UsageError(f"config file not found: {config_file}")
    loaded = config.load(config_file or config.discover(Path.cwd()))
    cases = runner.plan(loaded, only or ())
    results = _run(cases)
    to_stdout = json_file is not None and str(json_file) == "-"
    if json_file is not None:
        text = json.dumps(runner.document(loaded, results), indent=2, default=str,
                          ensure_ascii=False)
        if to_stdout:
            print(text)
        else:
            json_file.write_text(text + "\n", encoding="utf-8")
    if junit_file is not None:
        junit.write(junit_file, loaded.shown, results)
    checks_text.render(Console(stderr=to_stdout), loaded.shown, results)
    if not all(result.passed for result in results):
        raise typer.Exit(1)


def _check_writable(target: Optional[Path]) -> None:
    """A typo in --junit must fail now, not after every probe has run."""
    if target is None or str(target) == "-":
        return
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(f"cannot write {target}: no such directory {folder}")
    if target.is_dir():
        raise UsageError(f"cannot write {target}: it is a directory")


def _run(cases: Sequence[runner.Case]) -> list[runner.CaseResult]:
    """Every case in sequence under one progress bar counting trials.

    Refreshed by hand after each trial: an auto-refresh thread would compete with the very
    latencies being measured.
    """
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    console = Console(file=sys.stderr)
    results = []
    with Progress(*columns, console=console, auto_refresh=False, transient=True) as bar:
        task = bar.add_task("checking", total=sum(case.check.trials for case in cases))

        def advance() -> None:
            bar.advance(task)
            bar.refresh()

        for case in cases:
            bar.update(task, description=f"check {case.label}")
            bar.refresh()
            results.append(runner.run_case(case, advance))
    return results
