"""Sentences and predicates several rules share: the signal's path, where main is, exit waits."""

from __future__ import annotations

from sigkit.diagnose.evidence import Evidence, calls, chain
from sigkit.interpreters import PYPY
from sigkit.procinfo import ThreadState
from sigkit.stacks import Frame, ThreadStack
from sigkit.timeline import ARRIVAL, HANDLER
from sigkit.units import fmt

_EXECUTOR = "concurrent/futures/thread.py"
_PROCESS_POOL = "concurrent/futures/process.py"


def in_executor_exit(frames: list[Frame]) -> bool:
    """Leaving a ThreadPoolExecutor: ``shutdown(wait=True)`` or the atexit ``_python_exit``."""
    return calls(frames, _EXECUTOR, frozenset({"shutdown", "_python_exit"})) or calls(
        frames, "concurrent/futures/_base.py", frozenset({"__exit__"})
    )


def in_thread_shutdown(frames: list[Frame]) -> bool:
    """The interpreter's exit joining non-daemon threads (3.x ``_shutdown``, 2.7 ``_exitfunc``)."""
    return calls(frames, "threading.py", frozenset({"_shutdown", "_exitfunc"}))


def in_multiprocessing(frames: list[Frame]) -> bool:
    return any("/multiprocessing/" in f.filename.replace("\\", "/") for f in frames)


def in_asyncio_callback(frames: list[Frame]) -> bool:
    """Running a task step or callback of an asyncio event loop."""
    return calls(frames, "asyncio/events.py", frozenset({"_run"}))


def in_process_pool(frames: list[Frame]) -> bool:
    """Inside ``concurrent.futures.process`` (a ProcessPoolExecutor's shutdown or exit join)."""
    return any(f.filename.replace("\\", "/").endswith(_PROCESS_POOL) for f in frames)


def in_asyncio_shutdown(frames: list[Frame]) -> bool:
    """``asyncio.run`` closing: its runner's ``close`` or the loop's executor shutdown."""
    return calls(frames, "asyncio/runners.py", frozenset({"close", "__exit__"})) or calls(
        frames, "asyncio/base_events.py", frozenset({"shutdown_default_executor", "_do_shutdown"})
    )


def exit_wait(frames: list[Frame]) -> bool:
    """Main waits for others to finish (an executor, non-daemon threads, a process pool, asyncio's
    default executor): the rules for those waits explain it, not the generic ones."""
    return (in_executor_exit(frames) or in_thread_shutdown(frames) or in_multiprocessing(frames)
            or in_asyncio_shutdown(frames))


def signal_path(ev: Evidence) -> list[str]:
    """What became of the first signal: C handler (wakeup byte), then Python handler.  Where the
    probe failed to watch, the absence of an event is said to be unknown, never "did not run"."""
    if ev.sent_signal is not None:
        return [live_delivery(ev)]
    if not ev.presses:
        return []
    failed = [f"the probe failed inside the target: {what}" for what in ev.probe_failures]
    if not ev.probed and not failed:
        return ["no sigkit probe inside the program (not Python, or started with -I/-E): "
                "no handler timings"]
    if ev.arrival_us is None and ARRIVAL in ev.unseen:
        lines = [*failed, "whether the C-level handler ran is unknown (the probe could not watch)"]
    elif ev.arrival_us is None and ev.wakeup_replaced:
        lines = [*failed, "the C-level arrival was not observable: the program installed its own "
                 "wakeup fd (asyncio's event loop does), so CPython's wakeup byte went to the "
                 "program, not to sigkit"]
    elif ev.arrival_us is None:
        lines = [*failed, f"no C-level handler ran after the {ev.sent} (no wakeup byte reached sigkit)"]
    else:
        lines = [*failed, f"{_interpreter(ev)} C handler ran {fmt(ev.arrival_us)} after the {ev.sent}"]
    if ev.handler_us is not None:
        lines.append(f"the Python handler ran {fmt(ev.handler_us)} after the {ev.sent}")
    elif HANDLER in ev.unseen:
        lines.append("whether a Python handler ran is unknown (the probe could not watch)")
    elif ev.handled_presses == 0:
        lines.append(f"no Python handler ran, in {_presses(ev)}")
    else:
        lines.append("no Python handler ran before the deadline")
    return lines


