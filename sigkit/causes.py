"""The catalogue of reasons a Ctrl-C does not work: one entry per cause sigkit can diagnose.

Each cause has a stable id (what ``sigkit explain ID``, the JSON output and CI checks use), the
teaching text that says what really happens between the keyboard and the program, what sigkit
looks at to recognise it, and the generic fix.  The diagnosis rules (``sigkit.diagnose.rules``)
take their titles and explanations from here and adapt the fix to what they found;
``docs/causes.md`` is generated from here too (``python -m sigkit.causes``), so the three never
disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from sigkit.errors import UsageError

ERROR = "error"  # Ctrl-C does not end the program (in time)
WARNING = "warning"  # Ctrl-C works, but slowly, or at a cost (lost work, orphans)
INFO = "info"  # worth knowing; not a fault by itself
SEVERITIES = (ERROR, WARNING, INFO)


@dataclass(frozen=True)
class Cause:
    """One reason Ctrl-C fails or misbehaves, as a lesson: what happens, how to see it, the fix."""

    id: str
    title: str
    severity: str
    happens: str  # what happens between the key press and the program (the teaching text)
    evidence: str  # what sigkit measures or reads to recognise it
    fix: str  # the generic fix; rules adapt it to the file and line they found
    lint: tuple[str, ...] = ()  # `sigkit lint` codes that find the same hazard in source


CAUSES: tuple[Cause, ...] = (
    Cause(
        id="uninterruptible-wait",
        title="the main thread waits on a lock that Python 2.7 cannot interrupt",
        severity=ERROR,
        happens="On Python 2.7, `lock.acquire()` without a timeout is a plain semaphore wait in C "
        "that the signal does not end: the C handler records the Ctrl-C, but the Python handler "
        "can only run when the wait returns. `Thread.join()`, `Queue.get()`, `Event.wait()` and "
        "`Condition.wait()` without a timeout are all built on that acquire, so a program waiting "
        "in one of them ignores every Ctrl-C; only a signal Python does not handle (SIGTERM, "
        "SIGKILL) ends it. Python 3.2+ wakes such waits on a signal and runs the handler.",
        evidence="Python 2.7; the main thread's stack ends in `join`, `wait` or `acquire` "
        "(threading.py) or `get`/`put` (Queue.py); the C handler ran (wakeup byte) but no Python "
        "handler followed; the kernel shows the main thread asleep (S) on a futex.",
        fix="Wait in slices that return to Python: `while t.is_alive(): t.join(0.1)`, "
        "`q.get(timeout=0.1)` in a loop that catches `Queue.Empty`, `while not e.wait(0.1): "
        "pass`, or for a bare lock `while not lock.acquire(False): time.sleep(0.01)`. A timed "
        "wait on 2.7 is a loop of short sleeps, and sleeps are interruptible.",
        lint=("SK106",),
    ),
    Cause(
        id="gil-held-by-worker",
        title="a worker thread holds the GIL inside a long C call",
        severity=ERROR,
        happens="The C-level handler runs at once and sets a flag, but the Python handler runs "
        "only in the main thread, between bytecodes, while it holds the GIL. A thread inside one "
        "long C call (`sum(range(10**9))`, a C extension that never releases the GIL) does not "
        "reach the eval loop, so it never honours the main thread's request for the GIL: the "
        "KeyboardInterrupt waits for the whole call.",
        evidence="The C handler ran promptly; the Python handler ran much later (more than "
        "about 100 ms, twenty switch intervals) or not before the deadline; the main thread is "
        "asleep waiting for the GIL while another thread is running (state R, or py-spy's "
        "`active+gil`); or, with no snapshot, more than one thread was alive at exit.",
        fix="Cut the work into short C calls (sum a chunk at a time) so the thread passes through "
        "the eval loop, which hands the GIL over within a switch interval; move CPU-bound work "
        "to a process (`ProcessPoolExecutor`, `multiprocessing`); or use an extension that "
        "releases the GIL (`Py_BEGIN_ALLOW_THREADS`) around long computations.",
    ),
    Cause(
        id="main-in-c-call",
        title="the main thread is inside a long C call that never checks for signals",
        severity=ERROR,
        happens="Python handlers run only when the main thread is between bytecodes. A C function "
        "that loops without calling `PyErr_CheckSignals()` (`-1 in itertools.count()`, a huge "
        "`sum()`, many C extensions) leaves the flag set by the C handler unread until it "
        "returns, which may be never. Big-int arithmetic and regex backtracking *do* check "
        "signals: not every long C call is a trap.",
        evidence="The C handler ran but no Python handler followed (or only much later); the "
        "main thread is running on a CPU (state R, py-spy `active+gil`) and its innermost Python "
        "frame is the line that made the call; or, with no snapshot, it was the only thread.",
        fix="Do the loop in Python bytecode, or call the C function on chunks: the eval loop "
        "checks for pending signals between bytecodes. In a C extension, call "
        "`PyErr_CheckSignals()` every few milliseconds and return NULL when it fails. "
        "Alternatively run the call in a worker (a process if it holds the GIL) and keep the "
        "main thread in an interruptible wait.",
        lint=("SK111",),
    ),
    Cause(
        id="busy-workers",
        title="busy threads delay the handler by switch intervals",
        severity=WARNING,
        happens="The Python handler needs the GIL. A thread that wants the GIL waits one switch "
        "interval (`sys.getswitchinterval()`, 5 ms by default) and then asks the holder to drop "
        "it; with k CPU-bound threads, the main thread may queue behind several of them, so the "
        "handler runs about k x 5 ms after the Ctrl-C. Python 2.7 switches every 100 "
        "'ticks' instead, with no fairness at all.",
        evidence="The latency budget is broken; the time between the C handler and the Python "
        "handler is one or a few switch intervals (not the long silence of a C call); several "
        "threads were alive.",
        fix="Move CPU-bound work to processes (`ProcessPoolExecutor`); use fewer CPU-bound "
        "threads; or lower `sys.setswitchinterval()` (1 ms gives ~1 ms latency per thread at "
        "some cost in throughput).",
    ),
    Cause(
        id="slow-handler",
        title="the Python handler ran later than the latency budget",
        severity=WARNING,
        happens="Something kept the main thread from running the Python handler for longer than "
        "the budget allows, but the trial ended before sigkit captured stacks and thread states, "
        "so it cannot say what.",
        evidence="Sent -> Python handler above the budget; no snapshot (the first Ctrl-C ended "
        "the program before the deadline).",
        fix="Probe again with a deadline shorter than the latency (`--deadline`): when the first "
        "Ctrl-C misses it, sigkit captures every thread's stack and state while the program is "
        "stuck, and names the cause.",
    ),
    Cause(
        id="executor-shutdown",
        title="leaving the executor waits for all its queued work",
        severity=ERROR,
        happens="`with ThreadPoolExecutor() as ex:` ends with `ex.shutdown(wait=True)`, which runs "
        "every queued task to the end before returning. The first Ctrl-C leaves the block and "
        "lands in that wait; the second interrupts the wait, and the interpreter's exit "
        "(`concurrent.futures.thread._python_exit`) joins the workers once more, so the program "
        "needs a third. Running tasks are never interrupted: threads cannot be killed.",
        evidence="The main thread's stack is in `concurrent/futures/thread.py` (`shutdown` or "
        "`_python_exit`) joining worker threads; executor workers are still running tasks.",
        fix="On KeyboardInterrupt, drop the queue before leaving: `ex.shutdown(wait=False, "
        "cancel_futures=True)` (3.9+), or cancel the pending futures (`f.cancel()`) on older "
        "versions; make long tasks check a `threading.Event` so the running ones stop early.",
        lint=("SK108",),
    ),
    Cause(
        id="nondaemon-shutdown",
        title="the interpreter's exit waits for non-daemon threads",
        severity=ERROR,
        happens="When the main thread is done -- even because of a KeyboardInterrupt -- the "
        "interpreter joins every non-daemon thread (`threading._shutdown`) before exiting. A "
        "worker with no way to be told to stop keeps the process alive after the traceback is "
        "printed, and the next Ctrl-C interrupts that join (on 2.7 nothing can).",
        evidence="The main thread's stack is in `threading._shutdown` (2.7: `_exitfunc`) joining "
        "a thread; non-daemon worker threads are still running.",
        fix="Give each worker a `threading.Event` it checks between steps; on KeyboardInterrupt "
        "set it, join the workers with a timeout, and re-raise. Make a thread `daemon=True` only "
        "if its work may be abandoned mid-way.",
        lint=("SK107",),
    ),
    Cause(
        id="lost-work",
        title="the program exited while non-daemon threads were still working",
        severity=WARNING,
        happens="A non-daemon thread is supposed to finish before the interpreter exits. On "
        "3.9-3.12, a `join()` interrupted by Ctrl-C marks the thread as finished "
        "(python/cpython#90882), so `threading._shutdown` does not wait for it and the process "
        "exits at once, killing the worker in the middle of its work: files half written, "
        "transactions half done. 3.13 fixed this (and waits again); 3.8 and older wait too. "
        "PyPy (3.9's threading.py, the same bug) goes further: a KeyboardInterrupt that reaches "
        "the top level makes it kill itself with SIGINT at once, joining no thread and running "
        "no atexit handler.",
        evidence="The in-target probe saw non-daemon threads still alive at interpreter shutdown "
        "(after `threading._shutdown`; on PyPy, when the KeyboardInterrupt reached the top "
        "level), and the first Ctrl-C ended the program.",
        fix="Stop workers explicitly: a `threading.Event` checked by the worker, set in an "
        "`except KeyboardInterrupt:` that then waits for the worker and re-raises. Wait for a "
        "`done` Event the worker sets in a `finally:` (`while not done.wait(0.1): pass`): on "
        "3.9-3.12 a join() interrupted once no longer waits for the thread at all.",
    ),
    Cause(
        id="sigint-ignored",
        title="SIGINT is ignored (SIG_IGN)",
        severity=ERROR,
        happens="With SIGINT set to SIG_IGN the kernel discards it: no C handler runs, nothing "
        "is recorded, the program never knows a key was pressed. An ignored disposition "
        "survives `exec`, so it is often inherited: `nohup`, background jobs (`&`) of a "
        "non-interactive shell and some CI runners start programs with SIGINT ignored, and "
        "Python then does not even install its KeyboardInterrupt handler.",
        evidence="`SigIgn` in `/proc/PID/status` has bit 2 (SIGINT) set; no wakeup byte arrived "
        "after the Ctrl-C.",
        fix="Remove the `signal.signal(SIGINT, SIG_IGN)`, or restore Ctrl-C where it matters: "
        "`signal.signal(signal.SIGINT, signal.default_int_handler)`. If it is inherited, start "
        "the program from a foreground shell, or restore the default handler at start-up.",
        lint=("SK103",),
    ),
    Cause(
        id="sigint-blocked",
        title="SIGINT is blocked in the main thread's signal mask",
        severity=ERROR,
        happens="A blocked signal stays pending until the thread unblocks it. If every thread "
        "blocks SIGINT, it waits in the process's pending set (`ShdPnd`) forever. If only the "
        "main thread blocks it, the kernel delivers it to another thread: the C handler runs "
        "there and sets the flag, but the main thread is not woken from its wait, so the Python "
        "handler runs only when that wait ends by itself.",
        evidence="`SigBlk` of the main thread (tid = pid) has SIGINT; `ShdPnd`/`SigPnd` may show "
        "it pending; other threads that leave it unblocked receive it instead.",
        fix="Unblock it in the main thread: `signal.pthread_sigmask(signal.SIG_UNBLOCK, "
        "{signal.SIGINT})`. To keep SIGINT away from worker threads, block it in the workers "
        "only (block, start the thread, restore the main thread's mask).",
    ),
    Cause(
        id="swallowed-interrupt",
        title="the Python handler ran, but KeyboardInterrupt was caught and dropped",
        severity=ERROR,
        happens="The signal got through: the Python handler ran in the main thread and raised "
        "KeyboardInterrupt (or a custom handler ran and returned). Then a bare `except:` or an "
        "`except BaseException:` caught it and the program went on; or the custom handler never "
        "told the program to stop. KeyboardInterrupt derives from BaseException precisely so "
        "that `except Exception:` lets it through.",
        evidence="A Python handler event followed the Ctrl-C; no KeyboardInterrupt reached the "
        "top level; the program was still running after the deadline, in ordinary code (not in "
        "an exit-time wait); later presses were handled and dropped the same way.",
        fix="Catch `Exception`, not everything: `except Exception:` instead of `except:` or "
        "`except BaseException:`; if you must catch KeyboardInterrupt, clean up and re-raise. A "
        "custom SIGINT handler should raise KeyboardInterrupt or set a flag the main loop checks "
        "and acts on.",
        lint=("SK101", "SK102", "SK104"),
    ),
    Cause(
        id="asyncio-blocked-loop",
        title="asyncio cancelled the main task, but the event loop is stuck in a blocking call",
        severity=ERROR,
        happens="Since 3.11, `asyncio.run()` installs its own SIGINT handler: the first Ctrl-C "
        "does not raise KeyboardInterrupt but *cancels* the main task, and a cancellation is "
        "delivered at the task's next `await`. A coroutine inside a blocking call (`time.sleep`, "
        "`requests.get`, a CPU loop) reaches no `await`, so the first Ctrl-C seems to do nothing; "
        "only the second one raises KeyboardInterrupt. The whole event loop is frozen meanwhile.",
        evidence="A Python handler ran (asyncio's), no KeyboardInterrupt followed, and the main "
        "thread is inside an event-loop callback (`asyncio/events.py` `_run`) in user code rather "
        "than waiting in the loop's selector.",
        fix="Await instead of blocking: `await asyncio.sleep()`, async I/O libraries. Work that "
        "must block goes to a thread with `await asyncio.to_thread(fn, ...)` (3.9+) -- and "
        "should be short, since a thread cannot be cancelled either.",
        lint=("SK110",),
    ),
    Cause(
        id="not-foreground",
        title="the process is not in the terminal's foreground process group",
        severity=ERROR,
        happens="Ctrl-C is not sent to a program but by the terminal to its *foreground process "
        "group*. A process in another group (a background job, a child started with "
        "`start_new_session=True` or `process_group=0`, a daemon) or without a controlling "
        "terminal never receives it, however often the key is pressed.",
        evidence="`/proc/PID/stat`: the process group differs from the terminal's foreground "
        "group (tpgid), or there is no controlling terminal (tpgid -1).",
        fix="Run it in the foreground (`fg`), or send the signal directly: `kill -INT PID` (or "
        "`kill -INT -PGID` for its whole group). A parent that starts children in their own "
        "session should forward SIGINT/SIGTERM to them.",
    ),
    Cause(
        id="uninterruptible-sleep",
        title="a thread is in uninterruptible sleep (state D) in the kernel",
        severity=ERROR,
        happens="A thread in state D waits inside a system call that the kernel does not "
        "interrupt for signals: disk or NFS I/O, a FUSE file system, some drivers. Signals stay "
        "pending until the call returns -- even SIGKILL, except for the 'killable' waits. "
        "Nothing in the program can change that; the wait has to end.",
        evidence="`State: D` in `/proc/PID/task/TID/status`, and the kernel function it waits in "
        "(`wchan`).",
        fix="Find what the kernel waits for (the wchan names it): a hung NFS server (mount with "
        "`soft`/`timeo`), a stuck FUSE daemon, a failing disk. Keep such I/O off the main thread "
        "and give it timeouts where the API allows.",
    ),
    Cause(
        id="multiprocessing-hang",
        title="the main process waits for a multiprocessing pool that does not finish",
        severity=ERROR,
        happens="A key typed at the terminal signals the whole foreground process group. "
        "Workers that do not ignore SIGINT get a KeyboardInterrupt in the middle of a task, while "
        "the parent waits for results that will never come (2.7's `pool.map()` waits without a "
        "timeout and cannot even be interrupted); workers that die are replaced, results go "
        "missing, and the parent hangs. Workers that ignore SIGINT keep working, and the "
        "parent's wait lasts as long as their tasks.",
        evidence="The main thread's stack is in `multiprocessing` (pool results, queues, "
        "`join`); child processes are alive.",
        fix="Make the workers ignore SIGINT (`Pool(initializer=lambda: signal.signal("
        "signal.SIGINT, signal.SIG_IGN))` -- a module-level function on 2.7) so only the parent "
        "handles it; wait with a timeout (`pool.map_async(f, xs).get(timeout)`); on "
        "KeyboardInterrupt call `pool.terminate()` then `pool.join()`.",
        lint=("SK109",),
    ),
    Cause(
        id="process-pool-shutdown",
        title="leaving the process pool waits for its queued tasks",
        severity=ERROR,
        happens="Ctrl-C goes to the whole foreground process group, so the `ProcessPoolExecutor`'s "
        "worker processes get it too: each running task is interrupted by KeyboardInterrupt, "
        "which the worker sends back as that task's result before it takes the next queued task. "
        "Meanwhile the main process leaves the `with` block, whose `shutdown(wait=True)` waits "
        "for every queued task; the next Ctrl-C interrupts the running tasks again and the wait, "
        "and the interpreter's exit (`concurrent.futures.process._python_exit`) joins the pool's "
        "manager thread once more. Unlike threads, the running tasks *are* interrupted: the wait "
        "is for the queue.",
        evidence="The main thread's stack is in `concurrent/futures/process.py` (`shutdown`, "
        "`_python_exit`) or the executor's `__exit__`; the pool's worker processes are alive "
        "running tasks.",
        fix="On KeyboardInterrupt drop the queue: `executor.shutdown(wait=False, "
        "cancel_futures=True)` (3.9+), then re-raise; from 3.14 `executor.terminate_workers()` "
        "(or `kill_workers()`) also stops the running tasks.",
        lint=("SK108",),
    ),
    Cause(
        id="asyncio-executor-shutdown",
        title="asyncio.run() waits for blocking work in its default executor",
        severity=ERROR,
        happens="`run_in_executor(None, f)` and `asyncio.to_thread(f)` run `f` in the loop's "
        "default ThreadPoolExecutor. The first Ctrl-C cancels the main task, but a thread cannot "
        "be cancelled: `asyncio.run()` then waits in `loop.shutdown_default_executor()` for it "
        "(3.12+ gives up after 300 s, `THREAD_JOIN_TIMEOUT`); the second Ctrl-C interrupts that "
        "wait, and the interpreter's exit (`concurrent.futures.thread._python_exit`) joins the "
        "thread again, so a third is needed.",
        evidence="A thread runs `_do_shutdown` (asyncio/base_events.py) joining the default "
        "executor, or the main thread is in `asyncio.run`'s `close`/`shutdown_default_executor` "
        "or `_python_exit`; an executor worker thread is still in the blocking call.",
        fix="Let the blocking function stop when asked: pass it a `threading.Event` it checks "
        "(set it when the task is cancelled, in `except asyncio.CancelledError:`), or give its "
        "I/O a timeout; keep executor work short, or use async I/O instead.",
    ),
    Cause(
        id="slow-cleanup",
        title="a slow clean-up after the signal (a finally: block, a handler that tidies up)",
        severity=WARNING,
        happens="The Ctrl-C (or SIGTERM) did its job: the program is on its way out, running its "
        "clean-up -- a `finally:` block, an `except` that tidies up before re-raising, a signal "
        "handler that closes connections before it exits. Clean-up that takes longer than the "
        "grace it is given (a second Ctrl-C, docker's 10 s before SIGKILL) is cut off half-way.",
        evidence="The first signal's Python handler ran; the main thread's stack is inside a "
        "`finally:` block, an `except` block or a signal handler of the user's code, not in a "
        "loop that caught and dropped the interrupt.",
        fix="Make the clean-up fit the grace: bound each step with a timeout, skip what can be "
        "redone next time, or do the slow part before the stop (flush as you go). Probe with a "
        "`--deadline` at least as long as the clean-up to see it finish.",
    ),
    Cause(
        id="graceful-shutdown",
        title="a designed graceful shutdown: the program drains its work before it exits",
        severity=INFO,
        happens="Servers and workers answer the first signal by stopping new work and finishing "
        "what is in flight: uvicorn waits for open connections, gunicorn's arbiter waits for its "
        "workers (up to `--graceful-timeout`), celery's warm shutdown waits for running tasks, a "
        "supervisor waits for its children. That is a contract, not a hang. What matters is "
        "whether the drain fits the grace of whoever stops the program (a second Ctrl-C, "
        "docker's 10 s, Kubernetes' 30 s) and what a forced stop cuts off.",
        evidence="A shutdown path of a known framework in some process's stack (uvicorn, "
        "gunicorn's arbiter `stop`, celery's warm shutdown) or the program's own shutdown words "
        "after the signal, and the work it waits for: connections still open on its listening "
        "port, a worker process inside a request or task.",
        fix="Bound the drain with the server's own graceful-shutdown timeout, below the grace of "
        "whatever stops it; let long handlers notice the shutdown or the client's disconnect.",
    ),
    Cause(
        id="requests-in-flight",
        title="the program stopped at once while requests were in flight",
        severity=INFO,
        happens="A server that stops without draining drops the requests it is serving: the "
        "clients see an error or a closed connection. Some servers do that on purpose for one "
        "signal (gunicorn's SIGINT and SIGQUIT are a *quick* shutdown; its SIGTERM is the "
        "graceful one); others never drain at all.",
        evidence="Connections accepted on the tree's listening port were open just before the "
        "first signal, and the program exited before sigkit's first look (1 s); for a server "
        "known to drop requests on that signal, the finding says so.",
        fix="Stop the server with the signal its documentation names for a graceful stop (docker, "
        "systemd and Kubernetes send SIGTERM), or give it a graceful-shutdown path and a "
        "timeout.",
    ),
    Cause(
        id="pressed-during-startup",
        title="sigkit pressed while the program was still starting processes",
        severity=WARNING,
        happens="The ready line came before the program was ready: a reloader (Flask, uvicorn "
        "`--reload`) or supervisor prints its banner and only then starts the process that "
        "serves. A Ctrl-C in that moment interrupts the start-up, and what follows is not how "
        "the running program stops.",
        evidence="Processes of the tree started after the first press (their probe reported in, "
        "or a look found them), or were still appearing when sigkit pressed.",
        fix="Press later: `--expect` a line the serving process prints once it is up, or add "
        "`--after SECONDS`.",
    ),
    Cause(
        id="orphans",
        title="child processes outlived the program",
        severity=WARNING,
        happens="The program ended but some of its descendants did not. A signal meant for the "
        "process group (what the terminal sends for a typed key, systemd's stop) reaches the "
        "children too, one sent to the program alone (`kill PID`, `docker stop`) does not; and a "
        "child that handles or ignores it, or one that left the session (`setsid`, "
        "`start_new_session=True`, a double fork), keeps running, re-parented to init, holding "
        "files, ports and the terminal.",
        evidence="After the target exited, sigkit found its descendants still alive, and killed "
        "them: re-parented to sigkit (a child subreaper while the target runs, so a double fork, "
        "`setsid` or an emptied environment cannot hide them), or carrying its run token (an "
        "environment variable every descendant inherits).",
        fix="Terminate children in a `finally:` or `atexit` handler (`proc.terminate(); "
        "proc.wait(timeout)`, `p.terminate(); p.join()`); forward SIGINT/SIGTERM to children you "
        "start in their own session; prefer the same process group unless you need otherwise.",
    ),
    Cause(
        id="back-at-prompt",
        title="the Ctrl-C cancelled the line and the program is back at its prompt",
        severity=INFO,
        happens="Interactive programs catch Ctrl-C on purpose: Python's REPL (`python -i`, "
        "`python` alone) prints `KeyboardInterrupt` and a fresh `>>>`, and so do shells, "
        "debuggers and input loops like `while True: try: input() except KeyboardInterrupt: "
        "print()`. The interrupt reached the program and cancelled what it was doing; the "
        "program did not end because it is designed to go on.",
        evidence="The first Ctrl-C reached Python (its handler ran, or the KeyboardInterrupt "
        "reached the REPL's top level) and afterwards the main thread waits for the terminal: "
        "its stack is in the REPL's or `input()`'s read, or the kernel shows it asleep in "
        "`read`/`select`/`poll` on the terminal alone (`/proc/PID/syscall`).",
        fix="Nothing to fix. To leave a REPL, press Ctrl-D (end of input) or type `exit()`; to "
        "make your own prompt loop end on Ctrl-C, let the KeyboardInterrupt out of the loop "
        "(catch it around the loop, not inside it).",
    ),
    Cause(
        id="grace-overrun",
        title="still running when the stop's grace period ran out",
        severity=ERROR,
        happens="A process manager stops a program in two steps: a polite signal (SIGTERM from "
        "`docker stop`, Kubernetes, systemd, supervisord), then SIGKILL when its grace period "
        "(10 s, 30 s, 90 s, 10 s) is over. Whatever is still running then dies mid-work: open "
        "requests, running tasks, unflushed files. A program either never began to stop (no "
        "handler ran: the signal was dropped, ignored or went to another process) or began and "
        "needs longer than the grace: a graceful drain that does not fit.",
        evidence="The first signal sigkit sent (`--stop`, `--signal`) did not end the program "
        "within `--grace`; whether a Python handler ran; where the main thread was and which "
        "processes were still running when the grace ran out.",
        fix="Make the stop fit the grace: bound the drain (uvicorn "
        "`--timeout-graceful-shutdown`, gunicorn `--graceful-timeout`, your own loop's timeout) "
        "below the manager's grace, or raise the grace (`docker stop -t`, "
        "`terminationGracePeriodSeconds`, `TimeoutStopSec=`, `stopwaitsecs=`). If no handler "
        "ran, the other findings say why the signal was not delivered.",
    ),
    Cause(
        id="pid1-no-handler",
        title="PID 1 has no handler for the stop signal: the kernel drops it",
        severity=ERROR,
        happens="The first process of a PID namespace -- a container's entrypoint -- is that "
        "namespace's init, and the kernel protects init: a signal whose disposition is the "
        "default is not delivered to it at all (only SIGKILL and SIGSTOP from outside the "
        "namespace are forced). A Python program does not install a SIGTERM handler by "
        "default, so as PID 1 it never sees `docker stop`'s SIGTERM and runs on until the "
        "SIGKILL ten seconds later. Even `os.kill(os.getpid(), SIGTERM)` after resetting to "
        "SIG_DFL does nothing there.",
        evidence="`NSpid` in /proc/PID/status ends in 1 (PID 1 of its namespace); the signal is in "
        "neither `SigCgt` nor `SigIgn`; no C handler ran after it; the program outlived the "
        "grace.",
        fix="Handle SIGTERM: `signal.signal(signal.SIGTERM, lambda signum, frame: "
        "sys.exit(128 + signum))` (SystemExit runs `finally:` and atexit), or run the program "
        "under a small init that forwards signals and reaps zombies: `docker run --init`, tini "
        "or dumb-init as the ENTRYPOINT.",
    ),
    Cause(
        id="shell-no-forward",
        title="a shell wrapper got the signal and did not forward it to the program",
        severity=ERROR,
        happens="`sh -c 'python app.py'`, an entrypoint script, or a Dockerfile's shell-form "
        "`CMD python app.py` start a shell that runs Python as its *child*. `docker stop`, "
        "`kill` and supervisord signal the process they started -- the shell -- and a shell "
        "waiting for a foreground child does not pass the signal on. As PID 1 the shell "
        "ignores SIGTERM altogether (no handler); elsewhere it dies at once and leaves "
        "Python running, orphaned. Debian's `sh` (dash) does not exec the last command of "
        "`sh -c` by itself; bash does.",
        evidence="The command is a shell; the probed Python is its child; no Python handler ran "
        "after the signal; the shell was still waiting (or died of the signal while its child "
        "lived on).",
        fix="`exec` the program so it replaces the shell: `sh -c 'exec python app.py'`, `exec "
        "python app.py` as the script's last line, or the exec form `CMD [\"python\", "
        "\"app.py\"]`. A shell that must stay forwards the signal: `python app.py & child=$!; "
        "trap 'kill -TERM $child' TERM; wait $child`.",
    ),
    Cause(
        id="sigterm-default",
        title="the signal's default action killed Python at once: no clean-up ran",
        severity=WARNING,
        happens="Python installs a handler for SIGINT (KeyboardInterrupt) but not for SIGTERM or "
        "SIGHUP: their default action ends the process inside the kernel, in the middle of "
        "whatever it was doing. No Python code runs after it: no `finally:` block, no `with` "
        "exit, no atexit handler, no logging flush. It looks like a fast, clean stop.",
        evidence="The process ended by the signal itself (killed by SIGTERM), no Python handler "
        "ran, the interpreter's exit never ran; the probe counts the atexit handlers the "
        "program had registered (they never ran).",
        fix="Turn SIGTERM into a normal exit: `signal.signal(signal.SIGTERM, lambda signum, "
        "frame: sys.exit(128 + signum))` -- SystemExit unwinds the stack, so `finally:` blocks, "
        "`with` exits and atexit handlers run.",
    ),
    Cause(
        id="handler-replaced",
        title="the signal met a handler a library installed, or one Python does not know of",
        severity=WARNING,
        happens="A signal has one disposition per process. A library that calls "
        "`signal.signal()` (servers, task queues, SDKs) replaces the program's handler -- and "
        "Python's default KeyboardInterrupt -- with its own, which may wait, log, or ignore it. "
        "A C extension or ctypes call can change the disposition below Python: "
        "`signal.getsignal()` then reports a handler the kernel no longer runs, or misses one "
        "it does.",
        evidence="The probe records every `signal.signal()` call with its caller's file and line; "
        "the last one for the signal came from installed packages; or Python's view "
        "disagrees with `SigCgt`/`SigIgn` in /proc/PID/status.",
        fix="Decide who owns the signal: install your handler after the library set up, or "
        "use the library's own shutdown hooks; compare `signal.getsignal()` with /proc's "
        "SigCgt/SigIgn to find a handler set below Python.",
    ),
    Cause(
        id="unexplained",
        title="the first signal did not end the program, and no rule names the cause",
        severity=INFO,
        happens="sigkit saw the program outlive the deadline but none of its rules matched what "
        "it measured. The evidence listed with this finding is what it saw: often a slow "
        "clean-up after the KeyboardInterrupt, or a wait sigkit does not know yet.",
        evidence="Everything gathered: the timeline, the main thread's stack and state.",
        fix="Where the evidence has the main thread's stack, it says where the program was "
        "when the deadline passed; without one, run `sigkit inspect PID` on the live program. "
        "A longer deadline tells a slow clean-up from a hang.",
    ),
)

_BY_ID = {cause.id: cause for cause in CAUSES}


def get(cause_id: str) -> Cause:
    """The cause called ``cause_id``; an unknown id is a usage error listing the known ones."""
    try:
        return _BY_ID[cause_id.strip().lower()]
    except KeyError:
        raise UsageError(
            f"unknown cause {cause_id!r} (known: {', '.join(_BY_ID)})"
        ) from None


def to_markdown() -> str:
    """``docs/causes.md``: one section per cause (what happens, evidence, fix)."""
    parts = [
        "# Causes sigkit diagnoses\n",
        "Generated from `sigkit/causes.py` by `python -m sigkit.causes > docs/causes.md`; "
        "`sigkit explain ID` prints the same text.\n",
    ]
    for cause in CAUSES:
        parts.append(f"## `{cause.id}`: {cause.title}\n")
        parts.append(f"*Severity: {cause.severity}.*\n")
        parts.append(f"**What happens.** {cause.happens}\n")
        parts.append(f"**Evidence.** {cause.evidence}\n")
        parts.append(f"**Fix.** {cause.fix}\n")
        if cause.lint:
            codes = ", ".join(f"`{code}`" for code in cause.lint)
            parts.append(f"**Found in source by** `sigkit lint`: {codes}.\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(to_markdown(), end="")
