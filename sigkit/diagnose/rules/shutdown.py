"""Exit-time waits and what they cost: executors, non-daemon threads, work lost at exit."""

from __future__ import annotations

from sigkit import causes
from sigkit.diagnose.evidence import Evidence, calls, user_frame
from sigkit.diagnose.rules.common import (
    in_asyncio_shutdown,
    in_executor_exit,
    in_process_pool,
    in_thread_shutdown,
    main_where,
    thread_label,
    version_text,
)
from sigkit.diagnose.source import lint_hits, quoted
from sigkit.findings import Finding, finding
from sigkit.interpreters import PYPY
from sigkit.stacks import ThreadStack


def _doing(ev: Evidence, stack: ThreadStack) -> str:
    """``thread 'server' is still running: `time.sleep(0.1)` at app.py:46 (in serve)``."""
    site = user_frame(stack.frames)
    if site is None:
        where = stack.frames[0].function if stack.frames else "?"
        return f"{thread_label(stack)} is still running ({where})"
    return f"{thread_label(stack)} is still running: {quoted(ev, site)} (in {site.function})"


def _interrupted(ev: Evidence) -> list[str]:
    if ev.raised_in_time:
        return ["the first Ctrl-C raised KeyboardInterrupt to the top level; the exit then waited"]
    if ev.handled_presses:
        return [f"the Python handler ran for {ev.handled_presses} of {ev.presses} signals sent; "
                "the exit-time wait went on"]
    return []


def _wait_for_worker(version: tuple[int, int] | None) -> str:
    """How to wait for a worker that was asked to stop, on this Python."""
    if version is not None and (3, 9) <= version <= (3, 12):
        return ("wait for a `done` Event the worker sets in a `finally:` (`while not "
                "done.wait(0.1): pass`) -- not join(): on "
                f"{version_text(version)} a join() interrupted once marks the thread finished "
                "(python/cpython#90882), and later joins return at once")
    return "wait for it with a timed join loop (`while t.is_alive(): t.join(0.1)`)"


def executor(ev: Evidence) -> list[Finding]:
    """Main is leaving a ThreadPoolExecutor, whose shutdown runs or joins all queued work."""
    frames = ev.main_frames
    if not ev.stuck or not in_executor_exit(frames) or in_process_pool(frames):
        return []  # (a process pool's exit has a rule of its own)
    if in_asyncio_shutdown(frames) or any(in_asyncio_shutdown(s.frames) for s in ev.worker_stacks):
        return []  # asyncio's default executor: pools.asyncio_executor
    at_exit = calls(frames, "concurrent/futures/thread.py", frozenset({"_python_exit"}))
    workers = [s for s in ev.worker_stacks
               if calls(s.frames, "concurrent/futures/thread.py", frozenset({"_worker"}))]
    evidence = [
        *main_where(ev),
        "the interpreter's exit (atexit `_python_exit`) joins the executor's worker threads"
        if at_exit else "leaving the `with` block: `shutdown(wait=True)` runs every queued task",
        *_interrupted(ev),
        *[_doing(ev, stack) for stack in workers[:4]],
    ]
    hits = lint_hits(ev, causes.get("executor-shutdown").lint)
    evidence += [hit.sentence() for hit in hits]
    if ev.version is None or ev.version >= (3, 9):
        drop = "`executor.shutdown(wait=False, cancel_futures=True)`"
    else:
        drop = f"`f.cancel()` on every pending future ({version_text(ev.version)} has no " \
               "cancel_futures)"
    where = f"At {hits[0].where()}: c" if hits else "C"
    fix = (f"{where}atch KeyboardInterrupt inside the `with` block, call {drop}, and re-raise: "
           "the queued tasks are dropped and only the running ones finish. Let long tasks check "
           "a `threading.Event` so the running ones stop early too.")
    return [finding("executor-shutdown", evidence, fix)]


def nondaemon(ev: Evidence) -> list[Finding]:
    """Main is done, and the interpreter's exit joins non-daemon threads that do not end."""
    frames = ev.main_frames
    if not ev.stuck or not in_thread_shutdown(frames) or in_executor_exit(frames):
        return []
    if in_process_pool(frames) or any(in_asyncio_shutdown(s.frames) for s in ev.worker_stacks):
        return []  # the exit joins a pool's helper thread: pools.py explains it
    workers = ev.worker_stacks
    evidence = [*main_where(ev), *_interrupted(ev), *[_doing(ev, s) for s in workers[:4]]]
    if ev.version is not None and ev.version[0] == 2:
        evidence.append("Python 2.7: this join cannot be interrupted at all")
    hits = lint_hits(ev, causes.get("nondaemon-shutdown").lint, running_only=False)
    evidence += [hit.sentence() for hit in hits]
    sites = [site for site in (user_frame(s.frames) for s in workers) if site is not None]
    if not sites:
        return [finding("nondaemon-shutdown", evidence)]
    site = sites[0]
    fix = (f"Let `{site.function}` ({site.where()}) stop when asked: check a `threading.Event` "
           f"in its loop; on KeyboardInterrupt set the event, {_wait_for_worker(ev.version)}, "
           "and re-raise. Start it with `daemon=True` only if its work may be abandoned mid-way.")
    return [finding("nondaemon-shutdown", evidence, fix)]


def lost_work(ev: Evidence) -> list[Finding]:
    """One Ctrl-C ended the program while non-daemon threads were still working."""
    if not ev.lost_threads or ev.presses_to_exit != 1:
        return []
    names = ", ".join(f"'{name}'" for name in ev.lost_threads)
    evidence = [f"non-daemon threads still alive at interpreter shutdown: {names}",
                f"the first {ev.sent} ended the program: those threads died mid-work"]
    if ev.implementation == PYPY and ev.raised_in_time:
        evidence.append(
            "PyPy: the KeyboardInterrupt reached the top level, and PyPy then kills itself with "
            "SIGINT at once (app_main.py), without joining non-daemon threads or running atexit "
            "handlers"
        )
    elif ev.version is not None and (3, 9) <= ev.version <= (3, 12):
        evidence.append(
            f"{version_text(ev.version)}: a join() interrupted by a signal marks the thread as "
            "finished (python/cpython#90882), so the exit did not wait for it"
        )
    fix = (f"Stop {names} explicitly: give the worker a `threading.Event` it checks between "
           f"steps; in `except KeyboardInterrupt:` set it, {_wait_for_worker(ev.version)}, and "
           "re-raise.")
    return [finding("lost-work", evidence, fix)]
