"""Behaviour-named target programs the tests run (as py-spy's tests/scripts): one file each.

``check_apps/`` is the sample project of the ``sigkit check`` tests: small apps whose names say
how they answer Ctrl-C (test_check_samples.py pins down that each really does).
"""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).parent
CHECK_APPS = HERE / "check_apps"
# slow.py cannot say "ready" from inside its long C call: press this long after its line.
AFTER = {"slow.py": 0.3}


def path(name: str) -> str:
    """The path of ``tests/programs/NAME.py`` as a string, for a command line."""
    return str(HERE / f"{name}.py")


def write_apps(folder: Path) -> None:
    """Copy the check sample apps into ``folder`` (a check's working directory)."""
    for app in CHECK_APPS.glob("*.py"):
        shutil.copy(app, folder / app.name)