def live_delivery(ev: Evidence) -> str:
    """What /proc says became of the signal sigkit sent to a live process that is still running."""
    name, state = ev.sent_signal, ev.main_state
    text = f"sigkit sent {name}; the process was still running after the wait"
    if state is None:
        return text
    masks = state.masks
    if name in masks.get("SigIgn", []):
        return text + f"; {name} is ignored (SigIgn): the kernel dropped it"
    if not ev.delivered_to_handler() and name in masks.get("SigCgt", []):
        return text + f"; {name} is caught (SigCgt) but still pending or blocked"
    if ev.delivered_to_handler():
        return text + f"; {name} is caught (SigCgt) and no longer pending: a handler took it"
    return text


def _interpreter(ev: Evidence) -> str:
    return "PyPy's" if ev.implementation == PYPY else "CPython's"


def _presses(ev: Evidence) -> str:
    if ev.presses == 1:
        return f"1 {'press' if ev.typed else 'signal'}"
    return f"{ev.presses} signals ({ev.sent}, then the ladder)"


def main_where(ev: Evidence) -> list[str]:
    """Where the main thread was: its Python stack and its kernel state -- and, when it waits
    for a child process, where that child is (the wait is really there)."""
    lines = []
    if ev.main_frames:
        lines.append(f"main thread: {chain(ev.main_frames)}")
    state = ev.main_state
    if state is not None:
        lines.append(f"kernel: main thread (tid {state.tid}) {describe_state(state)}")
    return lines + child_waits(ev)


# Where a parent waits for a child to end: subprocess's wait, multiprocessing's join.
_CHILD_WAITS = (("subprocess.py", frozenset({"wait", "_wait", "_try_wait", "communicate"})),
                ("multiprocessing/popen_fork.py", frozenset({"wait", "poll"})))


def waits_for_child(ev: Evidence) -> bool:
    """The main thread waits for a child process to end: the kernel has it in ``do_wait``
    (waitpid), or its stack is in subprocess's or multiprocessing's wait."""
    state = ev.main_state
    in_kernel = state is not None and state.wchan.strip() == "do_wait"
    return in_kernel or any(calls(ev.main_frames, path, names) for path, names in _CHILD_WAITS)


def child_waits(ev: Evidence) -> list[str]:
    """``the wait is in child pid 42 (python), asleep (S) in hrtimer_nanosleep, ignores SIGINT:
    main thread sleep (<string>:1)``, for each child the main thread may be waiting for."""
    if not waits_for_child(ev):
        return []
    children = [p for p in ev.processes if p.ppid == ev.pid][:4]
    lines = []
    for child in children:
        state = child.main_thread
        text = f"the wait is in child {ev.name_of(child.pid)}"
        if state is not None:
            text += f", {describe_state(state)}"
        if child.ignores("SIGINT"):
            text += ", ignores SIGINT"
        threads = ev.stacks_of(child.pid)
        main = next((t for t in threads if t.native_id == child.pid), None) or next(
            (t for t in threads if t.is_main), None)
        if main is not None and main.frames:
            text += f": main thread {chain(main.frames)}"
        lines.append(text)
    return lines


def describe_state(state: ThreadState) -> str:
    """``asleep (S) in futex_do_wait``, ``running (R)``..."""
    words = {"R": "running", "S": "asleep", "D": "in uninterruptible sleep", "T": "stopped",
             "Z": "a zombie", "t": "stopped by a tracer"}
    text = f"{words.get(state.state, 'in state')} ({state.state})"
    wchan = state.wchan.strip()
    return f"{text} in {wchan}" if wchan and wchan != "0" else text


def thread_label(stack: ThreadStack) -> str:
    return f"thread '{stack.name}'" if stack.name else f"thread {stack.native_id or stack.ident}"


def version_text(version: tuple[int, int] | None) -> str:
    return f"Python {version[0]}.{version[1]}" if version else "Python"
