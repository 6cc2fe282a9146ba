"""Who gets the signal: SIGINT ignored, blocked in the main thread, or sent to another group."""

from __future__ import annotations

from sigkit import causes
from sigkit.diagnose.evidence import Evidence
from sigkit.diagnose.rules.common import signal_path
from sigkit.diagnose.source import grep, lint_hits
from sigkit.findings import Finding, finding

_RESTORE = "`signal.signal(signal.SIGINT, signal.default_int_handler)`"


def ignored(ev: Evidence) -> list[Finding]:
    """SIGINT's disposition is SIG_IGN: the kernel drops it before any handler could run."""
    state = ev.main_state
    if not ev.stuck or state is None or "SIGINT" not in state.masks.get("SigIgn", []):
        return []
    if not ev.live and ev.first_signal != "INT":
        return []
    evidence = [f"SigIgn of pid {ev.pid} (/proc/{ev.pid}/status) contains SIGINT", *signal_path(ev)]
    hits = lint_hits(ev, causes.get("sigint-ignored").lint, running_only=False)
    evidence += [hit.sentence() for hit in hits]
    if hits:
        fix = (f"Remove the SIG_IGN at {hits[0].where()}, or restore Ctrl-C once the critical "
               f"section is over: {_RESTORE}.")
    else:
        fix = ("sigkit found no `signal.signal(SIGINT, SIG_IGN)` in the source on the stacks: "
               "if the program does not set it, it was inherited from whoever started it (nohup, "
               "`cmd &` in a script, a CI runner) -- ignored signals survive exec. Start it from "
               f"a foreground shell, or restore Ctrl-C at start-up: {_RESTORE}.")
    return [finding("sigint-ignored", evidence, fix)]


def blocked(ev: Evidence) -> list[Finding]:
    """SIGINT is in the main thread's signal mask: it stays pending, or goes to another thread."""
    state = ev.main_state
    if not ev.stuck or state is None or "SIGINT" not in state.masks.get("SigBlk", []):
        return []
    if not ev.live and ev.first_signal != "INT":
        return []
    evidence = [f"SigBlk of the main thread (tid {state.tid}) contains SIGINT"]
    pending = [key for key in ("ShdPnd", "SigPnd") if "SIGINT" in state.masks.get(key, [])]
    if pending:
        evidence.append(f"SIGINT is pending ({', '.join(pending)}): no thread accepts it")
    receivers = [t.tid for t in ev.other_states if "SIGINT" not in t.masks.get("SigBlk", [])]
    if receivers:
        evidence.append(
            f"threads {', '.join(map(str, receivers))} leave it unblocked: the kernel delivers "
            "SIGINT there, and the main thread's wait is not interrupted"
        )
    evidence += signal_path(ev)
    unblock = "`signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})`"
    sites = grep(ev, r"pthread_sigmask|sigprocmask")
    evidence += [f"{name}:{line}: `{text}`" for name, line, text in sites]
    where = f"The mask is set at {sites[0][0]}:{sites[0][1]}. " if sites else ""
    fix = (f"{where}Unblock SIGINT in the main thread: {unblock}. To keep it away from worker "
           "threads, block it in the workers only (block, start the thread, restore the mask).")
    return [finding("sigint-blocked", evidence, fix)]


def not_foreground(ev: Evidence) -> list[Finding]:
    """The terminal sends Ctrl-C to its foreground process group; this process is not in it."""
    process = ev.process
    if not ev.stuck or process is None or process.in_foreground:
        return []
    if not ev.live and not ev.typed:  # sigkit sent it to the process: no terminal involved
        return []
    if ev.arrival_us is not None:
        return []  # the signal got there anyway (sent to the group, not typed)
    kill = f"`kill -INT {process.pid}` (or `kill -INT -{process.pgrp}` for its group)"
    if process.tty_foreground_pgrp <= 0:
        evidence = [f"pid {process.pid} has no controlling terminal (tpgid "
                    f"{process.tty_foreground_pgrp}): a Ctrl-C typed anywhere cannot reach it"]
        fix = f"Send the signal yourself: {kill}."
        severity = causes.INFO if ev.live else causes.ERROR
    else:
        evidence = [f"pid {process.pid} is in process group {process.pgrp}; the terminal's "
                    f"foreground group is {process.tty_foreground_pgrp}"]
        fix = f"Bring it to the foreground (`fg`) before pressing Ctrl-C, or send {kill}."
        severity = causes.ERROR
    return [finding("not-foreground", evidence + signal_path(ev), fix, severity)]
