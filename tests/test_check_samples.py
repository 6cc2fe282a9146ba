"""The sample project the check tests build: small apps with known Ctrl-C behaviour.

The other check tests import these; the tests here pin down that each app really behaves as its
name says (on the engine alone), so a failure elsewhere points at sigkit check, not at the app.
Each app prints its readiness line only once it is where the Ctrl-C should land (inside the
``try``, after installing its handler): pressed any earlier, the press would test something else.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from sigkit.launch import ProbeOptions, probe

APPS = {
    # Ends on the first Ctrl-C through an unhandled KeyboardInterrupt (death by SIGINT on 3.8+).
    "good.py": """
        import time
        print("ready", flush=True)
        time.sleep(30)
    """,
    # Catches KeyboardInterrupt and exits quietly with the conventional status 130.
    "polite.py": """
        import sys, time
        try:
            print("ready", flush=True)
            time.sleep(30)
        except KeyboardInterrupt:
            print("bye")
            sys.exit(130)
    """,
    # Swallows the first Ctrl-C: needs two presses.
    "stubborn.py": """
        import signal, time
        presses = []
        def on_int(signum, frame):
            presses.append(signum)
            if len(presses) == 1:
                print("ignoring the first Ctrl-C", flush=True)
                return
            raise KeyboardInterrupt
        signal.signal(signal.SIGINT, on_int)
        print("ready", flush=True)
        while True:
            time.sleep(0.05)
    """,
    # Ends on the first Ctrl-C but leaves a child that ignores SIGINT and the terminal's SIGHUP.
    "leaky.py": """
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c",
            "import signal, sys, time\\n"
            "signal.signal(signal.SIGINT, signal.SIG_IGN)\\n"
            "signal.signal(signal.SIGHUP, signal.SIG_IGN)\\n"
            "print('child up', flush=True)\\n"
            "time.sleep(60)\\n"])
        time.sleep(0.3)
        print("ready", flush=True)
        time.sleep(30)
    """,
    # The main thread is inside one long C call (no signal checks) when Ctrl-C comes: the
    # Python handler waits for the rest of the call, about a second here.  It cannot say
    # "ready" from inside the call, so the probe presses AFTER["slow.py"] s after its line.
    "slow.py": """
        print("ready", flush=True)
        sum(range(10 ** 8))
    """,
    # Ctrl-C interrupts join(); on 3.9-3.12 the interpreter then exits without waiting for the
    # non-daemon worker, whose work is lost.  The worker says "ready": main is in join() by then.
    "lossy.py": """
        import threading, time
        def work():
            time.sleep(0.1)
            print("ready", flush=True)
            while True:
                time.sleep(0.05)
        worker = threading.Thread(target=work, name="worker")
        worker.start()
        worker.join()
    """,
}
AFTER = {"slow.py": 0.3}


def write_apps(folder: Path) -> None:
    for name, source in APPS.items():
        (folder / name).write_text(textwrap.dedent(source))


def write_config(path: Path, python: str, checks: str, pyproject: bool = True) -> Path:
    """A pyproject.toml (``[[tool.sigkit.check]]``) or sigkit.toml (``[[check]]``) with ``checks``,
    in which ``{python}`` is the interpreter and ``[[check]]`` headers are written short."""
    body = textwrap.dedent(checks).replace("{python}", python)
    if pyproject:
        body = '[project]\nname = "sample"\n\n' + body.replace("[[check]]", "[[tool.sigkit.check]]")
    path.write_text(body)
    return path


def run_app(folder: Path, python: str, name: str, deadline: float = 0.5):
    return probe(ProbeOptions([python, name], expect="ready", after=AFTER.get(name),
                              deadline=deadline, interval=0.5, cwd=str(folder)))


def test_sample_apps_behave_as_named(tmp_path, py311):
    write_apps(tmp_path)
    good = run_app(tmp_path, py311, "good.py")
    assert (good.verdict, good.ended_by, good.exit_signal) == ("ki", "KeyboardInterrupt", "SIGINT")
    polite = run_app(tmp_path, py311, "polite.py")
    assert (polite.verdict, polite.exit_code) == ("exit", 130)
    stubborn = run_app(tmp_path, py311, "stubborn.py")
    assert stubborn.presses_to_exit == 2
    leaky = run_app(tmp_path, py311, "leaky.py")
    assert leaky.verdict == "ki"
    assert [o.name for o in leaky.orphans] == ["python"]
    slow = run_app(tmp_path, py311, "slow.py", deadline=5.0)
    latency_ms = (slow.presses[0].handler_ns - slow.presses[0].sent_ns) / 1e6
    assert slow.verdict == "ki" and latency_ms > 100
    lossy = run_app(tmp_path, py311, "lossy.py")
    assert (lossy.verdict, lossy.lost_threads) == ("ki", ["worker"])
