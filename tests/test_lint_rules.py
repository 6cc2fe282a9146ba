"""Each rule on small programs: what it must report, and the look-alikes it must leave alone."""

from __future__ import annotations

import textwrap

import pytest

from sigkit.lint import lint_source, select

ALL_RULES = select().rules


def codes(source: str) -> list[str]:
    """The codes reported for ``source``, in order of position."""
    return [finding.code for finding in lint_source(textwrap.dedent(source), "t.py", ALL_RULES)]


# (test id, source, codes expected in order). Every rule has cases that must fire and
# look-alikes that must not: a rule that fires on everything would pass the first kind alone.
CASES = [
    # SK101: one-off swallow
    ("bare-except", """
        try:
            work()
        except:
            pass
        """, ["SK101"]),
    ("base-exception-in-tuple", """
        try:
            work()
        except (ValueError, BaseException):
            log("x")
        """, ["SK101"]),
    ("bare-except-reraises", """
        try:
            work()
        except:
            cleanup()
            raise
        """, []),
    ("bare-except-exits", """
        import sys
        try:
            work()
        except:
            sys.exit(1)
        """, []),
    ("catch-exception-only", """
        try:
            work()
        except Exception:
            pass
        """, []),
    ("handed-to-a-future", """
        try:
            result = work()
        except BaseException as error:
            future.set_exception(error)
        """, []),
    ("stored-for-later", """
        try:
            work()
        except BaseException as error:
            self.failure = error
        """, []),
    ("printing-the-error-still-swallows", """
        try:
            work()
        except BaseException as error:
            print(f"failed: {error}")
        """, ["SK101"]),
    ("quick-try-body", """
        try:
            name = frame.f_globals["__name__"]
        except:
            name = "?"
        """, []),
    ("interrupt-taken-by-an-earlier-clause", """
        try:
            work()
        except KeyboardInterrupt:
            raise
        except BaseException:
            pass
        """, []),
    ("interrupt-taken-by-a-tuple-kept-in-a-name", """
        REraised = (KeyboardInterrupt, SystemExit)
        def handle(obj):
            try:
                obj.handle_read_event()
            except REraised:
                raise
            except:
                obj.handle_error()
        """, []),
    ("explicit-keyboardinterrupt-outside-loop", """
        try:
            work()
        except KeyboardInterrupt:
            print("bye")
        """, []),
    ("in-a-thread-target", """
        import threading
        def worker():
            try:
                work()
            except BaseException:
                pass
        threading.Thread(target=worker, daemon=True).start()
        """, []),
    ("leaves-the-loop-so-only-sk101", """
        for item in items:
            try:
                handle(item)
            except:
                break
        """, ["SK101"]),
    # SK102: swallowed in a loop
    ("retry-loop", """
        while True:
            try:
                poll()
            except:
                print("retrying")
        """, ["SK102"]),
    ("explicit-interrupt-in-loop", """
        for url in urls:
            try:
                fetch(url)
            except KeyboardInterrupt:
                continue
        """, ["SK102"]),
    ("loop-flag-set-on-interrupt", """
        stop = False
        while not stop:
            try:
                poll()
            except KeyboardInterrupt:
                stop = True
        """, []),
    ("loop-event-set-on-interrupt", """
        while not done.is_set():
            try:
                poll()
            except KeyboardInterrupt:
                done.set()
        """, []),
    ("loop-returns-on-interrupt", """
        def serve():
            while True:
                try:
                    poll()
                except KeyboardInterrupt:
                    return
        """, []),
    ("break-of-inner-loop-does-not-leave", """
        while True:
            try:
                poll()
            except KeyboardInterrupt:
                for attempt in range(3):
                    break
        """, ["SK102"]),
    ("loop-of-the-enclosing-function-does-not-count", """
        while True:
            def handler():
                try:
                    work()
                except:
                    pass
        """, ["SK101"]),
    # SK103: SIGINT ignored
    ("sig-ign", """
        import signal
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        serve()
        """, ["SK103"]),
    ("sig-ign-aliases", """
        from signal import SIGINT, SIG_IGN
        import signal as sig
        sig.signal(SIGINT, SIG_IGN)
        """, ["SK103"]),
    ("sig-ign-number", """
        import signal
        signal.signal(2, signal.SIG_IGN)
        """, ["SK103"]),
    ("sig-ign-restored", """
        import signal
        def save_safely():
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                save()
            finally:
                signal.signal(signal.SIGINT, previous)
        """, []),
    ("sig-ign-in-pool-initializer", """
        import multiprocessing, signal
        def quiet():
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        pool = multiprocessing.Pool(4, initializer=quiet)
        try:
            pool.map(work, jobs)
        except KeyboardInterrupt:
            pool.terminate()
            raise
        """, []),
    ("sig-ign-in-process-target", """
        import multiprocessing, signal
        class Manager:
            def start(self):
                multiprocessing.Process(target=type(self)._serve).start()
            @classmethod
            def _serve(cls):
                signal.signal(signal.SIGINT, signal.SIG_IGN)
        """, []),
    ("sigterm-ignored-is-not-ctrl-c", """
        import signal
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        """, []),
    # SK104: handler that does nothing
    ("printing-handler", """
        import signal
        def on_interrupt(signum, frame):
            print("not now")
        signal.signal(signal.SIGINT, on_interrupt)
        """, ["SK104"]),
    ("lambda-none-handler", """
        import signal
        signal.signal(signal.SIGINT, lambda signum, frame: None)
        """, ["SK104"]),
    ("flag-setting-handler", """
        import signal
        def on_interrupt(signum, frame):
            global stopping
            stopping = True
        signal.signal(signal.SIGINT, on_interrupt)
        """, []),
    ("event-setting-lambda", """
        import signal
        signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
        """, []),
    ("default-handler", """
        import signal
        signal.signal(signal.SIGINT, signal.default_int_handler)
        """, []),
    # SK105: signal.signal in a thread
    ("signal-in-thread-target", """
        import signal, threading
        def setup():
            signal.signal(signal.SIGINT, handler)
        threading.Thread(target=setup, daemon=True).start()
        """, ["SK105"]),
    ("signal-two-calls-deep-in-thread", """
        import signal, threading
        def install():
            signal.signal(signal.SIGTERM, handler)
        def setup():
            install()
        threading.Thread(target=setup, daemon=True).start()
        """, ["SK105"]),
    ("signal-in-thread-subclass-run", """
        import signal, threading
        class Setup(threading.Thread):
            daemon = True
            def run(self):
                signal.signal(signal.SIGINT, handler)
        Setup(daemon=True).start()
        """, ["SK105"]),
    ("signal-in-main-thread", """
        import signal, threading
        def setup():
            signal.signal(signal.SIGINT, handler)
        setup()
        threading.Thread(target=work, daemon=True).start()
        """, []),
    # SK106, SK107: threads that never end
    ("forever-thread-joined", """
        import threading
        def serve():
            while True:
                handle()
        t = threading.Thread(target=serve)
        t.start()
        t.join()
        """, ["SK107", "SK106"]),
    ("forever-daemon-thread-joined", """
        import threading
        def serve():
            while True:
                handle()
        t = threading.Thread(target=serve, daemon=True)
        t.start()
        t.join()
        """, ["SK106"]),
    ("forever-thread-made-daemon-later", """
        from threading import Thread
        def serve():
            while 1:
                handle()
        t = Thread(target=serve)
        t.daemon = True
        t.start()
        """, []),
    ("list-of-forever-threads", """
        import threading
        def spin():
            while True:
                count()
        def main():
            workers = [threading.Thread(target=spin) for _ in range(4)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
        """, ["SK107", "SK106"]),
    ("appended-thread-with-timed-join", """
        import threading
        def spin():
            while True:
                count()
        workers = []
        workers.append(threading.Thread(target=spin, daemon=True))
        for worker in workers:
            worker.join(0.5)
        """, []),
    ("thread-with-stop-event", """
        import threading
        stop = threading.Event()
        def serve():
            while not stop.is_set():
                handle()
        t = threading.Thread(target=serve)
        t.start()
        t.join()
        """, []),
    ("thread-loop-with-break", """
        import threading
        def consume():
            while True:
                item = jobs.get()
                if item is None:
                    break
        t = threading.Thread(target=consume)
        t.join()
        """, []),
    ("thread-loop-ended-by-an-exception", """
        import threading
        def accept():
            try:
                while True:
                    server.accept()
            except OSError:
                pass
        threading.Thread(target=accept).start()
        """, []),
    ("thread-subclass-forever", """
        import threading
        class Ticker(threading.Thread):
            def run(self):
                while True:
                    tick()
        Ticker().start()
        """, ["SK107"]),
    ("thread-subclass-daemon-in-init", """
        import threading
        class Ticker(threading.Thread):
            def __init__(self):
                super().__init__(daemon=True)
            def run(self):
                while True:
                    tick()
        Ticker().start()
        """, []),
    ("same-name-targets-resolve-by-scope", """
        import threading
        def broken():
            def serve():
                while True:
                    pass
            threading.Thread(target=serve).start()
        def fixed():
            def serve():
                while not stop.is_set():
                    pass
            threading.Thread(target=serve).start()
        """, ["SK107"]),
    ("queue-join-is-not-thread-join", """
        import queue
        q = queue.Queue()
        q.join()
        """, []),
    # SK108: executor with queued work
    ("executor-submit-loop", """
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(job, n) for n in range(400)]
            for future in futures:
                future.result()
        """, ["SK108"]),
    ("process-executor-submit-loop", """
        import concurrent.futures
        with concurrent.futures.ProcessPoolExecutor() as pool:
            for n in range(400):
                pool.submit(job, n)
        """, ["SK108"]),
    ("executor-cancel-futures", """
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(job, n) for n in range(400)]
            try:
                wait(futures)
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        """, []),
    ("executor-futures-cancelled-on-interrupt", """
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(job, n) for n in range(400)]
            try:
                wait(futures)
            except KeyboardInterrupt:
                for future in futures:
                    future.cancel()
                raise
        """, []),
    ("executor-map-cancels-itself", """
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(4) as pool:
            print(list(pool.map(job, range(400))))
        """, []),
    ("executor-single-submit", """
        from concurrent.futures import ThreadPoolExecutor
        for n in range(10):
            with ThreadPoolExecutor(1) as pool:
                pool.submit(job, n)
        """, []),
    # SK109: multiprocessing pool
    ("pool-unprepared", """
        import multiprocessing
        pool = multiprocessing.Pool(2)
        print(pool.map(work, jobs))
        """, ["SK109"]),
    ("pool-from-context", """
        import multiprocessing
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool() as pool:
            pool.map(work, jobs)
        """, ["SK109"]),
    ("pool-initializer-that-does-not-ignore", """
        from multiprocessing import Pool
        def connect():
            open_database()
        pool = Pool(2, connect)
        """, ["SK109"]),
    ("pool-terminated-on-interrupt", """
        import multiprocessing
        def main():
            pool = multiprocessing.Pool(2)
            try:
                pool.map(work, jobs)
            except KeyboardInterrupt:
                pool.terminate()
                raise
        """, []),
    ("thread-pool-is-not-a-process-pool", """
        from multiprocessing.pool import ThreadPool
        ThreadPool(4).map(work, jobs)
        """, []),
    # SK110: blocking call in a coroutine
    ("sleep-in-coroutine", """
        import time
        async def handle():
            time.sleep(1)
        """, ["SK110"]),
    ("sleep-in-a-nested-sync-function", """
        import time
        async def handle():
            def later():
                time.sleep(1)
            await run(later)
        """, []),
    ("asyncio-sleep", """
        import asyncio
        async def handle():
            await asyncio.sleep(1)
        """, []),
    # SK111: endless loop in C
    ("membership-in-count", """
        import itertools
        found = -1 in itertools.count()
        """, ["SK111"]),
    ("list-of-repeat", """
        from itertools import repeat
        zeros = list(repeat(0))
        """, ["SK111"]),
    ("bounded-repeat", """
        from itertools import repeat
        zeros = list(repeat(0, 10))
        """, []),
    ("python-loop-over-count", """
        import itertools
        for n in itertools.count():
            if n == -1:
                break
        """, []),
]


@pytest.mark.parametrize("source, expected", [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_rule_cases(source: str, expected: list[str]) -> None:
    assert codes(source) == expected


def test_every_rule_has_a_case_that_fires() -> None:
    fired = {code for _, _, expected in CASES for code in expected}
    assert fired == {rule.code for rule in ALL_RULES}


def test_finding_points_at_the_handler_with_a_one_based_column() -> None:
    source = "def f():\n    try:\n        g()\n    except:\n        pass\n"
    [finding] = lint_source(source, "t.py", ALL_RULES)
    assert (finding.path, finding.line, finding.col, finding.code) == ("t.py", 4, 5, "SK101")
    assert "KeyboardInterrupt" in finding.message


def test_messages_name_the_thread_target_and_its_loop() -> None:
    source = textwrap.dedent("""
        import threading
        def serve():
            while True:
                handle()
        worker = threading.Thread(target=serve)
        worker.join()
        """)
    messages = {f.code: f.message for f in lint_source(source, "t.py", ALL_RULES)}
    assert "`worker.join()`" in messages["SK106"]
    assert "`serve`" in messages["SK106"] and "line 4" in messages["SK106"]
    assert "non-daemon" in messages["SK107"]
