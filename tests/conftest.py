"""Shared fixtures: real interpreters, and a guard that no test leaves a process behind."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import psutil
import pytest

from sigkit import orphans

# Every process started during this test session inherits this marker, escaped ones included.
SESSION_MARKER = "SIGKIT_TEST_SESSION"
os.environ[SESSION_MARKER] = uuid.uuid4().hex
# A process that clears its environment escapes the marker, not the process tree: as a child
# subreaper, this session adopts every orphaned descendant, whatever it did to its environment.
SUBREAPER = orphans.set_subreaper(True)

REPO = Path(__file__).resolve().parent.parent
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


def install_hint(version: str) -> str:
    return (f"needs Python {version}, not installed here: `pyenv install {version}` "
            f"(looked in {PYENV_VERSIONS})")


def require(version: str) -> str:
    """The real binary of pyenv's ``version``, or skip this test naming what to install."""
    python = interpreter(version)
    if python is None:
        pytest.skip(install_hint(version))
    return python


def leftovers() -> list[psutil.Process]:
    """Live processes of this session: marked ones, and adopted ones (reaping adopted zombies)."""
    marker = os.environ[SESSION_MARKER]
    found = {proc.pid: proc for proc in orphans.adopted(started_after=0.0)}
    orphans.reap_adopted(started_after=0.0)
    for proc in psutil.process_iter():
        try:
            if proc.pid == os.getpid() or proc.status() == psutil.STATUS_ZOMBIE:
                continue
            if proc.environ().get(SESSION_MARKER) == marker:
                found[proc.pid] = proc
        except (psutil.Error, OSError):
            continue
    return list(found.values())


def describe(proc: psutil.Process) -> str:
    try:
        return f"{proc.pid} {' '.join(proc.cmdline())}"
    except psutil.Error:
        return f"{proc.pid} (gone while being described)"


@pytest.fixture(autouse=True)
def no_process_left_behind():
    """Fail any test after which a process it (or sigkit) started is still alive; then kill it."""
    yield
    # A process the test has just SIGKILLed can still be on its way out (and, adopted by this
    # session, waiting to be reaped): one second to finish dying before it counts as left.
    _, left = psutil.wait_procs(leftovers(), timeout=1.0)
    if left:
        described = [describe(proc) for proc in left]
        for proc in left:
            with contextlib.suppress(psutil.Error):
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


SigkitHere = Callable[[list[str]], tuple[int, str, str]]


@pytest.fixture(scope="session")
def sigkit_here() -> SigkitHere:
    """``sigkit_here(argv)`` → (exit status, stdout, stderr): the real entry point
    (``sigkit.cli.main``) in this process, for many quick runs or a failure patched in."""
    from sigkit import interrupts
    from sigkit.cli import main

    def run(argv: list[str]) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        saved = {signum: signal.getsignal(signum) for signum in interrupts.STOP_SIGNALS}
        old_argv = sys.argv
        sys.argv = ["sigkit", *argv]
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    main()
                    status = 0
                except SystemExit as done:
                    status = done.code if isinstance(done.code, int) else 1
        finally:
            sys.argv = old_argv
            for signum, handler in saved.items():
                signal.signal(signum, handler)
        return status, out.getvalue(), err.getvalue()

    return run


@pytest.fixture(scope="session")
def docs_generator() -> ModuleType:
    """``docs/generate.py`` (not a package: loaded from its file), once per session."""
    spec = importlib.util.spec_from_file_location("docs_generate", REPO / "docs" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


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


def _unbacked(trial) -> list[str]:
    """Claims in a trial's findings that its own evidence contradicts (empty: all backed).

    Each check pairs a sentence a rule may write with the measurement that must hold for it.
    """
    import re

    from sigkit.diagnose.evidence import from_trial
    from sigkit.diagnose.rules.graceful import accepted

    ev = from_trial(trial)
    problems = []
    frames = {(Path(f.filename).name, f.line) for pid in {ev.pid, *ev.tree}
              for t in ev.stacks_of(pid) for f in t.frames}
    files = {name for name, _ in frames}
    # The probe saw these files call signal.signal(): a finding may name them too.
    files |= {Path(where.rpartition(":")[0]).name for _, _, where in ev.handlers_set}
    children_ignore = bool(ev.children) and all(c.ignores("SIGINT") for c in ev.children)
    for finding in trial.findings:
        said = " ".join([*finding.evidence, finding.fix])
        where = f"{finding.cause}: "
        if children_ignore and ("initializer" in finding.fix
                                or re.search(r"workers? (got|get) a KeyboardInterrupt", said)):
            problems.append(where + "says workers get KeyboardInterrupt; every child ignores SIGINT")
        if ev.wakeup_replaced and "no C-level handler ran" in said:
            problems.append(where + "says no C handler ran; the program replaced the wakeup fd")
        for name, line in re.findall(r"([\w.-]+\.py):(\d+)", said):
            if name not in files:
                problems.append(where + f"names {name}:{line}, a file on no stack")
        cleaning = re.search(r"still cleaning up at ([\w.-]+\.py):(\d+)", said)
        if cleaning and (cleaning.group(1), int(cleaning.group(2))) not in frames:
            problems.append(where + f"cleaning up at {cleaning.group(0)}: no such frame")
        if "stopped gracefully" in said and trial.presses_to_exit != 1:
            problems.append(where + "says it stopped by itself; a later rung ended it")
        if "forced" in said and not (trial.presses_to_exit or 0) > 1:
            problems.append(where + "says a later rung forced it; the first signal ended it")
        for count, port in re.findall(r"(\d+) connections? open on :(\d+)", said):
            seen = [accepted(look.connections, trial.at_press.connections if trial.at_press else [])
                    for look in [*([trial.at_press] if trial.at_press else []), *trial.looks]]
            if not any(sum(c.local.endswith(":" + port) for c in found) == int(count)
                       for found in seen):
                problems.append(where + f"{count} connection(s) on :{port}: no look saw that")
    return problems


@pytest.fixture(scope="session")
def unbacked_claims():
    """``unbacked_claims(trial)`` → the claims in its findings that its evidence contradicts."""
    return _unbacked
