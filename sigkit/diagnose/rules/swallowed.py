"""The signal got through, and the program dropped it: a catch-all except, or a handler that
does not stop anything."""

from __future__ import annotations

from sigkit import causes
from sigkit.diagnose.evidence import Evidence
from sigkit.diagnose.rules.cleanup import cleaning_up
from sigkit.diagnose.rules.common import exit_wait, in_asyncio_callback, main_where, signal_path
from sigkit.diagnose.rules.graceful import drain
from sigkit.diagnose.rules.prompt import back_at_prompt
from sigkit.diagnose.source import lint_hits
from sigkit.findings import Finding, finding


def _handled_live(ev: Evidence) -> bool:
    """A live Python 3 process took the SIGINT sigkit sent into its handler while its main
    thread slept in an interruptible wait (which wakes on EINTR and runs the handler, PEP 475)."""
    state = ev.main_state
    return (ev.sent_signal == "SIGINT" and ev.delivered_to_handler() and state is not None
            and state.state == "S" and ev.version is not None and ev.version >= (3, 5))


def swallowed(ev: Evidence) -> list[Finding]:
    """The Python handler ran, no KeyboardInterrupt left, and main carried on in its own code."""
    if not ev.deadline_missed or ev.raised_in_time:
        return []
    if ev.handler_us is None and not _handled_live(ev):
        return []
    if ev.first_signal != "INT":
        return []  # only SIGINT means KeyboardInterrupt: a slow TERM handler is grace-overrun
    if exit_wait(ev.main_frames):
        return []  # KeyboardInterrupt is on its way out; an exit-time wait holds it up
    if in_asyncio_callback(ev.main_frames):
        return []  # asyncio's handler asked for a cancellation: asyncio_loop explains it
    if cleaning_up(ev) is not None or drain(ev) is not None:
        return []  # on its way out (a clean-up, a server's drain): not dropped
    if back_at_prompt(ev):
        return []  # a prompt cancelled the line by design: prompt.py says so
    evidence = [*signal_path(ev)]
    if ev.sent_signal is None:
        evidence.append(f"{ev.handled_presses} of {ev.presses} presses ran the Python handler; no "
                        "KeyboardInterrupt reached the top level before the next press")
    evidence += main_where(ev)
    hits = lint_hits(ev, causes.get("swallowed-interrupt").lint)
    if ev.handler_us is None and not hits:
        return []  # a live process: without a timeline, only the catch on its stack says so
    evidence += [hit.sentence() for hit in hits]
    catches = [hit for hit in hits if hit.code != "SK104"]
    handlers = [hit for hit in hits if hit.code == "SK104"]
    if catches:
        fix = (f"At {catches[0].where()}: catch `Exception` instead (`except Exception:`), or "
               "clean up and re-raise KeyboardInterrupt. KeyboardInterrupt derives from "
               "BaseException precisely so that `except Exception:` lets it through.")
    elif handlers:
        fix = (f"The SIGINT handler at {handlers[0].where()} returns without stopping the "
               "program: raise KeyboardInterrupt from it, or set a flag the main loop checks.")
    else:
        fix = None
    return [finding("swallowed-interrupt", evidence, fix)]
