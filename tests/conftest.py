"""Shared fixtures: real interpreters, and a guard that no test leaves a process behind."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

# Every process started during this test session inherits this marker, escaped ones included.
SESSION_MARKER = "SIGKIT_TEST_SESSION"
os.environ[SESSION_MARKER] = uuid.uuid4().hex

PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))) / "versions"


def interpreter(prefix: str) -> str | None:
    """The real binary of an installed pyenv version ("2.7", "3.13"), or None."""
    if not PYENV_VERSIONS.is_dir():
        return None
    for folder in sorted(PYENV_VERSIONS.iterdir()):
        binary = folder / "bin" / "python"
        if folder.name.startswith(prefix + ".") and binary.exists():
            return str(binary)
    return None


def leftovers() -> list[psutil.Process]:
    marker = os.environ[SESSION_MARKER]
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.pid == os.getpid() or proc.status() == psutil.STATUS_ZOMBIE:
                continue
            if proc.environ().get(SESSION_MARKER) == marker:
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


@pytest.fixture(autouse=True)
def no_process_left_behind():
    """Fail any test after which a process it (or sigkit) started is still alive; then kill it."""
    yield
    left = leftovers()
    if left:
        described = [f"{p.pid} {' '.join(p.cmdline())}" for p in left]
        for proc in left:
            proc.kill()
        psutil.wait_procs(left, timeout=2)
        pytest.fail(f"processes left behind: {described}")


SigkitCLI = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture(scope="session")
def sigkit() -> SigkitCLI:
    """``sigkit(*args, cwd=None, env=None, timeout=120)``: the real entry point in a subprocess.

    The terminal is pinned (200 columns, no colour) so that what a test reads does not depend on
    the terminal pytest happens to run in.
    """

    def run(*args: str, cwd: str | os.PathLike[str] | None = None,
            env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "PYTHON_COLORS": "0",
                       **(env or {})}
        return subprocess.run([sys.executable, "-m", "sigkit", *args], cwd=cwd, env=environment,
                              capture_output=True, text=True, timeout=timeout)

    return run


@pytest.fixture(scope="session")
def py311() -> str:
    """The interpreter for behavioural tests: 3.11 as the brief says, else whatever runs pytest."""
    return interpreter("3.11") or sys.executable


@pytest.fixture(scope="session")
def scenario_trial():
    """``scenario_trial(name, fixed=False, python=None)`` → a Trial, probed once per session.

    Several test modules look at the same scenario runs (behaviour vs header, diagnosis): the
    probes are the slow part, so they are shared.
    """
    from sigkit import scenarios
    from sigkit.launch import ProbeOptions
    from sigkit.scenario_run import scenario_options

    cache: dict[tuple[str, bool, str], object] = {}
    base = ProbeOptions(command=[], deadline=2.0, interval=0.5)

    def run(name: str, fixed: bool = False, python: str | None = None):
        from sigkit.launch import probe

        python = python or interpreter("3.11") or sys.executable
        key = (name, fixed, python)
        if key not in cache:
            scenario = scenarios.get(name)
            cache[key] = probe(scenario_options(scenario, python, fixed, (), base))
        return cache[key]

    return run
