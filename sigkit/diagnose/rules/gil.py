"""Whoever keeps the main thread from the GIL: a worker's C call, main's own C call, busy threads.

The timeline tells them apart.  The C handler runs at once in every case; what differs is how
long the Python handler waits.  Busy pure-Python threads hand the GIL over every switch interval
(5 ms), so the handler comes after a few of them.  A C call that holds the GIL, or a main thread
that never reaches a bytecode boundary, makes it wait for the whole call -- seconds, or forever.
"""

from __future__ import annotations

from sigkit.diagnose.evidence import NOTICEABLE_US, SWITCH_INTERVAL_US, Evidence, user_frame
from sigkit.diagnose.rules.common import exit_wait, main_where, signal_path, version_text
from sigkit.diagnose.rules.waits import wait_kind
from sigkit.diagnose.source import quoted
from sigkit.findings import Finding, finding
from sigkit.units import fmt

# Without a snapshot, only the delay tells a worker's long C call from busy pure-Python threads
# on a starved machine (2 cores shared with other work: 100-300 ms seen here): half a second is
# more than turns of the GIL and the scheduler together explain.
NOT_LOAD_US = 500_000.0


def _late(ev: Evidence) -> bool:
    """The C handler ran, and the Python handler came only after a noticeable delay, or never."""
    if ev.arrival_us is None:
        return False
    if ev.after_arrival_us is not None:
        return ev.after_arrival_us >= NOTICEABLE_US
    return ev.deadline_missed


def _delay(ev: Evidence) -> list[str]:
    if ev.after_arrival_us is None:
        return []  # signal_path already says that no handler ran
    return [f"the Python handler ran {fmt(ev.after_arrival_us)} after the C handler "
            f"(more than {fmt(NOTICEABLE_US)}: not a switch-interval delay)"]


def _explained_elsewhere(ev: Evidence) -> bool:
    """A 2.7 lock wait, an exit-time wait or a blocked mask explains a missing handler better."""
    state = ev.main_state
    blocked = state is not None and "SIGINT" in state.masks.get("SigBlk", [])
    return blocked or wait_kind(ev) is not None or exit_wait(ev.main_frames)


def _gil_holder(ev: Evidence) -> str | None:
    """``main`` or ``worker``: who kept the GIL, from the snapshot.

    py-spy names the holder outright.  Otherwise the kernel states decide: a thread inside a C
    call is on a CPU (R), a thread waiting for the GIL sleeps -- but wakes every switch interval
    to ask again, so one sample may catch main on a CPU too; a running worker then wins.
    """
    if any(stack.state == "active+gil" for stack in ev.threads):
        main = ev.main_stack
        return "main" if main is not None and main.state == "active+gil" else "worker"
    if ev.running_workers():
        return "worker"
    return "main" if ev.main_running() else None


def main_c_call(ev: Evidence) -> list[Finding]:
    """Main is on a CPU inside one call; or, with no snapshot, it was the only thread."""
    if not _late(ev) or _explained_elsewhere(ev):
        return []
    if ev.processes or ev.threads:
        if _gil_holder(ev) != "main":
            return []
        evidence = [*signal_path(ev), *_delay(ev), *main_where(ev)]
    elif ev.threads_seen == (1, "when the signal went out"):
        evidence = [*signal_path(ev), *_delay(ev),
                    "the program had a single thread when the signal went out: main itself held "
                    "the GIL"]
    else:
        return []
    site = user_frame(ev.main_frames)
    if site is None:
        return [finding("main-in-c-call", evidence)]
    fix = (f"{quoted(ev, site)} is one call that never returns to the eval loop: do it in "
           "chunks or as a Python loop, so pending signals are checked between bytecodes; or "
           "run it in a worker (a process, if it holds the GIL) and keep the main thread in an "
           "interruptible wait.")
    return [finding("main-in-c-call", evidence, fix)]


