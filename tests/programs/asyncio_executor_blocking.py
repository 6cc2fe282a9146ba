"""asyncio.run with blocking work in run_in_executor: the first Ctrl-C cancels the main task,
asyncio.run's exit then waits in shutdown_default_executor for the thread, the interpreter's
exit (concurrent.futures' _python_exit) joins it once more."""

import asyncio
import time


def blocking():
    time.sleep(30)


async def main():
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(None, blocking)
    print("ready", flush=True)
    await future


asyncio.run(main())
