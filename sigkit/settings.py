"""Each probe setting once: its default, its help text and its metavar.

The CLI options, the ``[tool.sigkit.check]`` keys, the pytest fixture's keywords and the CLI
reference in the docs all read these, so a default or a help text cannot drift between them.
Help says what the setting does, not how it is spelt: each front end names it its own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    default: Any
    help: str
    metavar: str


EXPECT = Setting(None, "Send the first signal once the program's output matches REGEX.", "REGEX")
AFTER = Setting(
    None, "Seconds to wait before the first signal (default 0.5; once REGEX matched: 0).",
    "SECONDS",
)
READY_TIMEOUT = Setting(10.0, "Seconds to wait for the output to match REGEX.", "SECONDS")
DEADLINE = Setting(
    2.0, "Seconds the first signal has to end the program before sigkit escalates.", "SECONDS"
)
INTERVAL = Setting(1.0, "Seconds to wait after each later signal of the ladder.", "SECONDS")
SIGNAL = Setting(
    "INT", "First signal: INT (a real Ctrl-C through the terminal), QUIT (Ctrl-\\), TERM or HUP.",
    "SIGNAL",
)
LADDER = Setting(
    None, "Every signal in order, e.g. INT,INT,TERM,KILL (a final KILL is always added).", "LIST"
)
TRIALS = Setting(1, "Repeat N times and report percentiles.", "N")
