"""What ``sigkit watch`` adds between a person's terminal and the program (run on demand:
``python benchmarks/bench_watch.py [-n 300]``).

A pty plays the user's terminal.  The program puts its own tty in raw mode and answers each
byte at once, stamping CLOCK_MONOTONIC (system-wide: comparable across processes) when the byte
arrived and just before it wrote its answer.  The benchmark stamps its write and its read, so:

* keystroke → program: program's receive stamp − benchmark's write stamp;
* program output → terminal: benchmark's read stamp − program's write stamp.

Both are measured with the program on the terminal directly (one pty) and under ``sigkit watch``
(two ptys and sigkit's select loop); the difference is what sigkit adds.  Keys are spaced 5 ms
apart so each one is measured alone, not queued behind the last.  Prints markdown.
"""

from __future__ import annotations

import argparse
import os
import select
import statistics
import sys
import tempfile
import time

from ptyprocess import PtyProcess

ANSWER = """
import os, sys, time, tty
tty.setraw(0)
os.write(1, b"ready\\n")
while True:
    key = os.read(0, 1)
    received = time.monotonic_ns()
    if key == b"q" or not key:
        break
    os.write(1, ("%d %d\\n" % (received, time.monotonic_ns())).encode())
"""


def read_line(fd: int, timeout: float = 10.0) -> tuple[bytes, int]:
    """One line from the pty, and when its last byte was read (monotonic ns)."""
    data = b""
    end = time.monotonic() + timeout
    while not data.endswith(b"\n"):
        readable, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        if not readable:
            raise TimeoutError(f"no answer from the program (got {data!r})")
        data += os.read(fd, 1)
    return data, time.monotonic_ns()


def measure(argv: list[str], keys: int) -> tuple[list[float], list[float]]:
    """(keystroke → program, program → terminal) latencies in µs over ``keys`` keystrokes."""
    terminal = PtyProcess.spawn(argv, dimensions=(40, 120))
    try:
        while b"ready" not in read_line(terminal.fd)[0]:
            pass
        inbound, outbound = [], []
        for _ in range(keys):
            time.sleep(0.005)
            sent = time.monotonic_ns()
            os.write(terminal.fd, b"x")
            line, read = read_line(terminal.fd)
            received, written = map(int, line.split()[-2:])
            inbound.append((received - sent) / 1000)
            outbound.append((read - written) / 1000)
        os.write(terminal.fd, b"q")
        terminal.wait()
    finally:
        if terminal.isalive():
            terminal.terminate(force=True)
    return inbound, outbound


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    q = statistics.quantiles(ordered, n=100)
    return f"{statistics.median(ordered):.0f} / {q[94]:.0f} / {q[98]:.0f} / {ordered[-1]:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--keys", type=int, default=300)
    args = parser.parse_args()
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
        handle.write(ANSWER)
    program = [sys.executable, handle.name]
    try:
        direct = measure(program, args.keys)
        watched = measure([sys.executable, "-m", "sigkit", "watch", "--", *program], args.keys)
    finally:
        os.unlink(handle.name)
    print(f"{args.keys} keystrokes, 5 ms apart, µs: median / p95 / p99 / max\n")
    print("| path | direct on the terminal | under `sigkit watch` | added (median) |")
    print("|---|---|---|---|")
    for index, label in enumerate(("keystroke → program", "program output → terminal")):
        added = statistics.median(watched[index]) - statistics.median(direct[index])
        print(f"| {label} | {percentiles(direct[index])} | {percentiles(watched[index])} "
              f"| {added:+.0f} |")


if __name__ == "__main__":
    main()
