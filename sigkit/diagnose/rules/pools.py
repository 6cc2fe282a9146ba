"""Exits that wait for pool workers other than plain threads: a ProcessPoolExecutor's queue, and
``asyncio.run`` waiting for blocking work in its default executor."""

from __future__ import annotations

from sigkit.diagnose.evidence import Evidence, calls, user_frame
from sigkit.diagnose.rules.common import (
    describe_state,
    in_asyncio_shutdown,
    in_process_pool,
    main_where,
    signal_path,
    version_text,
)
from sigkit.diagnose.source import quoted
from sigkit.findings import Finding, finding

_THREAD_POOL = "concurrent/futures/thread.py"


def process_pool(ev: Evidence) -> list[Finding]:
    """Main is leaving a ProcessPoolExecutor: its shutdown waits for the queued tasks."""
    frames = ev.main_frames
    if not ev.stuck or not in_process_pool(frames):
        return []
    evidence = [*main_where(ev), *signal_path(ev)]
    for child in ev.children[:4]:
        state = child.main_thread
        doing = describe_state(state) if state else "gone"
        gets = "ignores SIGINT" if child.ignores("SIGINT") else "gets the Ctrl-C too (same group)"
        evidence.append(f"worker pid {child.pid} ({child.name}): {doing}, {gets}")
        site = user_frame([f for t in ev.stacks_of(child.pid) for f in t.frames])
        if site is not None:
            evidence.append(f"worker pid {child.pid} runs a task: {quoted(ev, site)}")
    if ev.version is not None and ev.version >= (3, 14):
        stop = "then `executor.terminate_workers()` to stop the running ones too"
    else:
        stop = (f"running tasks finish or are interrupted by the Ctrl-C ({version_text(ev.version)} "
                "has no `terminate_workers()`, added in 3.14)")
    site = user_frame(frames)
    where = f"At {quoted(ev, site)}: c" if site is not None else "C"
    fix = (f"{where}atch KeyboardInterrupt inside the `with` block and call "
           f"`executor.shutdown(wait=False, cancel_futures=True)` so the queued tasks are dropped; "
           f"{stop}; then re-raise.")
    return [finding("process-pool-shutdown", evidence, fix)]


def asyncio_executor(ev: Evidence) -> list[Finding]:
    """asyncio.run's exit waits for a default-executor thread stuck in blocking work."""
    if not ev.stuck:
        return []
    shutting = in_asyncio_shutdown(ev.main_frames) or any(
        in_asyncio_shutdown(stack.frames) for stack in ev.worker_stacks)
    at_exit = calls(ev.main_frames, _THREAD_POOL, frozenset({"_python_exit"}))
    workers = [s for s in ev.worker_stacks if calls(s.frames, _THREAD_POOL, frozenset({"_worker"}))]
    if not workers or not shutting:
        return []
    evidence = [*main_where(ev), *signal_path(ev)]
    if shutting:
        bound = (" (3.12+ waits at most 300 s)" if ev.version is None or ev.version >= (3, 12)
                 else f" ({version_text(ev.version)}: without a time limit)")
        evidence.append("asyncio.run is closing: `loop.shutdown_default_executor()` joins the "
                        f"default executor's threads{bound}")
    if at_exit:
        evidence.append("the interpreter's exit (atexit `_python_exit`) joins the executor's "
                        "threads once more")
    sites = [site for site in (user_frame(s.frames) for s in workers) if site is not None]
    evidence += [f"an executor thread is still in blocking work: {quoted(ev, site)} "
                 f"(in {site.function})" for site in sites[:3]]
    if not sites:
        return [finding("asyncio-executor-shutdown", evidence)]
    fix = (f"`{sites[0].function}` ({sites[0].where()}) cannot be cancelled: let it stop when "
           "asked -- pass it a `threading.Event` it checks and set the event in `except "
           "asyncio.CancelledError:` around the `await`, or give its blocking call a timeout; "
           "keep executor work short.")
    return [finding("asyncio-executor-shutdown", evidence, fix)]
