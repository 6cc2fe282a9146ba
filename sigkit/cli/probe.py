"""Placeholder until the `probe` command lands."""

import typer


def register(app: typer.Typer) -> None:
    """Nothing to register yet."""
