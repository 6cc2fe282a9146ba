"""The ``sigkit`` command: a typer app assembled from one small module per sub-command.

Each module under ``sigkit.cli`` exposes ``register(app)``; nothing below the CLI imports it.
"""

from __future__ import annotations

import signal
import sys

import typer

from sigkit.cli import check, explain, inspect, lab, lint, probe, run, scenarios, watch
from sigkit.errors import UsageError

app = typer.Typer(
    name="sigkit",
    help="Why doesn't Ctrl-C kill my program? Press a real Ctrl-C, measure the timeline, "
    "diagnose the cause.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@app.callback()
def _sigkit() -> None:
    """Why doesn't Ctrl-C kill my program? Press a real Ctrl-C, measure, diagnose."""


for module in (probe, watch, run, scenarios, inspect, explain, check, lint, lab):
    module.register(app)


def _terminate_as_interrupt(signum: int, frame: object) -> None:
    """SIGTERM on sigkit runs the same clean-up as Ctrl-C: targets are killed and reaped."""
    raise KeyboardInterrupt


def main() -> None:
    """Console entry point: maps bad input to exit 2 and Ctrl-C to exit 130, never a traceback."""
    signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    try:
        # Outside standalone mode the parser returns the code of a typer.Exit (and turns
        # KeyboardInterrupt into Exit(130)) instead of calling sys.exit itself.
        code = app(standalone_mode=False)
    except UsageError as error:
        print(f"sigkit: error: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("sigkit: interrupted", file=sys.stderr)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as error:  # the CLI parser's own errors arrive here in non-standalone mode
        _exit_on_parser_error(error)
    if code == 130:
        print("sigkit: interrupted", file=sys.stderr)
    sys.exit(code if isinstance(code, int) else 0)


def _exit_on_parser_error(error: Exception) -> None:
    """Usage errors become one line and exit 2; typer's Exit/Abort keep their meaning."""
    if isinstance(error, typer.Exit):
        sys.exit(error.exit_code)
    if isinstance(error, typer.Abort):
        sys.exit(130)
    format_message = getattr(error, "format_message", None)
    exit_code = getattr(error, "exit_code", None)
    if callable(format_message) and isinstance(exit_code, int):
        if type(error).__name__ == "NoArgsIsHelpError":
            app(["--help"], standalone_mode=False)
            sys.exit(2)
        lines = str(format_message()).strip().splitlines() or [type(error).__name__]
        print(f"sigkit: error: {lines[0]}", file=sys.stderr)
        sys.exit(2 if exit_code == 1 else exit_code)
    raise error
