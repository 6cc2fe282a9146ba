"""The shutdown rules on evidence built by hand: the decisions too rare or too slow to stage for
real (an unknown server's drain, a pool whose workers ignore SIGINT, Python 3.14's pool API)."""

from __future__ import annotations

from sigkit.diagnose import diagnose_evidence
from sigkit.diagnose.evidence import Evidence
from sigkit.diagnose.rules.common import signal_path
from sigkit.diagnose.rules.graceful import FRAMEWORKS, GENERIC_BOUND
from sigkit.procinfo import ProcessState, ThreadState
from sigkit.stacks import Frame, ThreadStack
from sigkit.timeline import LateProcess
from sigkit.tree import Connection

PID = 4242
CHILD = PID + 1
LIB = "/usr/lib/python3.11"


def kernel_thread(tid: int, state: str = "S", wchan: str = "futex_do_wait",
                  **masks: list[str]) -> ThreadState:
    base = {"SigPnd": [], "ShdPnd": [], "SigBlk": [], "SigIgn": [], "SigCgt": ["SIGINT"]}
    return ThreadState(tid, "python", state, wchan, {**base, **masks})


def proc(pid: int, *threads: ThreadState, ppid: int = 1) -> ProcessState:
    return ProcessState(pid, ppid, "python", PID, PID, PID, threads or (kernel_thread(pid),))


def main_stack(*frames: Frame) -> ThreadStack:
    return ThreadStack("0x1", native_id=PID, frames=list(frames))


def evidence(**fields) -> Evidence:
    """A trial whose first Ctrl-C was handled and missed its 2 s deadline; the 2nd press ended it."""
    defaults = dict(pid=PID, version=(3, 11), deadline_missed=True, presses=2, arrival_us=90.0,
                    handler_us=120.0, handled_presses=2, presses_to_exit=2, ender_us=2.1e6,
                    signals=["INT", "INT", "TERM", "KILL"], look_us=2.0e6, exit_us=2.2e6,
                    processes=[proc(PID)])
    return Evidence(**{**defaults, **fields})


def named(ev: Evidence) -> list[str]:
    return [f.cause for f in diagnose_evidence(ev)]


SERVED = [Connection((PID,), "LISTEN", "127.0.0.1:8123", None),
          Connection((PID,), "ESTABLISHED", "127.0.0.1:8123", "127.0.0.1:50000")]
SELECT = main_stack(Frame("select", f"{LIB}/selectors.py", 468),
                    Frame("serve", "/srv/app/server.py", 40))


def test_an_unknown_server_announcing_a_drain_with_a_request_open_gets_the_generic_fix():
    ev = evidence(threads=[SELECT], connections=SERVED,
                  said="^C\r\nShutting down gracefully, waiting for 1 request\r\n")
    findings = diagnose_evidence(ev)
    assert [f.cause for f in findings] == ["graceful-shutdown"]  # not swallowed, not unexplained
    (found,) = findings
    assert found.severity == "warning" and found.fix == GENERIC_BOUND
    assert "the 2nd Ctrl-C" in found.evidence[0] and "1 connection open on :8123" in found.evidence[0]
    assert 'said after the Ctrl-C: "Shutting down gracefully, waiting for 1 request"' in \
        found.evidence[1]


def test_shutdown_words_without_a_client_are_not_a_drain():
    ev = evidence(threads=[SELECT], connections=SERVED[:1], said="Shutting down\n")
    assert "graceful-shutdown" not in named(ev)


def test_a_drain_that_ends_by_itself_is_information_with_its_length():
    ev = evidence(threads=[SELECT], connections=SERVED, said="draining connections\n",
                  deadline_missed=False, presses=1, presses_to_exit=1, look_us=1.0e6,
                  exit_us=13.2e6, ender_us=None)
    (found,) = diagnose_evidence(ev)
    assert found.severity == "info"
    assert found.evidence[0].startswith("stopped gracefully in 13.2 s")


def test_framework_bounds_are_read_from_the_command_line():
    gunicorn = next(f for f in FRAMEWORKS if f.name == "gunicorn")
    assert gunicorn.timeout(["gunicorn", "--graceful-timeout", "3", "app:app"]) == 3.0
    assert gunicorn.timeout(["gunicorn", "--graceful-timeout=4.5"]) == 4.5
    assert gunicorn.timeout(["gunicorn", "app:app"]) == 30.0  # gunicorn's documented default
    uvicorn = next(f for f in FRAMEWORKS if f.name == "uvicorn")
    assert uvicorn.timeout(["uvicorn", "app:app"]) is None  # unbounded unless set


