"""A ProcessPoolExecutor with more queued tasks than workers: Ctrl-C reaches the workers too
(same process group), the running tasks die with it, and leaving the ``with`` block waits."""

import time
from concurrent.futures import ProcessPoolExecutor


def task(n):
    time.sleep(5)
    return n


if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(task, n) for n in range(8)]
        print("ready", flush=True)
        for future in futures:
            future.result()
