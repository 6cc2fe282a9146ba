"""A parent waiting for a multiprocessing pool while the same Ctrl-C hits every worker."""

from __future__ import annotations

from sigkit import causes
from sigkit.diagnose.evidence import Evidence, user_frame
from sigkit.diagnose.model import Finding, finding
from sigkit.diagnose.rules.common import (
    describe_state,
    in_multiprocessing,
    main_where,
    signal_path,
    version_text,
)
from sigkit.diagnose.source import lint_hits, quoted
from sigkit.procinfo import ProcessState


def _disposition(child: ProcessState) -> str:
    main = next((t for t in child.threads if t.tid == child.pid), None)
    if main is None:
        return "?"
    if "SIGINT" in main.masks.get("SigIgn", []):
        return "ignores SIGINT"
    return "catches SIGINT" if "SIGINT" in main.masks.get("SigCgt", []) else "dies of SIGINT"


def pool_hang(ev: Evidence) -> list[Finding]:
    frames = ev.main_frames
    if not ev.stuck or not in_multiprocessing(frames):
        return []
    evidence = [*main_where(ev), *signal_path(ev)]
    if ev.version is not None and ev.version[0] == 2:
        evidence.append(f"{version_text(ev.version)}: this wait has no timeout and cannot be "
                        "interrupted")
    for child in ev.children[:4]:
        state = next((t for t in child.threads if t.tid == child.pid), None)
        doing = describe_state(state) if state else "gone"
        evidence.append(f"child pid {child.pid} ({child.name}): {doing}, {_disposition(child)}")
    hits = lint_hits(ev, causes.get("multiprocessing-hang").lint)
    evidence += [hit.sentence() for hit in hits]
    site = user_frame(frames)
    if site is None:
        return [finding("multiprocessing-hang", evidence)]
    fix = (f"{quoted(ev, site)} waits for results with no timeout: use `pool.map_async(f, xs)"
           ".get(timeout)` (interruptible on 2.7 too); give the pool an `initializer` that sets "
           "SIGINT to SIG_IGN so only the parent handles Ctrl-C; on KeyboardInterrupt call "
           "`pool.terminate()` then `pool.join()` and re-raise.")
    return [finding("multiprocessing-hang", evidence, fix)]
