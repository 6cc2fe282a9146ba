"""Durations for people: one unit per figure block, chosen from the magnitude (as hyperfine does)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional


def unit_for(microseconds: float) -> tuple[str, float]:
    """The unit that keeps ``microseconds`` between 1 and 1000, and its size in µs."""
    magnitude = abs(microseconds)
    if magnitude < 1000:
        return "µs", 1.0
    if magnitude < 1_000_000:
        return "ms", 1000.0
    return "s", 1_000_000.0


def fmt(microseconds: Optional[float], unit: Optional[str] = None) -> str:
    """``8423.9`` → ``"8.42 ms"``; None → ``"—"``."""
    if microseconds is None:
        return "—"
    name, size = unit_for(microseconds) if unit is None else (unit, _SIZES[unit])
    value = microseconds / size
    digits = 0 if name == "µs" and abs(value) >= 100 else (1 if abs(value) >= 10 else 2)
    if name == "µs":
        digits = 0 if abs(value) >= 10 else 1
    return f"{value:.{digits}f} {name}"


def shared_unit(values: Sequence[Optional[float]]) -> Optional[str]:
    """One unit for a row of figures, picked from the median-ish (first present) value."""
    present = sorted(v for v in values if v is not None)
    return unit_for(present[len(present) // 2])[0] if present else None


_SIZES = {"µs": 1.0, "ms": 1000.0, "s": 1_000_000.0}
