"""The probe's wire format, message by message: literal datagrams in, the exact Event out.

The format is defined once, in the header of ``sigkit/inject/sitecustomize.py``; the probe writes
it, ``sigkit/listener.py`` parses it.  The last tests run the real probe in real interpreters
against a real ``ProbeListener``, so writer and reader cannot drift apart unseen.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from conftest import require

from sigkit.inject import INJECT_DIR
from sigkit.listener import Datagram, ProbeListener, to_event
from sigkit.timeline import (
    ARRIVAL,
    ATEXIT,
    HANDLER,
    HANDLER_SET,
    KEYBOARD_INTERRUPT,
    PROBE,
    PROBE_FAILED,
    SHUTDOWN,
    WAKEUP_REPLACED,
    Event,
)

KERNEL_NS = 5_000_000  # when the kernel queued the datagram (already monotonic)
OFFSET = 1_700_000_000_000_000_000  # realtime - monotonic, as the listener measured it


def parse(payload: bytes, kernel_pid: int = 0) -> Event | None:
    return to_event(Datagram(KERNEL_NS, kernel_pid, payload), OFFSET)


@pytest.mark.parametrize(("payload", "expected"), [
    (b"S 41 1000 40 cpython 3.11.7 1 /usr/bin/python3",
     Event(PROBE, 1000, 41, {"ppid": 40, "implementation": "cpython", "version": "3.11.7",
                             "stacks": True, "executable": "/usr/bin/python3"})),
    # The executable is the last field: a path with spaces stays whole.
    (b"S 41 1000 40 pypy 3.10.14 0 /opt/my pythons/pypy3",
     Event(PROBE, 1000, 41, {"ppid": 40, "implementation": "pypy", "version": "3.10.14",
                             "stacks": False, "executable": "/opt/my pythons/pypy3"})),
    (b"H 41 1000 2", Event(HANDLER, 1000, 41, {"signum": 2})),
    (b"K 41 1000 ", Event(KEYBOARD_INTERRUPT, 1000, 41, {})),
    (b"K 41 1000", Event(KEYBOARD_INTERRUPT, 1000, 41, {})),
    (b"W 41 1000 7", Event(WAKEUP_REPLACED, 1000, 41, {"fd": 7})),
    (b"E 41 1000 3 worker-1,Thread-2",
     Event(SHUTDOWN, 1000, 41, {"os_threads": 3, "nondaemon": ["worker-1", "Thread-2"]})),
    (b"E 41 1000 1 ", Event(SHUTDOWN, 1000, 41, {"os_threads": 1, "nondaemon": []})),
    (b"A 41 1000 2 app.flush,logging.shutdown",
     Event(ATEXIT, 1000, 41, {"pending": 2, "names": ["app.flush", "logging.shutdown"]})),
    (b"A 41 1000 0 ", Event(ATEXIT, 1000, 41, {"pending": 0, "names": []})),
    (b"I 41 1000 15 app.on_term /srv/my app/main.py:12",
     Event(HANDLER_SET, 1000, 41, {"signum": 15, "handler": "app.on_term",
                                   "where": "/srv/my app/main.py:12"})),
    (b"I 41 1000 2 SIG_IGN ?", Event(HANDLER_SET, 1000, 41,
                                     {"signum": 2, "handler": "SIG_IGN", "where": "?"})),
    (b"X 41 1000 wakeup fd: ValueError: set_wakeup_fd only works in main thread",
     Event(PROBE_FAILED, 1000, 41,
           {"what": "wakeup fd: ValueError: set_wakeup_fd only works in main thread"})),
])
def test_every_kind(payload: bytes, expected: Event) -> None:
    assert parse(payload) == expected


def test_one_byte_is_the_c_handlers_wakeup_byte() -> None:
    """The arrival is timed by the kernel stamp, not by anything in the byte."""
    assert parse(b"\x02", kernel_pid=41) == Event(ARRIVAL, KERNEL_NS, 41, {"signum": 2})
    assert parse(b"\x00", kernel_pid=41) == Event(ARRIVAL, KERNEL_NS, 41, {"signum": 0})  # 2.7


def test_the_kernels_pid_beats_the_text() -> None:
    """A forked worker inherits its parent's probe and pid text; SO_PASSCRED says who sent it."""
    event = parse(b"H 41 1000 2", kernel_pid=99)
    assert event is not None and event.pid == 99
    event = parse(b"H 41 1000 2", kernel_pid=0)  # no credentials: the text is all there is
    assert event is not None and event.pid == 41


