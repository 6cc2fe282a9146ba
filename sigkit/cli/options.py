"""typer options built from :mod:`sigkit.settings`: one default and one help text per setting."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from sigkit.settings import Setting


def option(setting: Setting, *flags: str, **extra: Any) -> Any:
    """``typer.Option`` with the setting's default, metavar and help."""
    return typer.Option(setting.default, *flags, metavar=setting.metavar, help=setting.help, **extra)


def _not_the_separator(value: Optional[Path]) -> Optional[Path]:
    """``--json -- python app.py`` would take ``--`` as the file name and then run nothing."""
    if value is not None and str(value) == "--":
        raise typer.BadParameter("needs a file name (or - for stdout) before the -- that starts the command")
    return value


def output_file(*flags: str, help: str) -> Any:
    """An option naming a file sigkit writes (``-`` for stdout where the help says so)."""
    return typer.Option(None, *flags, metavar="FILE", help=help, callback=_not_the_separator)
