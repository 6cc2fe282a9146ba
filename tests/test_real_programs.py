"""Real programs stopped the way their managers stop them, where sigkit's verdict was once wrong
(benchmarks/real_programs.py measures the whole set against the truth without sigkit).

Each test establishes the ground truth itself: the processes left behind exist (psutil saw them
before sigkit killed them), the handler the signal met is the program's own.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sigkit.cli.probe import options_from_cli
from sigkit.launch import ProbeOptions
from sigkit.trials import judged

PROGRAMS = Path(__file__).parent / "programs"


def stopped(command: list[str], stop: str, grace: float = 1.5, env=None) -> ProbeOptions:
    """What `sigkit probe --stop STOP --grace G --expect ready -- CMD` builds."""
    options = options_from_cli(command, "ready", None, grace, None, None, 0.5, False, stop,
                               None, False)
    options.cwd = str(PROGRAMS)
    options.env = {"SIGKIT_SLOW": "30", **(env or {})}
    return options


def test_a_pool_whose_parent_dies_of_sigterm_leaves_its_workers_and_says_why(py311):
    """`kill PID` on a `with Pool()` script: the parent dies by SIGTERM's default action before
    its `with` exit or multiprocessing's atexit hook can terminate the workers, which stay (in
    the program's own session: nothing escaped)."""
    trial = judged(stopped([py311, str(PROGRAMS / "pool_map_slow.py")], "kill"))
    assert trial.exit_signal == "SIGTERM" and trial.presses_to_exit == 1
    assert len(trial.orphans) == 2  # ground truth: the two workers outlived their parent
    assert not any(o.escaped_session for o in trial.orphans)
    found = {f.cause: f for f in trial.findings}
    assert "multiprocessing.util._exit_function" in " ".join(found["sigterm-default"].evidence)
    orphans = found["orphans"]
    assert "setsid" not in " ".join(orphans.evidence)  # they never left the session
    assert "default action" in orphans.fix and "main process only" in orphans.fix


def test_the_program_that_is_the_library_owns_its_handler(tmp_path):
    """`python -m workerlib`: its SIGTERM handler is the program's own design (as celery's
    worker turns SIGTERM into a warm shutdown), not a library that took the signal from it."""
    package = tmp_path / "site-packages" / "workerlib"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text(
        "import signal, time\n"
        "signal.signal(signal.SIGTERM, lambda signum, frame: print('draining', flush=True))\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n")
    options = stopped([sys.executable, "-m", "workerlib"], "docker", grace=1.0,
                      env={"PYTHONPATH": str(package.parent)})
    trial = judged(options)
    assert "draining" in trial.output  # ground truth: the package's own handler ran
    named = {f.cause for f in trial.findings}
    assert "grace-overrun" in named and "handler-replaced" not in named