def test_pool_workers_that_ignore_sigint_are_not_said_to_get_keyboard_interrupt():
    ignoring = kernel_thread(CHILD, SigIgn=["SIGINT"])
    pool_wait = main_stack(Frame("wait", f"{LIB}/threading.py", 320),
                           Frame("get", f"{LIB}/multiprocessing/pool.py", 768),
                           Frame("main", "/srv/app/jobs.py", 12))
    ev = evidence(threads=[pool_wait], processes=[proc(PID), proc(CHILD, ignoring, ppid=PID)])
    (found,) = [f for f in diagnose_evidence(ev) if f.cause == "multiprocessing-hang"]
    assert "every child ignores SIGINT" in " ".join(found.evidence)
    assert "initializer" not in found.fix  # they already ignore it


def test_a_replaced_wakeup_fd_makes_the_arrival_unobservable_not_absent():
    ev = evidence(arrival_us=None, wakeup_replaced=True)
    said = " ".join(signal_path(ev))
    assert "not observable" in said and "no C-level handler ran" not in said


def pool_exit(version: tuple[int, int]) -> Evidence:
    frames = main_stack(Frame("join", f"{LIB}/threading.py", 1119),
                        Frame("shutdown", f"{LIB}/concurrent/futures/process.py", 851),
                        Frame("__exit__", f"{LIB}/concurrent/futures/_base.py", 647),
                        Frame("<module>", "/srv/app/batch.py", 14))
    return evidence(version=version, threads=[frames],
                    processes=[proc(PID), proc(CHILD, ppid=PID)])


def test_process_pool_fix_follows_the_python_version():
    (old,) = [f for f in diagnose_evidence(pool_exit((3, 11))) if f.cause == "process-pool-shutdown"]
    assert "Python 3.11 has no `terminate_workers()`" in old.fix
    (new,) = [f for f in diagnose_evidence(pool_exit((3, 14))) if f.cause == "process-pool-shutdown"]
    assert "then `executor.terminate_workers()`" in new.fix
    assert "executor-shutdown" not in named(pool_exit((3, 11)))


def test_processes_started_after_the_press_are_a_warning():
    ev = evidence(deadline_missed=False, presses=1, presses_to_exit=1, look_us=None,
                  late_processes=[LateProcess(CHILD, "python3.11", 20_000_000)])
    (found,) = diagnose_evidence(ev)
    assert found.cause == "pressed-during-startup" and found.severity == "warning"
    assert f"pid {CHILD} (python3.11) started 20.0 ms after the first press" in found.evidence[0]


def test_a_quick_stop_seen_late_is_still_a_dropped_request_not_a_drain():
    """gunicorn's SIGINT on a loaded machine: the exit comes after sigkit's first look, by which
    time the worker (and its request) was already gone."""
    arbiter = main_stack(Frame("stop", "/venv/site-packages/gunicorn/arbiter.py", 487),
                         Frame("handle_int", "/venv/site-packages/gunicorn/arbiter.py", 324))
    ev = evidence(threads=[arbiter], connections=SERVED[:1], connections_at_press=SERVED,
                  names_at_press=["gunicorn", "gunicorn"], said="Handling signal: int\n",
                  deadline_missed=False, presses=1, presses_to_exit=1, look_us=1.0e6,
                  exit_us=1.3e6, ender_us=None)
    (found,) = diagnose_evidence(ev)
    assert found.cause == "requests-in-flight" and found.severity == "warning"
    assert "quick shutdown" in found.evidence[-1]


# Measured on real programs (benchmarks/real_programs.py): the cases below are what each showed.

WERKZEUG_BANNER = (" * Serving Flask app 'app'\r\n * Running on http://127.0.0.1:8123\r\n"
                   "Press CTRL+C to quit\r\n")


def quick_exit(**fields) -> Evidence:
    """The first signal ended the program 50 ms later, before sigkit's first look."""
    return evidence(**{**dict(connections_at_press=SERVED, deadline_missed=False, presses=1,
                              presses_to_exit=1, look_us=None, exit_us=50_000.0, ender_us=None,
                              names_at_press=["flask"]), **fields})


def test_the_werkzeug_dev_server_drops_its_requests_on_any_stop():
    """Flask's `flask run`: request threads are daemon threads, the client saw the connection cut
    at the Ctrl-C (and at a SIGTERM); sigkit said "whether they completed is not seen"."""
    for sent in ("INT", "TERM"):
        (found,) = diagnose_evidence(quick_exit(printed=WERKZEUG_BANNER, signals=[sent, "KILL"]))
        assert found.cause == "requests-in-flight" and found.severity == "warning"
        said = " ".join(found.evidence)
        assert "Werkzeug development server" in said and f"on SIG{sent}" in said
        assert "not something sigkit saw" not in said
        assert "Stop the Werkzeug" not in (found.fix or "")  # no signal of it drains


