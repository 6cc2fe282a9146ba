"""Stops a process manager makes: SIGTERM to PID 1, through a shell, with or without a handler,
and whether the program ends inside the manager's grace period."""

from __future__ import annotations

import os
import re

from sigkit import causes, stops
from sigkit.diagnose.evidence import Evidence
from sigkit.diagnose.rules.common import main_where, signal_path
from sigkit.findings import Finding, finding
from sigkit.procinfo import ProcessState
from sigkit.units import fmt

SHELLS = frozenset({"sh", "dash", "bash", "ash", "zsh", "ksh", "mksh", "busybox"})
_PACKAGES = re.compile(r"[/\\](?:site|dist)-packages[/\\]")


def _exit_on(signame: str) -> str:
    """The one line that turns a stop signal into SystemExit (so finally/atexit run)."""
    return f"`signal.signal(signal.{signame}, lambda signum, frame: sys.exit(128 + signum))`"


def _contract(ev: Evidence) -> stops.Stop:
    return ev.stop or stops.for_signal(ev.first_signal)


def _whom(ev: Evidence) -> str:
    where = f"pid {ev.signalled_pid}"
    if ev.pid1:
        where += ", PID 1 of its own PID namespace"
    return f"the process group of {where}" if ev.to == stops.GROUP else where


def _disposition(process: ProcessState, signame: str) -> str:
    """``caught`` / ``ignored`` / ``default`` for the main thread, from /proc."""
    main = next((t for t in process.threads if t.tid == process.pid), None)
    if main is None:
        return "unknown"
    if signame in main.masks.get("SigIgn", []):
        return "ignored"
    return "caught" if signame in main.masks.get("SigCgt", []) else "default"


def _in_flight(ev: Evidence) -> list[str]:
    """What was still running when the grace ran out: the main thread, the other processes."""
    lines = main_where(ev)
    others = [p for p in ev.processes if p.pid != ev.pid]
    if others:
        shown = ", ".join(f"pid {p.pid} ({p.name})" for p in others[:4])
        lines.append(f"{len(others)} other process{'es' if len(others) > 1 else ''} of the "
                     f"program still running: {shown}")
    return lines


def grace_overrun(ev: Evidence) -> list[Finding]:
    """A signal sigkit sent (not typed) did not end the program within the grace."""
    if ev.typed or not ev.deadline_missed:
        return []
    stop = _contract(ev)
    grace = f"{ev.grace:g} s" if ev.grace is not None else "the grace"
    evidence = [f"{ev.sent} sent to {_whom(ev)} ({stop.manager})",
                f"still running at {grace}: {stop.overrun}", *signal_path(ev), *_in_flight(ev)]
    if ev.python_handled:
        fix = (f"A handler ran for the {ev.sent}, and the program was still running at {grace}: "
               "its shutdown takes longer than the grace, or the handler does not stop it. "
               "Bound the shutdown below the grace (uvicorn `--timeout-graceful-shutdown`, "
               "gunicorn `--graceful-timeout`, your own drain loop's timeout), or give it more "
               f"time with {stop.grace_setting}. Probe again with a longer `--grace` to measure "
               "how long the stop really takes.")
    else:
        fix = (f"No Python handler ran for the {ev.sent}: nothing began to stop. Handle the "
               f"signal in the program ({_exit_on('SIG' + ev.first_signal)} makes `finally:` "
               "blocks and atexit handlers run), and see the other findings for why it was not "
               "delivered.")
    return [finding("grace-overrun", evidence, fix)]


def _is_shell_wrapper(ev: Evidence) -> bool:
    command = os.path.basename(ev.command[0]) if ev.command else ""
    return command in SHELLS and ev.python_is_child


def pid1_no_handler(ev: Evidence) -> list[Finding]:
    """PID 1 of a namespace with no handler for the signal: the kernel drops it."""
    process = ev.signalled
    if not ev.deadline_missed or process is None or process.namespace_pid != 1:
        return []
    signame = "SIG" + ev.first_signal
    if _disposition(process, signame) != "default" or _is_shell_wrapper(ev):
        return []
    evidence = [
        f"pid {process.pid} ({process.name}) is PID 1 of its PID namespace "
        f"(/proc/{process.pid}/status NSpid ends in 1)",
        f"{signame} is neither in SigCgt nor in SigIgn of pid {process.pid}: no handler, "
        "default disposition -- which the kernel drops for a namespace's init",
        *signal_path(ev),
    ]
    fix = (f"Handle {signame} in the program: {_exit_on(signame)} (SystemExit runs `finally:` "
           "blocks and atexit handlers), or run it under an init that forwards signals and "
           "reaps zombies: `docker run --init`, `tini`/`dumb-init` as the ENTRYPOINT, "
           "`shareProcessNamespace` in Kubernetes.")
    return [finding("pid1-no-handler", evidence, fix)]


