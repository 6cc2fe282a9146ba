"""The program ignores SIGINT to protect a critical step, and forgets to restore it.

name: sigint-ignored
summary: signal(SIGINT, SIG_IGN) around a save, never undone: Ctrl-C is discarded forever
teaches: SIG_IGN is handled by the kernel: an ignored SIGINT is dropped before Python ever
    hears of it (SigIgn bit 2 in /proc/PID/status), so no amount of Ctrl-C helps. The same
    happens to programs *started* with SIGINT ignored (nohup, background jobs of a script):
    the disposition is inherited across exec and Python then installs no handler.
behaviour:
    2.7       every Ctrl-C is discarded; SIGTERM ends it.
    3.x       the same.
fix: Restore the previous handler in a finally block (better still: defer the interrupt --
    record it in a handler and raise KeyboardInterrupt after the critical step).
expect-broken: *=term
expect-fixed: *=ki
ready: ^ready
"""
from __future__ import print_function

import signal
import time

from _harness import capped, ready, run


def save():
    time.sleep(0.1)  # the step that must not be cut in half


def serve():
    ready("serving; SIGINT is %s" % ("ignored" if
                                     signal.getsignal(signal.SIGINT) == signal.SIG_IGN
                                     else "handled"))
    while capped():
        time.sleep(0.1)


def broken():
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # "don't let Ctrl-C cut the save in half"
    save()
    serve()  # ...and nobody put the old handler back


def fixed():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        save()
    finally:
        signal.signal(signal.SIGINT, previous)  # Ctrl-C works again after the save
    serve()


if __name__ == "__main__":
    run(broken, fixed)
