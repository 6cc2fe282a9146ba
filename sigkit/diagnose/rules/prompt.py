"""A program that survives Ctrl-C by design: the REPL, a debugger, an input loop cancel the line
and wait for the next one.  Not a fault, and not unexplained: the interrupt reached Python and
the main thread is back at the terminal, waiting for the user to type."""

from __future__ import annotations

import re

from sigkit.diagnose.evidence import Evidence, calls, chain, user_frame
from sigkit.diagnose.rules.common import main_where, signal_path
from sigkit.diagnose.source import line_of
from sigkit.findings import Finding, finding

# Where Python's own prompts read a line (CPython's C REPL has no Python frame: the kernel tells).
_REPL_READS = (("code.py", frozenset({"raw_input", "interact"})),
               ("cmd.py", frozenset({"cmdloop"})),
               ("_pyrepl/readline.py", frozenset({"input", "multiline_input"})),
               ("_pyrepl/simple_interact.py", frozenset({"run_multiline_interactive_console"})))
_INPUT_CALL = re.compile(r"\b(raw_)?input\s*\(")
_ESCAPES = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_]|\][^\x07]*\x07)")


def reads_a_line(ev: Evidence) -> list[str]:
    """Evidence that the main thread waits for the user's next line: its stack, the kernel."""
    lines = []
    frames = ev.main_frames
    repl = next((path for path, names in _REPL_READS if calls(frames, path, names)), None)
    site = user_frame(frames)
    if repl is not None:
        lines.append(f"the main thread is in the prompt's line read ({repl}): {chain(frames)}")
    elif site is not None and site is frames[0] and _INPUT_CALL.search(line_of(ev, site) or ""):
        lines.append(f"the main thread waits in `input()` at {site.where()}")
    state = ev.main_state
    if state is not None and state.terminal_wait:
        lines.append(f"kernel: main thread (tid {state.tid}) asleep in {state.terminal_wait}: "
                     "it waits for the terminal alone")
    return lines


def interrupt_taken(ev: Evidence) -> str | None:
    """The Ctrl-C got into Python: the KeyboardInterrupt reached the top level (a REPL prints
    it and reads on), the Python handler ran, or (live) a handler took the SIGINT sigkit sent."""
    if ev.raised_in_time:
        return ("the KeyboardInterrupt reached the top level (sys.excepthook ran): the REPL "
                "printed it and went on")
    if ev.handler_us is not None:
        return "the Python handler ran (it raises KeyboardInterrupt in the main thread)"
    if ev.sent_signal == "SIGINT" and ev.delivered_to_handler():
        return "a handler took the SIGINT (caught, no longer pending)"
    return None


def back_at_prompt(ev: Evidence) -> list[Finding]:
    """The first Ctrl-C reached Python, and main now waits for the user's next line."""
    if not ev.stuck or ev.presses == 0:
        return []
    taken, reading = interrupt_taken(ev), reads_a_line(ev)
    if taken is None or not reading:
        return []
    said_live = ev.sent_signal is not None  # signal_path says already that a handler took it
    evidence = [*signal_path(ev), *([] if said_live else [taken]), *reading]
    if not any(line.startswith("the main thread is in") for line in reading):
        said = set(line.split(":")[0] for line in reading)
        evidence += [line for line in main_where(ev) if line.split(":")[0] not in said]
    prompt = prompt_shown(ev.said)
    if prompt:
        evidence.append(f"its output after the Ctrl-C ends with a prompt: {prompt!r}")
    return [finding("back-at-prompt", evidence)]


def prompt_shown(said: str) -> str | None:
    """The last line the program printed, when it waits on that line (no newline after it)."""
    text = _ESCAPES.sub("", said).replace("\r", "\n")
    last = text.rsplit("\n", 1)[-1]
    return last if last.strip() else None
