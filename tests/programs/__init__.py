"""Behaviour-named target programs the tests run (as py-spy's tests/scripts): one file each.

``check_apps/`` is the sample project of the ``sigkit check`` tests: small apps whose names say
how they answer Ctrl-C (test_check_samples.py pins down that each really does).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import psutil

HERE = Path(__file__).parent
CHECK_APPS = HERE / "check_apps"
LYING_SCENARIOS = HERE / "lying_scenarios"  # a scenario whose header promises what it does not do


def path(name: str) -> str:
    """The path of ``tests/programs/NAME.py`` as a string, for a command line."""
    return str(HERE / f"{name}.py")


def write_apps(folder: Path) -> None:
    """Copy the check sample apps into ``folder`` (a check's working directory)."""
    for app in CHECK_APPS.glob("*.py"):
        shutil.copy(app, folder / app.name)


def carrying(token: str, besides: int = 0) -> list[psutil.Process]:
    """Live processes whose argv holds ``token``, ``besides`` aside (a sigkit started with the
    token in its own argv). The hostile programs pass their extra argv words on to every process
    they start, daemons that clear their environment included."""
    found = []
    for proc in psutil.process_iter():
        try:
            if (proc.pid != besides and token in proc.cmdline()
                    and proc.status() != psutil.STATUS_ZOMBIE):
                found.append(proc)
        except psutil.Error:
            continue
    return found
