"""Python 2.7's uninterruptible lock waits: join(), Queue.get(), Event.wait(), lock.acquire()."""

from __future__ import annotations

from sigkit import causes
from sigkit.diagnose.evidence import Evidence, calls, user_frame
from sigkit.diagnose.rules.common import exit_wait, main_where, signal_path, version_text
from sigkit.diagnose.source import line_of, lint_hits, quoted, receiver
from sigkit.findings import Finding, finding

# kind -> (method whose receiver the fix names, placeholder name, the interruptible rewrite)
_REWRITES = {
    "join": ("join", "t", "a timed join loop: `while {v}.is_alive(): {v}.join(0.1)`"),
    "queue": ("get", "q", "`{v}.get(timeout=0.1)` in a loop that catches `Queue.Empty`"),
    "wait": ("wait", "event", "a timed wait in a loop: `while not {v}.wait(0.1): pass`"),
    "lock": ("acquire", "lock", "a polling loop (2.7 locks take no timeout): "
                                "`while not {v}.acquire(False): time.sleep(0.01)`"),
}


def wait_kind(ev: Evidence) -> str | None:
    """``join``/``queue``/``wait``/``lock`` when a 2.7 main thread sits in an untimed lock wait."""
    frames = ev.main_frames
    if ev.version is None or ev.version[0] != 2 or not frames or exit_wait(frames):
        return None
    if calls(frames, "threading.py", frozenset({"join"})):
        return "join"
    if calls(frames, "Queue.py", frozenset({"get", "put", "join"})):
        return "queue"
    if calls(frames, "threading.py", frozenset({"wait"})):
        return "wait"
    innermost = frames[0]
    if innermost is user_frame(frames) and ".acquire(" in (line_of(ev, innermost) or ""):
        return "lock"  # lock.acquire() is C: the innermost Python frame is the caller's line
    return None


def uninterruptible(ev: Evidence) -> list[Finding]:
    kind = wait_kind(ev)
    if kind is None or not ev.stuck:
        return []
    frames = ev.main_frames
    site = user_frame(frames)
    evidence = [f"{version_text(ev.version)}: a lock wait without a timeout cannot be "
                "interrupted", *main_where(ev), *signal_path(ev)]
    hits = lint_hits(ev, causes.get("uninterruptible-wait").lint)
    evidence += [hit.sentence() for hit in hits]
    method, placeholder, rewrite = _REWRITES[kind]
    if site is None:
        return [finding("uninterruptible-wait", evidence)]
    name = receiver(line_of(ev, site), method) or placeholder
    fix = (f"{quoted(ev, site)} waits without a timeout: use {rewrite.format(v=name)}. Each "
           "slice returns to Python, where the KeyboardInterrupt is raised.")
    return [finding("uninterruptible-wait", evidence, fix)]
