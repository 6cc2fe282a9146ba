"""asyncio's own Ctrl-C: a cancellation that waits for an ``await`` a blocked coroutine never
reaches."""

from __future__ import annotations

from sigkit.diagnose.evidence import Evidence, calls, user_frame
from sigkit.diagnose.rules.common import in_asyncio_callback, main_where, signal_path
from sigkit.diagnose.source import quoted
from sigkit.findings import Finding, finding


def blocked_loop(ev: Evidence) -> list[Finding]:
    """The handler ran, nothing was raised, and main is running a coroutine step, not waiting
    in the loop's selector."""
    frames = ev.main_frames
    if not ev.deadline_missed or ev.handler_us is None or ev.raised_in_time:
        return []
    if not in_asyncio_callback(frames) or calls(frames, "selectors.py", frozenset({"select"})):
        return []
    evidence = [*signal_path(ev), "no KeyboardInterrupt followed: the handler only asked for a "
                "cancellation", *main_where(ev)]
    if ev.wakeup_replaced:
        evidence.append("the program installed its own wakeup fd (asyncio's event loop)")
    site = user_frame(frames)
    if site is None:
        return [finding("asyncio-blocked-loop", evidence)]
    fix = (f"{quoted(ev, site)} blocks the event loop (in {site.function}): await instead "
           "(`await asyncio.sleep(...)`, async I/O), or move the blocking call to a thread with "
           "`await asyncio.to_thread(...)` and keep it short.")
    return [finding("asyncio-blocked-loop", evidence, fix)]
