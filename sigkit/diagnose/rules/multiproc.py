"""A parent waiting for a multiprocessing pool while the same Ctrl-C hits every worker."""

from __future__ import annotations

from sigkit import causes
from sigkit.diagnose.evidence import Evidence, user_frame
from sigkit.diagnose.rules.common import (
    child_waits,
    describe_state,
    in_multiprocessing,
    main_where,
    signal_path,
    version_text,
)
from sigkit.diagnose.rules.graceful import drain
from sigkit.diagnose.source import lint_hits, quoted
from sigkit.findings import Finding, finding
from sigkit.procinfo import ProcessState


def _disposition(child: ProcessState) -> str:
    main = child.main_thread
    if main is None:
        return "?"
    if child.ignores("SIGINT"):
        return "ignores SIGINT"
    return "catches SIGINT" if "SIGINT" in main.masks.get("SigCgt", []) else "dies of SIGINT"


def pool_hang(ev: Evidence) -> list[Finding]:
    """Main waits in multiprocessing: after a failed Ctrl-C, or (live) where 2.7 cannot be
    interrupted -- a live 3.x program waiting for its pool may simply be working."""
    frames = ev.main_frames
    if not in_multiprocessing(frames):
        return []
    python2 = ev.version is not None and ev.version[0] == 2
    if not (ev.deadline_missed or (ev.live and python2)):
        return []
    if drain(ev) is not None:
        return []  # a supervisor waiting for a server that drains: graceful.py explains it
    evidence = [*main_where(ev), *signal_path(ev)]
    if python2:
        evidence.append(f"{version_text(ev.version)}: this wait has no timeout and cannot be "
                        "interrupted")
    for child in [] if child_waits(ev) else ev.children[:4]:  # main_where named them already
        state = child.main_thread
        doing = describe_state(state) if state else "gone"
        evidence.append(f"child pid {child.pid} ({child.name}): {doing}, {_disposition(child)}")
    ignoring = [c for c in ev.children if _disposition(c) == "ignores SIGINT"]
    if ev.children and len(ignoring) == len(ev.children):
        evidence.append("every child ignores SIGINT: the Ctrl-C reached only the parent, and "
                        "the workers are still running their tasks")
    hits = lint_hits(ev, causes.get("multiprocessing-hang").lint)
    evidence += [hit.sentence() for hit in hits]
    site = user_frame(frames)
    if site is None:
        return [finding("multiprocessing-hang", evidence)]
    ignore = ("" if ev.children and len(ignoring) == len(ev.children) else
              "give the pool an `initializer` that sets SIGINT to SIG_IGN so only the parent "
              "handles Ctrl-C; ")
    fix = (f"{quoted(ev, site)} waits for results with no timeout: use `pool.map_async(f, xs)"
           f".get(timeout)` (interruptible on 2.7 too); {ignore}on KeyboardInterrupt call "
           "`pool.terminate()` then `pool.join()` and re-raise.")
    return [finding("multiprocessing-hang", evidence, fix)]