def test_an_unknown_server_that_stops_at_once_names_no_framework():
    (found,) = diagnose_evidence(quick_exit(names_at_press=["myserver"]))
    assert found.cause == "requests-in-flight" and found.severity == "info"
    text = " ".join([found.title, *found.evidence, found.fix or ""])
    assert "gunicorn" not in text and "Werkzeug" not in text


SUPERVISED_AT_PRESS = [Connection((PID, CHILD), "LISTEN", "127.0.0.1:8123", None),
                       Connection((CHILD,), "ESTABLISHED", "127.0.0.1:8123", "127.0.0.1:50000")]
SUPERVISED_LATER = [Connection((PID,), "LISTEN", "127.0.0.1:8123", None),
                    Connection((CHILD,), "ESTABLISHED", "127.0.0.1:8123", "127.0.0.1:50000")]
SENTINEL_WAIT = main_stack(Frame("select", f"{LIB}/selectors.py", 415),
                           Frame("wait", f"{LIB}/multiprocessing/connection.py", 947),
                           Frame("run", "/venv/site-packages/aserver/run.py", 96))


def supervised(**fields) -> Evidence:
    """hypercorn's shape: the supervisor waits on its worker's sentinel; the worker (which
    ignores SIGINT) closed its listener after the signal and still serves the request."""
    worker = proc(CHILD, kernel_thread(CHILD, wchan="do_epoll_wait", SigIgn=["SIGINT"]), ppid=PID)
    return evidence(**{**dict(threads=[SENTINEL_WAIT], processes=[proc(PID), worker],
                              connections_at_press=SUPERVISED_AT_PRESS,
                              connections=SUPERVISED_LATER, look_us=1.0e6), **fields})


def test_a_worker_that_closed_its_listener_but_serves_on_is_a_drain_not_a_pool_hang():
    findings = diagnose_evidence(supervised())
    assert [f.cause for f in findings] == ["graceful-shutdown"]
    (found,) = findings
    said = " ".join(found.evidence)
    assert f"pid {CHILD} (python) closed its listening socket on :8123 after the Ctrl-C" in said
    assert found.fix == GENERIC_BOUND and "multiprocessing" not in found.fix


def test_a_listener_still_open_is_no_drain_without_words():
    """The same tree, but the worker still listens: nothing says it stopped taking requests."""
    ev = supervised(connections=SUPERVISED_AT_PRESS)
    assert "graceful-shutdown" not in named(ev)


def test_an_unknown_server_that_cancels_its_requests_cut_its_own_drain():
    ev = supervised(deadline_missed=False, presses=1, presses_to_exit=1, exit_us=3.1e6,
                    ender_us=None, said="^C\nTraceback ...\nasyncio.exceptions.CancelledError\n")
    (found,) = diagnose_evidence(ev)
    assert found.cause == "graceful-shutdown" and found.severity == "warning"
    assert found.evidence[0].startswith("the program stopped by itself after 3.10 s, but it cut")
    assert '"asyncio.exceptions.CancelledError"' in found.evidence[0]


def test_an_unknown_server_that_drained_by_itself_does_not_claim_its_requests_completed():
    ev = supervised(deadline_missed=False, presses=1, presses_to_exit=1, exit_us=3.1e6,
                    ender_us=None)
    (found,) = diagnose_evidence(ev)
    assert found.severity == "info"
    assert "whether the connections open at the look completed is not something sigkit saw" in \
        found.evidence[0]


def test_a_stop_to_every_process_that_killed_a_celery_worker_is_not_a_drain_of_its_task():
    """systemd's TERM to the whole group: celery's prefork child died of it mid-task (celery said
    so) while the main process went on with its warm shutdown until the SIGKILL."""
    consumer = main_stack(Frame("drain_events", "/venv/site-packages/kombu/transport/base.py", 1012),
                          Frame("synloop", "/venv/site-packages/celery/worker/loops.py", 213))
    said = ("worker: Warm shutdown (MainProcess)\n[2026-12-01 16:08:21,078: ERROR/MainProcess] "
            "Process 'ForkPoolWorker-1' pid:32396 exited with 'signal 15 (SIGTERM)'\n")
    ev = evidence(threads=[consumer], said=said, signals=["TERM", "KILL"], presses_to_exit=2,
                  ender_us=3.1e6)
    (found,) = [f for f in diagnose_evidence(ev) if f.cause == "graceful-shutdown"]
    assert found.severity == "warning"
    assert "one died of it mid-task" in found.evidence[0]
    assert "exited with 'signal 15 (SIGTERM)'" in found.evidence[0]
    assert "running tasks to finish" not in " ".join(found.evidence)  # it was lost already
    assert found.evidence[1].startswith("the shutdown outlasted the deadline: SIGKILL")
    assert "KillMode=mixed" in found.fix
