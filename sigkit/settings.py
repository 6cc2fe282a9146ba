"""Each probe setting once: its default, its help text and its metavar.

The CLI options, the ``[tool.sigkit.check]`` keys, the pytest fixture's keywords and the CLI
reference in the docs all read these, so a default or a help text cannot drift between them.
Help says what the setting does, not how it is spelt: each front end names it its own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sigkit import stops


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
    "INT", "First signal: INT (a real Ctrl-C through the terminal), QUIT (Ctrl-\\), or one "
    "sigkit sends like kill -SIG PID (TERM, HUP...; see --to), then SIGKILL after the grace.",
    "SIGNAL",
)
LADDER = Setting(
    None, "Every signal in order, e.g. INT,INT,TERM,KILL (a final KILL is always added).", "LIST"
)
TRIALS = Setting(1, "Repeat N times and report percentiles.", "N")
GRACE = Setting(
    None, "Seconds the first signal has to end the program before the next rung (default: "
    f"the stop preset's grace, else {stops.DEFAULT_GRACE:g}).", "SECONDS",
)
STOP = Setting(None, "Stop the program as a process manager does -- " + stops.help_text() + ".",
               "|".join(stops.NAMES))
TO = Setting(
    None, "Who receives a signal sigkit sends itself (not a typed key): main, the program only "
    "(kill, docker stop, supervisord), or group, its process group (systemd). Default: the "
    "stop's.", "main|group",
)
PID1 = Setting(
    False, "Run the program as PID 1 of a new PID namespace, as in a container: the kernel drops "
    "every signal PID 1 has no handler for.", "",
)