def test_python_27_realtime_stamps_are_converted() -> None:
    event = parse(f"H 41 {OFFSET + 1234}r 2".encode())
    assert event is not None and event.t_ns == 1234


@pytest.mark.parametrize("payload", [
    b"",                       # nothing
    b"S 41",                   # too few fields
    b"Z 41 1000 what",         # a kind this sigkit does not know
    b"s 41 1000 40 cpython",   # kinds are case-sensitive
    b"H forty-one 1000 2",     # not a pid
    b"H 41 soon 2",            # not a time
    b"H 41 1000r2 2",          # a mangled 2.7 stamp
    b"H 41 1000 two",          # not a signal number
    b"W 41 1000 seven",
    b"A 41 1000 many names",
    b"\xff\xfe 41 1000",       # not UTF-8, not a kind
])
def test_malformed_or_unknown_messages_are_ignored(payload: bytes) -> None:
    assert parse(payload) is None


def probe_messages(python: str, tmp_path: Path, prefix: str = "") -> tuple[list[Event], int, int, int]:
    """Start ``python -c pass`` with the probe (under ``sh -c PREFIX``); its events, its pid and
    the monotonic clock just before and after it ran."""
    listener = ProbeListener(str(tmp_path / "probe.sock"))
    env = {**os.environ, "PYTHONPATH": INJECT_DIR, "SIGKIT_SOCK": listener.path,
           "SIGKIT_STACKS_DIR": str(tmp_path), "SIGKIT_STACK_SIGNAL": "40"}
    try:
        before = time.monotonic_ns()
        child = subprocess.Popen(["sh", "-c", prefix + 'exec "$0" -c pass', python], env=env)
        assert child.wait(timeout=60) == 0
        after = time.monotonic_ns()
        events = [to_event(d, listener.offset_ns) for d in listener.receive()]
    finally:
        listener.close()
    return [e for e in events if e is not None], child.pid, before, after


@pytest.mark.parametrize("version", ["2.7", "3.11"])
def test_the_real_probe_round_trip(version: str, tmp_path: Path) -> None:
    python = require(version)
    events, pid, before, after = probe_messages(python, tmp_path)
    started = [e for e in events if e.kind == PROBE]
    assert len(started) == 1, events
    event = started[0]
    assert event.pid == pid
    # 2.7 sent CLOCK_REALTIME: converted, it lands on the same axis as sigkit's own clock.
    assert before <= event.t_ns <= after
    assert event.detail["version"].startswith(version + ".")
    assert event.detail["implementation"] == "cpython"
    assert event.detail["executable"] == python
    assert event.detail["ppid"] == os.getpid()
    assert event.detail["stacks"] is (version != "2.7")  # 2.7 has no faulthandler
    assert not [e for e in events if e.kind == PROBE_FAILED]


def test_a_probe_that_cannot_arm_its_stack_dump_says_so(tmp_path: Path) -> None:
    """A real failure: three descriptors for stdio and one for the probe's socket leave none for
    the stack-dump file.  The probe says what failed instead of going quiet."""
    python = require("3.12")
    events, pid, _, _ = probe_messages(python, tmp_path, prefix="ulimit -n 4; ")
    failed = [e for e in events if e.kind == PROBE_FAILED]
    assert [e.pid for e in failed] == [pid]
    assert str(failed[0].detail["what"]).startswith("stack dump: OSError: [Errno 24]")
    started = [e for e in events if e.kind == PROBE]
    assert len(started) == 1 and started[0].detail["stacks"] is False
