"""Rules on evidence built by hand: states too hard to stage for real (a thread in state D, a
process in a background job), and the decisions each rule makes from its inputs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sigkit import causes
from sigkit.diagnose import diagnose_evidence
from sigkit.diagnose.evidence import Evidence
from sigkit.diagnose.source import line_of, receiver
from sigkit.procinfo import ProcessState, ThreadState
from sigkit.stacks import Frame, ThreadStack
from sigkit.timeline import Orphan

PID = 4242
THREADING_27 = "/usr/lib/python2.7/threading.py"


def kernel_thread(tid: int, state: str = "S", wchan: str = "futex_do_wait",
                  **masks: list[str]) -> ThreadState:
    base = {"SigPnd": [], "ShdPnd": [], "SigBlk": [], "SigIgn": [], "SigCgt": ["SIGINT"]}
    return ThreadState(tid, "python", state, wchan, {**base, **masks})


def process(*threads: ThreadState, pgrp: int = PID, tpgid: int = PID) -> ProcessState:
    return ProcessState(PID, 1, "python", pgrp, PID, tpgid, threads)


def stuck(**fields) -> Evidence:
    """A trial whose first Ctrl-C missed its deadline (the C handler ran, no Python handler)."""
    defaults = dict(pid=PID, version=(3, 11), deadline_missed=True, presses=3,
                    arrival_us=120.0, processes=[process(kernel_thread(PID))])
    return Evidence(**{**defaults, **fields})


def causes_of(evidence: Evidence) -> list[str]:
    return [f.cause for f in diagnose_evidence(evidence)]


def test_a_thread_in_state_d_is_named_with_its_kernel_wait():
    evidence = stuck(processes=[process(kernel_thread(PID),
                                        kernel_thread(PID + 1, "D", "nfs_wait_bit_killable"))])
    (finding,) = [f for f in diagnose_evidence(evidence) if f.cause == "uninterruptible-sleep"]
    assert f"thread {PID + 1}" in finding.evidence[0] and "nfs_wait_bit_killable" in finding.evidence[0]
    assert "soft" in finding.fix  # the NFS advice, chosen from the wchan
    other = stuck(processes=[process(kernel_thread(PID, "D", "blk_mq_get_tag"))])
    (generic,) = [f for f in diagnose_evidence(other) if f.cause == "uninterruptible-sleep"]
    assert generic.fix == causes.get("uninterruptible-sleep").fix


def test_sigint_blocked_everywhere_stays_pending():
    blocked = {"SigBlk": ["SIGINT"], "ShdPnd": ["SIGINT"]}
    evidence = stuck(arrival_us=None, processes=[process(kernel_thread(PID, **blocked),
                                                         kernel_thread(PID + 1, **blocked))])
    (finding,) = diagnose_evidence(evidence)
    assert finding.cause == "sigint-blocked"
    text = " ".join(finding.evidence)
    assert "pending (ShdPnd)" in text and "leave it unblocked" not in text
    assert "no C-level handler ran" in text


def test_sigint_ignored_without_code_that_ignores_it_may_be_inherited():
    evidence = stuck(arrival_us=None, processes=[process(kernel_thread(PID, SigIgn=["SIGINT"]))])
    (finding,) = diagnose_evidence(evidence)
    assert finding.cause == "sigint-ignored" and "inherited" in finding.fix


def test_background_job_in_a_terminal_is_an_error_and_no_terminal_is_information():
    background = stuck(arrival_us=None, processes=[process(kernel_thread(PID), tpgid=99)])
    (finding,) = diagnose_evidence(background)
    assert (finding.cause, finding.severity) == ("not-foreground", causes.ERROR)
    assert "`fg`" in finding.fix and f"kill -INT {PID}" in finding.fix
    detached = Evidence(pid=PID, live=True, processes=[process(kernel_thread(PID), tpgid=-1)])
    (finding,) = diagnose_evidence(detached)
    assert (finding.cause, finding.severity) == ("not-foreground", causes.INFO)
    reached = stuck(processes=[process(kernel_thread(PID), tpgid=99)])  # the signal arrived
    assert "not-foreground" not in causes_of(reached)


def test_a_snapshot_only_counts_while_the_program_is_stuck():
    """The first Ctrl-C worked: whatever a snapshot says, kernel rules stay quiet."""
    fine = stuck(deadline_missed=False, handler_us=150.0, presses_to_exit=1,
                 processes=[process(kernel_thread(PID, "D", SigIgn=["SIGINT"]))])
    assert diagnose_evidence(fine) == []


@pytest.mark.parametrize("version, bug", [((3, 11), True), ((3, 13), False)])
def test_lost_work_explains_the_join_bug_only_where_it_exists(version, bug):
    evidence = Evidence(pid=PID, version=version, presses=1, presses_to_exit=1,
                        lost_threads=["flusher"])
    (finding,) = diagnose_evidence(evidence)
    assert finding.cause == "lost-work" and "'flusher'" in finding.evidence[0]
    assert ("python/cpython#90882" in " ".join(finding.evidence)) is bug
    assert ("done.wait(0.1)" in finding.fix) is bug  # join() cannot be trusted there
    later = Evidence(pid=PID, version=version, presses=2, presses_to_exit=2,
                     lost_threads=["flusher"])
    assert "lost-work" not in causes_of(later)  # the 2nd press cut the exit's wait on purpose


def test_orphans_that_left_the_session_get_their_own_advice():
    escaped = Evidence(pid=PID, orphans=[Orphan(7, "sleep", "sleep 60", escaped_session=True)])
    stayed = Evidence(pid=PID, orphans=[Orphan(7, "sleep", "sleep 60", escaped_session=False)])
    (a,), (b,) = diagnose_evidence(escaped), diagnose_evidence(stayed)
    assert "left the session" in a.evidence[0] and "own session" in a.fix
    assert "left the session" not in b.evidence[0] and "survived it" in b.fix


@pytest.mark.parametrize("threads_at_press, cause", [(1, "main-in-c-call"),
                                                     (3, "gil-held-by-worker")])
def test_a_late_handler_without_snapshot_is_judged_by_the_threads_alive(threads_at_press, cause):
    evidence = Evidence(pid=PID, version=(3, 11), presses=1, presses_to_exit=1,
                        arrival_us=100.0, handler_us=800_100.0, after_arrival_us=800_000.0,
                        threads_at_press=threads_at_press)
    assert causes_of(evidence) == [cause]
    prompt = Evidence(pid=PID, version=(3, 11), presses=1, presses_to_exit=1, arrival_us=100.0,
                      handler_us=20_100.0, after_arrival_us=20_000.0, threads_at_exit=3)
    assert diagnose_evidence(prompt) == []  # 20 ms: busy threads maybe, but no budget was set


def test_one_thread_left_at_exit_says_nothing_about_who_held_the_gil_at_the_press():
    """busy-workers, fixed, on a loaded machine: its workers had stopped by the exit, and the
    handler came 150 ms late because the machine was busy -- no cause can be claimed."""
    late = dict(pid=PID, version=(3, 11), presses=1, presses_to_exit=1, arrival_us=100.0,
                handler_us=150_100.0, after_arrival_us=150_000.0)
    assert diagnose_evidence(Evidence(**late, threads_at_exit=1)) == []
    assert diagnose_evidence(Evidence(**late, threads_at_press=3, threads_at_exit=1)) == []


def test_py_spy_names_the_gil_holder_even_when_both_threads_look_busy():
    both_running = [process(kernel_thread(PID, "R", "0"), kernel_thread(PID + 1, "R", "0"))]
    for holder, cause in ((PID, "main-in-c-call"), (PID + 1, "gil-held-by-worker")):
        stacks = [ThreadStack(str(tid), native_id=tid, state="active+gil" if tid == holder
                              else "idle", frames=[Frame("work", "/app/work.py", 3)])
                  for tid in (PID, PID + 1)]
        assert causes_of(stuck(processes=both_running, threads=stacks)) == [cause]


def test_busy_workers_count_switch_intervals_and_mention_ticks_on_27():
    evidence = Evidence(pid=PID, version=(2, 7), presses=1, presses_to_exit=1, arrival_us=100.0,
                        handler_us=12_100.0, after_arrival_us=12_000.0, budget_us=5000.0,
                        threads_at_exit=3)
    (finding,) = diagnose_evidence(evidence)
    assert finding.cause == "busy-workers"
    text = " ".join(finding.evidence)
    assert "2.4 x the 5.00 ms switch interval" in text and "100 ticks" in text
    assert "3 threads were alive at exit" in text


def test_a_lone_thread_over_budget_is_not_blamed_on_busy_workers():
    """Same figures, but main was alone: a loaded machine, not GIL turns -- ask for evidence."""
    evidence = Evidence(pid=PID, version=(3, 11), presses=1, presses_to_exit=1, arrival_us=100.0,
                        handler_us=12_100.0, after_arrival_us=12_000.0, budget_us=5000.0,
                        threads_at_exit=1)
    assert causes_of(evidence) == ["slow-handler"]


def test_nothing_recognisable_is_reported_as_unexplained_with_what_was_seen():
    main = ThreadStack("0x1", frames=[Frame("cleanup", "/app/app.py", 9)])
    evidence = stuck(handler_us=None, arrival_us=None, threads=[main])
    (finding,) = diagnose_evidence(evidence)
    assert finding.cause == "unexplained" and finding.severity == causes.INFO
    assert "main thread: cleanup (app.py:9)" in finding.evidence


def write(tmp_path: Path, source: str) -> str:
    path = tmp_path / "app.py"
    path.write_text(textwrap.dedent(source))
    return str(path)


def test_2_7_lock_wait_fix_names_the_lock_from_the_source(tmp_path):
    path = write(tmp_path, """\
        import threading
        guard = threading.Lock()
        def main():
            guard.acquire()  # wait for the writer
        main()
        """)
    main = ThreadStack("0x1", frames=[Frame("main", path, 4), Frame("<module>", path, 5)])
    (finding,) = diagnose_evidence(stuck(version=(2, 7), threads=[main]))
    assert finding.cause == "uninterruptible-wait"
    assert "`guard.acquire()` at app.py:4" in finding.fix
    assert "while not guard.acquire(False)" in finding.fix


def test_2_7_join_in_a_library_frame_is_traced_back_to_the_users_line(tmp_path):
    path = write(tmp_path, "import threading\nworkers[0].join()  # forever\n")
    main = ThreadStack("0x1", frames=[Frame("wait", THREADING_27, 340),
                                      Frame("join", THREADING_27, 940),
                                      Frame("<module>", path, 2)])
    (finding,) = diagnose_evidence(stuck(version=(2, 7), threads=[main]))
    assert "while workers[0].is_alive(): workers[0].join(0.1)" in finding.fix
    assert "main thread: wait (threading.py:340) ← join (threading.py:940)" in finding.evidence[1]


def test_swallowed_interrupt_points_at_the_catch_all_that_runs(tmp_path):
    path = write(tmp_path, """\
        import time
        def fixed():
            try:
                time.sleep(1)
            except:
                pass
        def loop():
            while True:
                try:
                    time.sleep(0.1)
                except:
                    print("retrying")
        loop()
        """)
    main = ThreadStack("0x1", frames=[Frame("loop", path, 10), Frame("<module>", path, 13)])
    evidence = stuck(handler_us=180.0, handled_presses=2, threads=[main])
    (finding,) = diagnose_evidence(evidence)
    assert finding.cause == "swallowed-interrupt"
    assert finding.fix.startswith("At app.py:11:")  # the loop's except, not fixed()'s at line 5
    assert not any("app.py:5" in line for line in finding.evidence)


def test_source_helpers_drop_comments_and_find_receivers(tmp_path):
    path = write(tmp_path, 'pool.map(f, "a#b")  # no timeout\n')
    evidence = Evidence(pid=PID)
    assert line_of(evidence, Frame("<module>", path, 1)) == 'pool.map(f, "a#b")'
    assert line_of(evidence, Frame("<module>", path, 99)) is None
    assert receiver("self.queue.get()", "get") == "self.queue"
    assert receiver("x = q.put(1)", "get") is None


@pytest.mark.parametrize("version, reported", [((2, 7), True), ((3, 11), False)])
def test_a_live_pool_wait_is_a_hang_only_where_it_cannot_be_interrupted(version, reported):
    pool = "/usr/lib/python3/multiprocessing/pool.py"
    main = ThreadStack("0x1", native_id=PID, frames=[Frame("wait", pool, 561),
                                                     Frame("map", pool, 253)])
    evidence = Evidence(pid=PID, live=True, version=version, threads=[main],
                        processes=[process(kernel_thread(PID))])
    assert ("multiprocessing-hang" in causes_of(evidence)) is reported
