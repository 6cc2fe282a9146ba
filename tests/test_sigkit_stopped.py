"""sigkit itself stopped by a signal (a closed terminal, ``kill``, Ctrl-\\): the same clean path
as Ctrl-C — every target and escaped child killed and reaped, exit 128+n, no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import psutil
import pytest
from programs import carrying, path


def runs_code(proc: psutil.Process) -> bool:
    try:
        return "-c" in proc.cmdline()
    except psutil.Error:
        return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT])
def test_stop_signal_to_sigkit_cleans_up_and_exits_128_plus_n(py311, signum):
    token = uuid.uuid4().hex
    sigkit = subprocess.Popen(
        [sys.executable, "-m", "sigkit", "probe", "--after", "60", "--",
         py311, path("setsid_child"), token],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        give_up = time.monotonic() + 30
        escaped: list[psutil.Process] = []
        while not escaped and time.monotonic() < give_up:
            # The child that left the session: the last process to start (sigkit's own fork
            # matches the token too, for the moment before it becomes the target).
            escaped = [p for p in carrying(token, sigkit.pid) if runs_code(p)]
            time.sleep(0.02)
        assert escaped, "the setsid child never started"
        os.kill(sigkit.pid, signum)  # sigkit is waiting out --after 60
        _, stderr = sigkit.communicate(timeout=20)
        assert sigkit.returncode == 128 + signum
        assert stderr.strip() == f"sigkit: interrupted by {signal.Signals(signum).name}"
        assert not carrying(token, sigkit.pid)  # the child that left the session is gone too
    finally:
        if sigkit.poll() is None:
            sigkit.kill()
            sigkit.wait()


def test_a_signal_sigkit_was_started_ignoring_stays_ignored(py311):
    """``nohup sigkit ...``: HUP was ignored on purpose by whoever started it."""
    sigkit = subprocess.Popen(
        [sys.executable, "-m", "sigkit", "probe", "--after", "1", "--", py311, "-c",
         "import time; time.sleep(30)"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),
    )
    time.sleep(0.5)
    os.kill(sigkit.pid, signal.SIGHUP)
    out, err = sigkit.communicate(timeout=30)
    assert sigkit.returncode == 0, err
    assert "Ending:" in out
