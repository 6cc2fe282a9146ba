"""Find real Python interpreters by version: ``"3.11"`` → ``~/.pyenv/versions/3.11.7/bin/python``.

Why not just run ``python3.11`` from PATH: on a pyenv machine that name is a *shim*, a shell script
that picks a version and then execs it — ~50 ms more per start, and a different process tree from
the one a user runs.  sigkit measures start-to-exit times, so it goes straight to the binary:
pyenv's ``versions/X.Y.Z/bin/python`` first (the newest patch release of X.Y), then ``pythonX.Y``
on PATH (shims skipped), or a path the user names.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sigkit.errors import UsageError

_RELEASE = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")  # pyenv version dirs; skips 3.13-dev, 3.13.0t...
_VERSION = re.compile(r"^(?:python)?(\d+)\.(\d+)(?:\.(\d+))?$")
_ON_PATH = re.compile(r"^python(\d+)\.(\d+)$")


def pyenv_root() -> Path:
    """``$PYENV_ROOT``, else what ``pyenv root`` says, else ``~/.pyenv``."""
    configured = os.environ.get("PYENV_ROOT")
    if configured:
        return Path(configured).expanduser()
    pyenv = shutil.which("pyenv")
    if pyenv is not None:
        try:
            answer = subprocess.run(
                [pyenv, "root"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            answer = ""
        if answer:
            return Path(answer)
    return Path("~/.pyenv").expanduser()


def _pyenv_releases() -> dict[tuple[int, int, int], Path]:
    """Every ``versions/X.Y.Z/bin/python`` that exists, keyed by (X, Y, Z)."""
    versions = pyenv_root() / "versions"
    found = {}
    if versions.is_dir():
        for folder in versions.iterdir():
            match = _RELEASE.match(folder.name)
            binary = folder / "bin" / "python"
            if match and _is_executable(binary):
                major, minor, patch = (int(part) for part in match.groups())
                found[(major, minor, patch)] = binary
    return found


def _on_path() -> dict[str, Path]:
    """``pythonX.Y`` executables on PATH (first one wins, as a shell would pick), minus shims."""
    shims = (pyenv_root() / "shims").resolve()
    found: dict[str, Path] = {}
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        folder = Path(directory or ".")
        if not folder.is_dir() or folder.resolve() == shims:
            continue
        for candidate in folder.glob("python*.*"):
            match = _ON_PATH.match(candidate.name)
            if match and _is_executable(candidate):
                found.setdefault(f"{match.group(1)}.{match.group(2)}", candidate)
    return found


def installed() -> dict[str, Path]:
    """``"X.Y"`` → interpreter, for every version found (pyenv's newest patch release wins)."""
    found = {}
    for (major, minor, _), binary in sorted(_pyenv_releases().items()):
        found[f"{major}.{minor}"] = binary  # sorted: a later patch release overwrites
    for version, binary in _on_path().items():
        found.setdefault(version, binary)
    return dict(sorted(found.items(), key=lambda item: _version_key(item[0])))


def resolve(spec: str) -> Path:
    """``"3.11"``, ``"3.11.7"``, ``"python3.11"``, a name on PATH or a path → an interpreter.

    Anything that cannot be found is a UsageError naming what is installed.
    """
    text = spec.strip()
    if not text:
        raise UsageError("empty interpreter name")
    if text.startswith(("~", ".")) or os.sep in text:
        path = Path(text).expanduser()
        if not _is_executable(path):
            raise UsageError(f"interpreter not found or not executable: {spec}")
        return path
    match = _VERSION.match(text)
    if match:
        major, minor, patch = match.groups()
        if patch is not None:
            exact = _pyenv_releases().get((int(major), int(minor), int(patch)))
            if exact is not None:
                return exact
        else:
            found = installed().get(f"{major}.{minor}")
            if found is not None:
                return found
    elif shutil.which(text) is not None:
        return Path(str(shutil.which(text)))
    known = ", ".join(installed()) or "none found"
    raise UsageError(f"unknown interpreter {spec!r} (installed: {known})")


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


CPYTHON, PYPY = "cpython", "pypy"
# Runs on 2.7 too (no sys.implementation there): PyPy always has the __pypy__ module.
_IDENTIFY = ("import sys; print('%s %d.%d' % ('pypy' if '__pypy__' in sys.builtin_module_names "
             "else 'cpython', sys.version_info[0], sys.version_info[1]))")


@dataclass(frozen=True, order=True)
class Identity:
    """Which Python an interpreter is: the implementation matters as much as the version
    (PyPy 3.9 runs the 3.9 standard library on its own GIL, signal and shutdown code)."""

    implementation: str  # "cpython" or "pypy"
    version: tuple[int, int]

    @property
    def label(self) -> str:
        """``3.11`` for CPython, ``pypy3.9`` for PyPy: the names the matrix and headers use."""
        number = f"{self.version[0]}.{self.version[1]}"
        return number if self.implementation == CPYTHON else f"{self.implementation}{number}"

    @property
    def sort_key(self) -> tuple[bool, tuple[int, int]]:
        """CPython versions first, in order, then the other implementations."""
        return self.implementation != CPYTHON, self.version


def implementation_of(name: str) -> str:
    """What the in-target probe reports (``platform.python_implementation()``), normalised."""
    return PYPY if name.lower() == PYPY else CPYTHON


@cache
def identify(python: str) -> Identity:
    """Ask the interpreter itself (a path says nothing reliable about what is behind it)."""
    try:
        done = subprocess.run([python, "-c", _IDENTIFY], capture_output=True, text=True,
                              timeout=30, check=True)
        implementation, version = done.stdout.split()
        major, minor = version.split(".")
        return Identity(implementation, (int(major), int(minor)))
    except (OSError, subprocess.SubprocessError, ValueError):
        raise UsageError(f"cannot run interpreter {python}") from None
