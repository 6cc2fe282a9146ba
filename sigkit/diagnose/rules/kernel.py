"""Threads the kernel will not interrupt: uninterruptible sleep (state D)."""

from __future__ import annotations

from sigkit.diagnose.evidence import Evidence
from sigkit.findings import Finding, finding

# What the kernel function a thread sleeps in (wchan) says about the cure.
_WCHAN_HINTS = (
    ("nfs", "The wait is in NFS: a server that does not answer. Mount with `soft,timeo=...` "
            "so calls fail instead of hanging, and fix the server or network."),
    ("fuse", "The wait is in a FUSE file system: its user-space daemon is not answering. "
             "Restart or fix that daemon (`fusermount -u` releases the mount)."),
)


def d_state(ev: Evidence) -> list[Finding]:
    """Any thread of the program or its children asleep in state D."""
    if not ev.stuck:
        return []
    sleepers = [(p, t) for p in ev.processes for t in p.threads if t.state == "D"]
    if not sleepers:
        return []
    evidence = [
        f"thread {t.tid} of pid {p.pid} ({p.name}) is in state D, in the kernel function "
        f"{t.wchan.strip() or '(unknown)'}"
        for p, t in sleepers
    ]
    wchans = " ".join(t.wchan for _, t in sleepers).lower()
    hint = next((text for key, text in _WCHAN_HINTS if key in wchans), None)
    return [finding("uninterruptible-sleep", evidence, hint)]
