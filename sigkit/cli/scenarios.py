"""Placeholder until the `scenarios` command lands."""

import typer


def register(app: typer.Typer) -> None:
    """Nothing to register yet."""