def worker_holds_gil(ev: Evidence) -> list[Finding]:
    """Main waits for the GIL while another thread runs a long call."""
    if not _late(ev) or _explained_elsewhere(ev):
        return []
    if ev.processes or ev.threads:
        if _gil_holder(ev) != "worker":
            return []
        evidence = [*signal_path(ev), *_delay(ev), *main_where(ev),
                    f"on a CPU while main waits: {', '.join(ev.running_workers())}"]
    elif _many_threads(ev) and (ev.after_arrival_us or 0) >= NOT_LOAD_US:
        count, when = ev.threads_seen
        evidence = [*signal_path(ev), *_delay(ev),
                    f"{count} threads were alive {when}, and the wait was longer than busy "
                    f"pure-Python threads take even on a loaded machine ({fmt(NOT_LOAD_US)}): "
                    "another one held the GIL in one long call"]
    else:
        return []
    sites = [site for site in (user_frame(s.frames) for s in ev.worker_stacks) if site]
    evidence += [f"worker at {quoted(ev, site)} (in {site.function})" for site in sites[:3]]
    if len(sites) != 1:
        return [finding("gil-held-by-worker", evidence)]
    fix = (f"{quoted(ev, sites[0])} holds the GIL for the whole call: cut it into short calls "
           "(a chunk at a time) so the thread passes through the eval loop and hands the GIL "
           "over, or run it in a process (`ProcessPoolExecutor`).")
    return [finding("gil-held-by-worker", evidence, fix)]


def _many_threads(ev: Evidence) -> bool:
    count, _ = ev.threads_seen
    return count is not None and count > 1


def _other_threads(ev: Evidence) -> str:
    """Who could have held the GIL, as a sentence; empty if main was alone."""
    if ev.running_workers():
        return f"on a CPU while main waited: {', '.join(ev.running_workers())}"
    if _many_threads(ev):
        count, when = ev.threads_seen
        return f"{count} threads were alive {when}"
    return ""


def busy_workers(ev: Evidence) -> list[Finding]:
    """Over budget by a few switch intervals: busy threads taking their turns with the GIL."""
    waited = ev.after_arrival_us
    if not ev.budget_broken or waited is None:
        return []
    if not SWITCH_INTERVAL_US / 2 <= waited < NOTICEABLE_US or not _other_threads(ev):
        return []  # a lone main thread made slow by a loaded machine is not this cause
    turns = waited / SWITCH_INTERVAL_US
    evidence = [
        f"budget {fmt(ev.budget_us)} broken: the Python handler ran {fmt(ev.handler_us)} "
        f"after the {ev.sent}",
        f"{fmt(waited)} of it between the C handler and the Python handler: about "
        f"{turns:.1f} x the {fmt(SWITCH_INTERVAL_US)} switch interval",
    ]
    evidence.append(_other_threads(ev))
    if ev.version is not None and ev.version[0] == 2:
        evidence.append(f"{version_text(ev.version)} switches threads every 100 ticks, with no "
                        "switch interval and no fairness")
    return [finding("busy-workers", evidence)]


def slow_handler(ev: Evidence) -> list[Finding]:
    """Over budget, and nothing more specific fits: ask for the evidence that would."""
    if not ev.budget_broken or ev.deadline_missed:
        return []
    if main_c_call(ev) or worker_holds_gil(ev) or busy_workers(ev):
        return []
    figure = ev.responsiveness_us or 0.0
    evidence = [f"budget {fmt(ev.budget_us)} broken: {fmt(figure)} from the {ev.sent} to the "
                f"{'Python handler' if ev.handler_us is not None else 'exit'}", *signal_path(ev)]
    if ev.after_arrival_us is not None:
        evidence.append(f"{fmt(ev.after_arrival_us)} of it after the C handler ran")
    fix = (f"Probe again with `--deadline {max(figure / 2e6, 0.001):.3g}` (half the latency): "
           f"the first {ev.sent} then misses the deadline and sigkit captures every thread's stack "
           "and state while the program is held up, and names the cause.")
    return [finding("slow-handler", evidence, fix)]
