"""sigkit's end of the probe socket: datagrams from the target, stamped by the kernel.

The injected probe makes its socket CPython's *wakeup fd*, so the C-level signal handler's one-byte
write lands here.  Reading it in user space would add sigkit's own wake-up lag (0.2-4 ms on a busy
2-core machine: more than what we measure), so the socket asks the kernel for ``SO_TIMESTAMPNS``:
the time the byte was *queued*, which is the instant the C handler ran.  ``SO_PASSCRED`` adds the
sender's pid, so bytes from a multiprocessing worker are not mistaken for the main process's.
"""

from __future__ import annotations

import os
import socket
import struct
import time
from dataclasses import dataclass

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

_SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux value; Python may not export it
_TIMESPEC = struct.Struct("qq")
_UCRED = struct.Struct("iII")
_ANCILLARY_SPACE = socket.CMSG_SPACE(_TIMESPEC.size) + socket.CMSG_SPACE(_UCRED.size)
_KINDS = {"S": PROBE, "H": HANDLER, "K": KEYBOARD_INTERRUPT, "W": WAKEUP_REPLACED, "E": SHUTDOWN,
          "A": ATEXIT, "I": HANDLER_SET, "X": PROBE_FAILED}


def realtime_minus_monotonic_ns() -> int:
    """The offset that turns a CLOCK_REALTIME kernel stamp into CLOCK_MONOTONIC.

    Sampled a few times; the tightest bracket wins, so the error is well under a microsecond.
    """
    best: tuple[int, int] | None = None
    for _ in range(5):
        before = time.monotonic_ns()
        real = time.time_ns()
        after = time.monotonic_ns()
        if best is None or after - before < best[0]:
            best = (after - before, real - (before + after) // 2)
    assert best is not None
    return best[1]


@dataclass(frozen=True)
class Datagram:
    """One message: kernel receive time (monotonic ns), sender pid, payload."""

    t_ns: int
    pid: int
    payload: bytes


class ProbeListener:
    """A bound AF_UNIX datagram socket that the target's probes connect to."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            self._sock.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            self._sock.bind(path)
        except OSError:
            self._sock.close()
            raise
        self._sock.setblocking(False)
        self.offset_ns = realtime_minus_monotonic_ns()

    def fileno(self) -> int:
        return self._sock.fileno()

    def close(self) -> None:
        self._sock.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def receive(self) -> list[Datagram]:
        """Everything queued now (never blocks)."""
        received: list[Datagram] = []
        while True:
            try:
                payload, ancillary, _flags, _addr = self._sock.recvmsg(4096, _ANCILLARY_SPACE)
            except (BlockingIOError, InterruptedError):
                return received
            t_ns, pid = time.monotonic_ns(), 0
            for level, kind, data in ancillary:
                if level != socket.SOL_SOCKET:
                    continue
                if kind == _SO_TIMESTAMPNS and len(data) >= _TIMESPEC.size:
                    seconds, nanoseconds = _TIMESPEC.unpack_from(data)
                    t_ns = seconds * 1_000_000_000 + nanoseconds - self.offset_ns
                elif kind == socket.SCM_CREDENTIALS and len(data) >= _UCRED.size:
                    pid = _UCRED.unpack_from(data)[0]
            received.append(Datagram(t_ns, pid, payload))


def to_event(datagram: Datagram, realtime_offset_ns: int) -> Event | None:
    """Decode one datagram (the protocol is at the top of ``sigkit/inject/sitecustomize.py``);
    None for anything that is not a well-formed message of a known kind."""
    if len(datagram.payload) == 1:  # the C handler's wakeup byte: the signal number (0 on 2.7)
        return Event(ARRIVAL, datagram.t_ns, datagram.pid, {"signum": datagram.payload[0]})
    fields = datagram.payload.decode("utf-8", "replace").split(" ", 3)
    if len(fields) < 3 or fields[0] not in _KINDS:
        return None
    kind, stamp, rest = _KINDS[fields[0]], fields[2], fields[3] if len(fields) > 3 else ""
    try:
        # The kernel's word for the sender beats the text: a forked multiprocessing worker
        # inherits its parent's probe, pid included.
        pid = datagram.pid or int(fields[1])
        # Python 2.7 has no monotonic clock: its probe sends CLOCK_REALTIME, marked "r".
        t_ns = int(stamp[:-1]) - realtime_offset_ns if stamp.endswith("r") else int(stamp)
        return Event(kind, t_ns, pid, _detail(kind, rest))
    except ValueError:
        return None


def _detail(kind: str, rest: str) -> dict[str, object]:
    if kind == PROBE:
        ppid, implementation, version, stacks, executable = (rest.split(" ", 4) + [""] * 5)[:5]
        return {
            "ppid": int(ppid or 0),
            "implementation": implementation,
            "version": version,
            "stacks": stacks == "1",
            "executable": executable,
        }
    if kind == HANDLER:
        return {"signum": int(rest or 0)}
    if kind == WAKEUP_REPLACED:
        return {"fd": int(rest or -1)}
    if kind == ATEXIT:
        count, _, names = rest.partition(" ")
        return {"pending": int(count or 0), "names": [n for n in names.strip().split(",") if n]}
    if kind == HANDLER_SET:
        signum, handler, where = ([*rest.split(" ", 2), "", "", ""])[:3]
        return {"signum": int(signum or 0), "handler": handler, "where": where}
    if kind == PROBE_FAILED:
        return {"what": rest.strip()}
    if kind == SHUTDOWN:
        os_threads, _, names = rest.partition(" ")
        return {
            "os_threads": int(os_threads or 0),
            "nondaemon": [n for n in names.strip().split(",") if n],
        }
    return {}