def shell_wrapper(ev: Evidence) -> list[Finding]:
    """The signal went to a shell that runs the Python program as a child and does not
    forward it."""
    if ev.typed or not _is_shell_wrapper(ev) or ev.python_handled:
        return []
    shell = os.path.basename(ev.command[0])
    evidence = [f"{ev.sent} went to pid {ev.signalled_pid} (`{shell}`), a shell running the "
                f"Python program (pid {ev.pid}) as its child",
                f"no Python handler ran in pid {ev.pid}: the shell did not forward the signal"]
    process = ev.signalled
    if ev.deadline_missed and process is not None:
        state = _disposition(process, "SIG" + ev.first_signal)
        if process.namespace_pid == 1 and state == "default":
            evidence.append(f"`{shell}` is PID 1 of its PID namespace with no {ev.sent} handler: "
                            "the kernel dropped the signal, and the shell went on waiting")
        else:
            evidence.append(f"`{shell}` was still waiting for its child after the grace")
    elif ev.exit_signal is not None:
        evidence.append(f"`{shell}` died of {ev.exit_signal} without passing it on")
        evidence += [f"pid {o.pid} `{o.cmdline}` outlived it, orphaned (sigkit killed it)"
                     for o in ev.orphans[:2]]
    else:
        return []
    if shell in ("sh", "dash"):
        evidence.append("Debian's `sh` is dash, which does not exec the last command of "
                        "`sh -c '...'`: the program stays its child")
    fix = ("Make the shell replace itself with the program, so the program is the process that "
           "gets the signal: `sh -c 'exec python app.py'`, `exec python app.py` as the last line "
           "of an entrypoint script, or the exec form `CMD [\"python\", \"app.py\"]` in a "
           "Dockerfile. A shell that must stay has to forward it: `python app.py & child=$!; "
           "trap 'kill -TERM $child' TERM; wait $child`.")
    return [finding("shell-no-forward", evidence, fix)]


def default_action_killed(ev: Evidence) -> bool:
    """The first signal sigkit sent (not typed) ended the probed program by its default action:
    no Python handler, atexit or ``finally:`` of its ran."""
    if ev.typed or ev.presses_to_exit != 1 or ev.exit_signal != "SIG" + ev.first_signal:
        return False
    return ev.probed and not (ev.python_handled or ev.python_is_child or ev.atexit_ran)


def default_term(ev: Evidence) -> list[Finding]:
    """The program died of the signal's default action: no Python code ran after it."""
    signame = "SIG" + ev.first_signal
    if not default_action_killed(ev):
        return []
    evidence = [f"pid {ev.pid} ended by the default action of {signame} "
                f"{fmt(ev.exit_us or 0.0)} after it was sent; no Python handler ran",
                "so no `finally:` block, `with` exit or atexit handler ran"]
    if ev.atexit_pending:
        count = len(ev.atexit_pending)
        evidence.append(f"{count} atexit handler{'s' if count > 1 else ''} registered and never "
                        f"ran: {', '.join(ev.atexit_pending)}")
    severity = causes.WARNING if ev.atexit_pending else causes.INFO
    fix = (f"Turn {signame} into a normal exit: {_exit_on(signame)} -- SystemExit unwinds the "
           "stack, so `finally:` blocks, `with` exits and atexit handlers run.")
    return [finding("sigterm-default", evidence, fix, severity)]


def handler_replaced(ev: Evidence) -> list[Finding]:
    """The handler that met the signal was set by library code, or /proc disagrees with what
    Python's signal module believes is installed."""
    if not ev.deadline_missed or ev.first_signal == "KILL":
        return []
    signame = "SIG" + ev.first_signal
    evidence = []
    mine = [(by, where) for name, by, where in ev.handlers_set if name == signame]
    # A typed Ctrl-C met by a library's handler is the graceful-shutdown and swallowed-interrupt
    # rules' story; for a stop sigkit sends, nothing else names who owns the signal.
    if mine and not ev.typed:
        by, where = mine[-1]
        if _library(where) and not _program_is(ev.command, where):
            evidence.append(f"`signal.signal({signame}, {by})` at {where}: a library installed "
                            f"the handler {ev.sent} met")
    process = ev.process
    if process is not None:
        python_view = _python_view(signame, mine)
        kernel_view = _disposition(process, signame)
        disagree = kernel_view == "caught" if python_view == "not caught" else (
            kernel_view not in ("unknown", python_view))
        if python_view is not None and disagree:
            evidence.append(f"Python's `signal.getsignal({signame})` says "
                            f"{_VIEW_WORDS[python_view]}, but /proc/{process.pid}/status says "
                            f"{_VIEW_WORDS[kernel_view]}: something outside Python's signal "
                            "module (a C extension, ctypes) changed it")
    if not evidence:
        return []
    fix = (f"Find who owns {signame}: call `signal.signal({signame}, ...)` after the library "
           "has set up (or use the library's own shutdown hook), and check "
           f"`signal.getsignal({signame})` against SigCgt/SigIgn in /proc/PID/status.")
    return [finding("handler-replaced", evidence + signal_path(ev), fix)]


_VIEW_WORDS = {"caught": "a handler is installed", "ignored": "it is ignored (SIG_IGN)",
               "default": "the default action (SIG_DFL)",
               "not caught": "no Python handler (SIG_DFL, or an inherited SIG_IGN)"}


def _python_view(signame: str, mine: list[tuple[str, str]]) -> str | None:
    """What `signal.getsignal()` returns, where sigkit knows it: the program's last
    `signal.signal()`; with none, a signal other than SIGINT is not caught by Python (only
    SIGINT gets a handler at start-up; an inherited SIG_IGN would show in SigIgn either way)."""
    if mine:
        return {"SIG_IGN": "ignored", "SIG_DFL": "default"}.get(mine[-1][0], "caught")
    return None if signame == "SIGINT" else "not caught"


def _program_is(command: list[str], where: str) -> bool:
    """Was the program run that library itself (``celery worker``, ``python -m celery``)?  Then
    the handler is the program's own, set by design: celery's worker turns SIGTERM into its warm
    shutdown."""
    found = re.search(r"[/\\](?:site|dist)-packages[/\\]([A-Za-z0-9_]+)", where)
    if found is None or not command:
        return False
    package = found.group(1).lower()
    runs = [os.path.basename(command[0])]
    if "-m" in command[:-1]:
        runs.append(command[command.index("-m") + 1].split(".")[0])
    return package in (name.lower().replace("-", "_") for name in runs)


def _library(where: str) -> bool:
    """Installed packages: code the user did not write (the stdlib is left to its own rules)."""
    return bool(_PACKAGES.search(where))
