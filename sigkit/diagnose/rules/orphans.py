"""Descendants that outlived the program (sigkit found and killed them)."""

from __future__ import annotations

from sigkit.diagnose.evidence import Evidence
from sigkit.diagnose.rules.stop import default_action_killed
from sigkit.findings import Finding, finding


def orphans(ev: Evidence) -> list[Finding]:
    if not ev.orphans:
        return []
    evidence = [
        f"pid {o.pid} `{o.cmdline or o.name}` was alive after the program ended"
        + (" -- it had left the session (setsid), out of the terminal's reach" if
           o.escaped_session else "")
        for o in ev.orphans
    ]
    if any(o.escaped_session for o in ev.orphans):
        fix = (f"A child in its own session never gets a {ev.sent} meant for the program's "
               "group: terminate it "
               "yourself in a `finally:` or `atexit` handler (`proc.terminate(); "
               "proc.wait(timeout)`), or forward SIGINT/SIGTERM to it.")
    else:
        got = (f"got the same {ev.sent} and survived it (they handle or ignore it)" if ev.typed
               or ev.to != "main" else f"never got the {ev.sent}: it went to the main process only")
        died = (f"; the program itself died of {ev.sent}'s default action, so none of its "
                f"clean-up ran: first make {ev.sent} a normal exit (see sigterm-default)"
                if default_action_killed(ev) else "")
        fix = (f"The children {got}{died}: terminate them in a `finally:` or `atexit` handler "
               "(`proc.terminate(); proc.wait(timeout)`, `p.terminate(); p.join()` for "
               "multiprocessing; a `with Pool()` block does it on exit).")
    return [finding("orphans", evidence, fix)]
