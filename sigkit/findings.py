"""A finding: one cause sigkit recognised, the evidence it relied on, and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sigkit import causes


@dataclass(frozen=True)
class Finding:
    """One diagnosed cause.

    ``evidence`` lists the measurements and observations the rule relied on (frames, mask bits,
    thread states, timings), each a sentence a person can check; ``fix`` is adapted to what was
    found (the file and line, the variable, the Python version) when the rule could.
    """

    cause: str
    title: str
    evidence: list[str] = field(default_factory=list)
    explanation: str = ""
    fix: str = ""
    severity: str = causes.ERROR


def finding(
    cause_id: str, evidence: list[str], fix: str | None = None, severity: str | None = None
) -> Finding:
    """A Finding for a catalogued cause: title, teaching text and severity come from the
    catalogue, so every rule speaks with the same words as ``sigkit explain``."""
    cause = causes.get(cause_id)
    return Finding(
        cause=cause.id,
        title=cause.title,
        evidence=evidence,
        explanation=cause.happens,
        fix=fix or cause.fix,
        severity=severity or cause.severity,
    )
