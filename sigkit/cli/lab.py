"""Placeholder until the `lab` command lands."""

import typer


def register(app: typer.Typer) -> None:
    """Nothing to register yet."""
