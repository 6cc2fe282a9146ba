"""Placeholder until the `lint` command lands."""

import typer


def register(app: typer.Typer) -> None:
    """Nothing to register yet."""
