"""Pressed too early: processes of the tree were still starting when the Ctrl-C came."""

from __future__ import annotations

from sigkit.diagnose.evidence import Evidence
from sigkit.findings import Finding, finding
from sigkit.units import fmt


def pressed_during_startup(ev: Evidence) -> list[Finding]:
    if not ev.late_processes:
        return []
    evidence = []
    for late in ev.late_processes[:4]:
        name = f" ({late.name})" if late.name else ""
        evidence.append(f"pid {late.pid}{name} started {fmt(late.after_press_ns / 1000)} "
                        "after the first press")
    evidence.append("what followed is the start-up being interrupted, not how the running "
                    "program stops")
    return [finding("pressed-during-startup", evidence)]
