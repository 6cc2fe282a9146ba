"""Programs the lab runs under each interpreter: plain scripts, never imported by sigkit."""

from pathlib import Path

PROGRAMS_DIR = Path(__file__).resolve().parent


def path(name: str) -> str:
    """The file of program ``name`` (e.g. ``count``), to hand to another interpreter."""
    return str(PROGRAMS_DIR / f"{name}.py")
