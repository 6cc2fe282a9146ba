"""A child process started in its own session outlives the parent's Ctrl-C.

name: orphan-child
summary: main waits for a helper started with start_new_session=True; Ctrl-C leaves it running
teaches: Ctrl-C goes to the terminal's foreground process group only. A child in a new session
    (start_new_session=True, setsid, a daemonizing tool) never sees it: the parent dies of its
    KeyboardInterrupt, the child is re-parented to init and keeps running -- holding ports,
    files or GPUs. The verdict looks healthy (ki); the leftover process is the finding.
behaviour:
    2.7       KeyboardInterrupt in the parent at once; the helper survives, orphaned.
    3.6       the same.
    3.7+      the same, 0.25 s later: Popen.wait() gives the child that long to exit after a
              Ctrl-C (it assumes the child got one too -- this one did not).
fix: Own your children: terminate and reap them in a finally block (or leave them in the
    terminal's process group, so they get the Ctrl-C too).
expect-broken: *=ki+orphan
expect-fixed: *=ki
ready: ^ready
"""
from __future__ import print_function

import os
import subprocess
import sys

from _harness import CAP_SECONDS, ready, run

HELPER = "import time; time.sleep(%d)" % CAP_SECONDS  # the helper also gives up after a minute


def start_helper():
    """A helper in a new session: outside the terminal's foreground group, away from Ctrl-C."""
    if sys.version_info[0] >= 3:
        return subprocess.Popen([sys.executable, "-c", HELPER], start_new_session=True)
    return subprocess.Popen([sys.executable, "-c", HELPER], preexec_fn=os.setsid)  # 2.7


def broken():
    helper = start_helper()
    ready("main waiting for helper %d, which runs in its own session" % helper.pid)
    helper.wait()  # KeyboardInterrupt leaves here; nobody stops the helper


def fixed():
    helper = start_helper()
    try:
        ready("main waiting for helper %d, which runs in its own session" % helper.pid)
        helper.wait()
    finally:
        if helper.poll() is None:  # whatever ended the wait, the helper goes with us
            helper.terminate()
            helper.wait()


if __name__ == "__main__":
    run(broken, fixed)
