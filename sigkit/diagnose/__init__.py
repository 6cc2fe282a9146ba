"""Diagnosis: from what a probe measured (or a live process shows) to named causes and fixes.

``diagnose(trial)`` gathers the evidence of a finished probe -- timeline, stacks, thread states,
masks -- and runs every rule over it; ``diagnose_live(pid)`` does the same for a process sigkit
did not start.  Rules never format for a terminal: the reporters in ``sigkit.report`` do that.
"""

from __future__ import annotations

import dataclasses

from sigkit import causes
from sigkit.diagnose.evidence import Evidence, from_live, from_trial
from sigkit.diagnose.rules import RULES
from sigkit.diagnose.rules.common import main_where, signal_path
from sigkit.findings import Finding, finding
from sigkit.timeline import Trial

# Causes that are not faults but do say why the program outlived its deadline.
EXPLAIN_A_WAIT = frozenset({"graceful-shutdown", "slow-cleanup", "back-at-prompt"})

__all__ = ["Evidence", "Finding", "diagnose", "diagnose_evidence", "diagnose_live"]


def diagnose(trial: Trial, budget_us: float | None = None) -> list[Finding]:
    """Findings for one probe.

    ``budget_us`` is the latency budget in microseconds for sent → Python handler (sent → exit
    when no handler ran); over it, the timing rules explain where the time went.
    """
    return diagnose_evidence(from_trial(trial, budget_us))


def diagnose_live(pid: int) -> list[Finding]:
    """Findings for a running process (raises UsageError if there is none, or no permission)."""
    return diagnose_evidence(from_live(pid))


def diagnose_evidence(evidence: Evidence) -> list[Finding]:
    """Every rule's findings; if the first Ctrl-C failed and no rule names a cause, say so."""
    findings = [found for rule in RULES for found in rule(evidence)]
    explained = any(f.severity == causes.ERROR or f.cause in EXPLAIN_A_WAIT for f in findings)
    if evidence.deadline_missed and not explained:
        seen = [*signal_path(evidence), *main_where(evidence)]
        if evidence.raised_in_time:  # a REPL or `python -i` prints it and reads on
            seen.append("KeyboardInterrupt reached the top level (sys.excepthook ran) before the "
                        "deadline, and the process went on running")
        if evidence.stacks_note:
            seen.append(f"no Python stacks: {evidence.stacks_note}")
        findings.append(finding("unexplained", seen))
    if evidence.live or evidence.typed:
        return findings
    return [in_words_of(found, evidence.sent) for found in findings]


def in_words_of(found: Finding, sent: str) -> Finding:
    """The catalogue teaches with a Ctrl-C; a run that sent SIGTERM is told about SIGTERM."""
    def words(text: str) -> str:
        return text.replace("Ctrl-Cs", f"{sent}s").replace("Ctrl-C", sent)

    return dataclasses.replace(
        found, title=words(found.title), evidence=[words(line) for line in found.evidence],
        explanation=words(found.explanation), fix=words(found.fix))
