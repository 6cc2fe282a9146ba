"""SK110: a blocking call inside ``async def``.

Since Python 3.11, ``asyncio.run()`` answers Ctrl-C by cancelling the main task, and a
cancellation can only get into a coroutine at an ``await``. A coroutine stuck in a blocking
call has no ``await`` to offer, so the event loop never gets control back to deliver it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from sigkit.lint.findings import Hit
from sigkit.lint.index import ModuleIndex
from sigkit.lint.rule import Rule, triggers

BLOCKING_CALLS = {
    "time.sleep": "`await asyncio.sleep()`",
    "subprocess.run": "`await asyncio.create_subprocess_exec()`",
    "subprocess.call": "`await asyncio.create_subprocess_exec()`",
    "subprocess.check_call": "`await asyncio.create_subprocess_exec()`",
    "subprocess.check_output": "`await asyncio.create_subprocess_exec()`",
    "os.system": "`await asyncio.create_subprocess_shell()`",
    "os.wait": "`await asyncio.to_thread(os.wait)`",
    "os.waitpid": "`await asyncio.to_thread(os.waitpid, ...)`",
    "input": "`await asyncio.to_thread(input)`",
}


def _blocking_in_coroutine(index: ModuleIndex) -> Iterator[Hit]:
    for scope in index.where_defined:
        if not isinstance(scope, ast.AsyncFunctionDef):
            continue
        for call, _ in index.calls_in(scope):
            name = index.qualified_name(call.func)
            if name in BLOCKING_CALLS:
                yield Hit(call, f"`{name}()` blocks the event loop inside `async def "
                                f"{scope.name}`: Ctrl-C's cancellation cannot get in until it "
                                f"returns; use {BLOCKING_CALLS[name]}")


RULES = (
    Rule(
        code="SK110",
        name="blocking-call-in-coroutine",
        summary="`time.sleep()` or another blocking call directly inside `async def`",
        why="From Python 3.11, `asyncio.run()` handles Ctrl-C itself: it cancels the main task "
            "and lets the CancelledError unwind it. A cancellation is delivered at an `await`; "
            "while a coroutine sits in a blocking call the event loop is not running, so the "
            "first Ctrl-C waits for the call to return - in a loop of blocking calls it never "
            "gets in, and it takes a second Ctrl-C. (Before 3.11 the KeyboardInterrupt is "
            "raised inside the blocking call instead.)",
        fix="Await the asynchronous equivalent (`await asyncio.sleep()`, "
            "`asyncio.create_subprocess_exec()`), or push the blocking call to a thread with "
            "`await asyncio.to_thread(...)` / `loop.run_in_executor(...)`.",
        cannot_see="Only a few standard blocking calls written directly in the `async def` "
                   "are known (time.sleep, subprocess.run/call/check_call/check_output, "
                   "os.system, os.wait, os.waitpid, input). Blocking calls in functions the "
                   "coroutine calls, third-party blocking APIs (requests, database drivers) "
                   "and long CPU-bound loops are not seen.",
        triggers=triggers("async"),
        check=_blocking_in_coroutine,
    ),
)
