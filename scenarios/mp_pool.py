"""multiprocessing.Pool.map() with slow jobs: Ctrl-C reaches the parent *and* every worker.

name: mp-pool
summary: main waits for pool.map()'s results; each Ctrl-C also hits the pool's workers
teaches: The terminal sends SIGINT to the whole foreground process group, so the pool's workers
    get every Ctrl-C too: each one dies with its own KeyboardInterrupt traceback and the pool
    quietly starts replacements. Meanwhile the parent waits in map() (map_async().get()),
    which on 2.7 is an uninterruptible wait for a result that will now never come.
behaviour:
    2.7       map() ignores Ctrl-C; the workers die and are replaced; only SIGTERM ends it
              (sigkit sends it to the whole process group; a `kill PID` of the parent alone
              would leave the workers behind).
    3.x       KeyboardInterrupt out of map(); the pool is terminated at exit. Sometimes (a few
              % of runs, more on a loaded machine) a worker dies holding the task queue's
              lock, the exit's pool clean-up waits for that lock forever: a 2nd Ctrl-C.
fix: Workers ignore SIGINT (a pool initializer) so only the parent decides; the parent waits
    with map_async(...).get(timeout), interruptible on 2.7 too, and on KeyboardInterrupt
    terminates and joins the pool before re-raising.
expect-broken: 2.7=term 3.6+=ki|presses=2 pypy=ki
expect-fixed: *=ki
ready: ^ready
"""
from __future__ import print_function

import multiprocessing
import signal
import time

from _harness import CAP_SECONDS, ready, run

JOBS = 100  # 100 jobs x 0.5 s on 2 workers: 25 s of work


def slow_square(x):
    time.sleep(0.5)
    return x * x


def ignore_sigint():
    """Pool initializer: Ctrl-C is for the parent to handle, not for each worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def broken():
    pool = multiprocessing.Pool(2)
    result = pool.map_async(slow_square, range(JOBS))  # pool.map() is map_async(...).get()
    ready("main waiting in map_async(...).get() for %d slow jobs" % JOBS)
    print(sum(result.get()))  # no timeout: uninterruptible on 2.7


def fixed():
    pool = multiprocessing.Pool(2, initializer=ignore_sigint)
    try:
        result = pool.map_async(slow_square, range(JOBS))
        ready("main waiting in map_async(...).get(timeout) for %d slow jobs" % JOBS)
        print(sum(result.get(CAP_SECONDS)))  # a timed wait returns to Python: interruptible
    except KeyboardInterrupt:
        pool.terminate()  # stop the workers now, then reap them
        pool.join()
        raise
    pool.close()
    pool.join()


if __name__ == "__main__":
    run(broken, fixed)
