"""What the program printed after the interrupt, classified the way a user reads it.

A tidy CLI prints a short message (or nothing); a careless one dumps a KeyboardInterrupt
traceback; a half-broken one adds "Exception ignored in ..." noise from threads and finalizers
at shutdown.  Python 3.13 colours tracebacks on a terminal, so ANSI codes are stripped first.
"""

from __future__ import annotations

import re

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\r")

CLEAN = "clean"
TRACEBACK = "traceback"
SHUTDOWN_NOISE = "shutdown-noise"
SILENT = "silent"


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def classify(after_interrupt: str) -> list[str]:
    """Labels for the output printed after the first Ctrl-C (several may apply)."""
    text = strip_ansi(after_interrupt).replace("^C", "").strip()
    if not text:
        return [SILENT]
    labels = []
    if "Traceback (most recent call last)" in text or re.search(r"^KeyboardInterrupt", text, re.M):
        labels.append(TRACEBACK)
    if "Exception ignored in" in text:
        labels.append(SHUTDOWN_NOISE)
    return labels or [CLEAN]
