"""Run a lab program as a child that can never outlive the experiment.

Each child gets its own session (so its own process group): whatever it forks -- the count
experiment's multiprocessing workers -- is killed with it, by one ``killpg``, whether the run
ended normally, timed out, or sigkit itself was interrupted.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from sigkit.errors import UsageError


class LabError(UsageError):
    """A lab program failed (bad interpreter, crash, timeout): one line for the user, exit 2."""


@contextmanager
def spawned(argv: Sequence[str], pass_fds: Sequence[int] = ()) -> Iterator[subprocess.Popen[str]]:
    """Start ``argv`` in a new session; on the way out, SIGKILL its whole group and reap it."""
    try:
        process = subprocess.Popen(
            list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True, pass_fds=tuple(pass_fds),
        )
    except OSError as error:
        raise LabError(f"cannot run {argv[0]}: {error.strerror}") from None
    try:
        yield process
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()


def run_json(argv: Sequence[str], timeout: float) -> dict[str, Any]:
    """Run a lab program to completion and parse the JSON line it prints last."""
    with spawned(argv) as process:
        return last_json(process, argv[0], timeout)


def last_json(process: subprocess.Popen[str], python: str, timeout: float) -> dict[str, Any]:
    """Wait for a lab program to end and parse the JSON line it printed last."""
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise LabError(f"{python} took longer than {timeout:g} s (killed)") from None
    if process.returncode != 0 or not out.strip():
        last = (err.strip().splitlines() or [f"exit code {process.returncode}"])[-1]
        raise LabError(f"{python} failed: {last}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def wait_readable(fd: int, timeout: float, what: str) -> None:
    """Wait until ``fd`` has something to read; a program that does not ``what`` is an error."""
    readable, _, _ = select.select([fd], [], [], timeout)
    if not readable:
        raise LabError(f"the lab program did not {what} within {timeout:g} s (killed)")


def wait_ready(process: subprocess.Popen[str], python: str, timeout: float = 30.0) -> None:
    """Wait for the ``ready`` line a lab program prints once its threads run."""
    assert process.stdout is not None
    wait_readable(process.stdout.fileno(), timeout, "start")
    if process.stdout.readline().strip() != "ready":
        raise LabError(f"{python} could not run the lab program")


def interpreter_version(python: str) -> str:
    """``X.Y.Z`` of ``python`` (2.7-safe), for the table."""
    code = "import json, platform; print(json.dumps({'v': platform.python_version()}))"
    return str(run_json([python, "-c", code], timeout=30)["v"])
