"""A coroutine makes a blocking call: the event loop is stuck inside it.

name: asyncio-blocking
summary: time.sleep() inside a coroutine blocks the event loop; on 3.11+ Ctrl-C only cancels
teaches: asyncio.run() on 3.11+ installs its own SIGINT handler: the first Ctrl-C *cancels* the
    main task instead of raising KeyboardInterrupt, and a cancellation is delivered at the next
    await. A coroutine stuck in a blocking call never reaches one, so the first Ctrl-C seems to
    do nothing; only the second raises KeyboardInterrupt. Before 3.11 the default handler raises
    KeyboardInterrupt right inside the blocking call.
behaviour:
    2.7       no asyncio: the file does not even compile (async def); sigkit skips it.
    3.6       no asyncio.run(): the script says so and exits.
    3.7-3.10  KeyboardInterrupt out of time.sleep() at the first Ctrl-C.
    3.11+     the 1st Ctrl-C cancels the main task, which is not listening: 2 Ctrl-Cs.
fix: Await instead of blocking (asyncio.sleep, async I/O); for blocking work you cannot avoid,
    run it in a thread and keep that work short (a thread cannot be cancelled either).
expect-broken: 3.7-3.10=ki 3.11+=presses=2 pypy=ki
expect-fixed: *=ki
ready: ^ready
min-python: 3.7
"""
import sys
import time

if sys.version_info < (3, 7):
    sys.exit("asyncio-blocking needs Python 3.7+ (asyncio.run); this is %d.%d"
             % sys.version_info[:2])

import asyncio  # noqa: E402

from _harness import capped, ready, run


def broken():
    async def handle():
        ready("a coroutine is blocked in time.sleep(); the event loop cannot run")
        while capped():
            time.sleep(0.5)  # blocking: no await, so no cancellation can get in

    asyncio.run(handle())


def fixed():
    async def handle():
        ready("a coroutine awaits asyncio.sleep(); the event loop is free")
        while capped():
            await asyncio.sleep(0.5)  # an await: cancellation (and Ctrl-C) get in here

    asyncio.run(handle())


if __name__ == "__main__":
    run(broken, fixed)
