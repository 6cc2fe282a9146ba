"""``sigkit check``: run the Ctrl-C regression checks of a project; exit 1 if a budget is breached.

Exit codes are the contract with CI: 0 every check passed, 1 a budget was breached, 2 the config
or the command line is wrong (one line on stderr, nothing probed), 3 sigkit could not measure.
"""

import functools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from sigkit.checks import config, runner
from sigkit.cli import outputs
from sigkit.report import checks_text, json_report, junit
from sigkit.report.progress import progress_bar


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
    outputs.check_writable(json_file, "--json")
    outputs.check_writable(junit_file, "--junit")
    if config_file is not None:
        config.check_readable(config_file)
    loaded = config.load(config_file or config.discover(Path.cwd()))
    cases = runner.plan(loaded, only or ())
    results = _run(cases)
    written = True
    if json_file is not None:
        text = json.dumps(json_report.checks_to_dict(loaded, results), indent=2, default=str,
                          ensure_ascii=False)
        written = outputs.write_text(json_file, "--json", text)
    if junit_file is not None:
        written = outputs.write_text(junit_file, "--junit",
                                     junit.dumps(loaded.shown, results)) and written
    checks_text.render(Console(stderr=outputs.to_stdout(json_file)), loaded.shown, results)
    if not written:
        raise typer.Exit(2)
    if not all(result.passed for result in results):
        raise typer.Exit(1)


def _run(cases: Sequence[runner.Case]) -> list[runner.CaseResult]:
    """Every case in sequence, under one progress bar that counts trials."""
    results = []
    with progress_bar(sum(case.check.trials for case in cases), "checking") as advance:
        for case in cases:
            results.append(runner.run_case(case, functools.partial(advance, case.label)))
    return results
