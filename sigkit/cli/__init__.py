"""The ``sigkit`` command: a typer app assembled from one small module per sub-command.

This is the one place errors become exit codes (every sub-command shares them):
0 ran, nothing wrong; 1 a problem found (a finding, a breached budget, a target that never got
ready); 2 bad input (``UsageError``); 3 sigkit could not measure (``CouldNotMeasure``: no pty,
no probe socket); 128+n sigkit itself was stopped by signal n.

Each module under ``sigkit.cli`` exposes ``register(app)``; nothing below the CLI imports it.
Sub-commands are imported lazily: ``sigkit lint`` (run in loops by pre-commit) loads the linter,
not the probe engine, the diagnosis and every reporter; only help and unknown words load all.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import typer

from sigkit import __version__, interrupts
from sigkit.errors import CouldNotMeasure, UsageError

# Sub-command → the module under sigkit.cli that registers it, in the order help lists them.
COMMANDS = {
    "probe": "probe", "watch": "watch", "run": "run", "scenarios": "scenarios", "inspect": "inspect",
    "explain": "explain", "check": "check", "lint": "lint", "lab": "lab",
}

EXIT_USAGE = 2
EXIT_COULD_NOT_MEASURE = 3

app = typer.Typer(
    name="sigkit",
    help="Why doesn't Ctrl-C kill my program? Press a real Ctrl-C, measure the timeline, "
    "diagnose the cause.\n\nExit status: 0 nothing wrong, 1 a problem found, 2 bad input, "
    "3 sigkit could not measure (no pty, no probe socket), 128+n stopped by signal n.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(asked: bool) -> None:
    if asked:
        print(f"sigkit {__version__}")
        raise typer.Exit()


@app.callback()
def _sigkit(
    version: bool = typer.Option(
        False, "--version", is_eager=True, callback=_print_version,
        help="Print sigkit's version and exit.",
    ),
) -> None:
    """Why doesn't Ctrl-C kill my program? Press a real Ctrl-C, measure, diagnose."""


_registered: set[str] = set()


def register(names: Sequence[str] = tuple(COMMANDS)) -> typer.Typer:
    """Add the named sub-commands to ``app`` (each once) and return it; all by default."""
    for name in names:
        if name not in _registered:
            importlib.import_module(f"sigkit.cli.{COMMANDS[name]}").register(app)
            _registered.add(name)
    # Help lists commands in COMMANDS' order, whichever was registered first (a process that
    # ran ``sigkit lint`` in-process and then asks for the help must see the usual list).
    order = {name: index for index, name in enumerate(COMMANDS)}
    for registered in (app.registered_commands, app.registered_groups):
        registered.sort(key=lambda info: order.get(str(info.name), len(order)))
    return app


def command_named_in(argv: Sequence[str]) -> list[str]:
    """The one sub-command ``argv`` runs, when its first word names one; else all of them."""
    first = next((word for word in argv if not word.startswith("-")), None)
    return [first] if first in COMMANDS else list(COMMANDS)


def main() -> None:
    """Console entry point: bad input exits 2, a failed measurement 3, a stop signal 128+n
    (Ctrl-C: 130); each one line on stderr, never a traceback."""
    interrupts.install()
    try:
        # Outside standalone mode the parser returns the code of a typer.Exit (and turns
        # any KeyboardInterrupt, ours included, into 130) instead of calling sys.exit itself.
        code = register(command_named_in(sys.argv[1:]))(standalone_mode=False)
    except UsageError as error:
        _say_error(str(error))
        sys.exit(EXIT_USAGE)
    except CouldNotMeasure as error:
        _say_error(str(error), "could not measure")
        sys.exit(EXIT_COULD_NOT_MEASURE)
    except KeyboardInterrupt:
        _exit_interrupted()
    except SystemExit:
        raise
    except Exception as error:  # the CLI parser's own errors arrive here in non-standalone mode
        _exit_on_parser_error(error)
    if code == 130:
        _exit_interrupted()
    sys.exit(code if isinstance(code, int) else 0)


def _say_error(message: str, what: str = "error") -> None:
    """The one line of an error: a control character in a value the user passed (a file
    named with a newline) is shown escaped, so the message stays one line."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
    print(f"sigkit: {what}: {shown}", file=sys.stderr)


def _exit_interrupted() -> None:
    """One line naming the signal, exit 128+n; the terminal may be gone (HUP): say it if we can."""
    signum = interrupts.first_received()
    try:
        print(f"sigkit: interrupted by {signum.name}", file=sys.stderr)
    except OSError:
        pass
    sys.exit(128 + signum)


def _exit_on_parser_error(error: Exception) -> None:
    """Usage errors become one line and exit 2; typer's Exit/Abort keep their meaning."""
    if isinstance(error, typer.Exit):
        sys.exit(error.exit_code)
    if isinstance(error, typer.Abort):
        _exit_interrupted()
    format_message = getattr(error, "format_message", None)
    exit_code = getattr(error, "exit_code", None)
    if callable(format_message) and isinstance(exit_code, int):
        if type(error).__name__ == "NoArgsIsHelpError":
            app(["--help"], standalone_mode=False)
            sys.exit(2)
        lines = str(format_message()).strip().splitlines() or [type(error).__name__]
        _say_error(lines[0])
        sys.exit(EXIT_USAGE if exit_code == 1 else exit_code)
    raise error
