"""Interpreter resolution: real pyenv binaries on this machine, and fake trees for the rules."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import interpreter, require

from sigkit import interpreters
from sigkit.errors import UsageError


def executable(path: Path, body: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    path.chmod(0o755)
    return path


@pytest.fixture
def fake_pyenv(tmp_path, monkeypatch) -> Path:
    """A pyenv root with 3.10.1, 3.10.9, 3.10.12, a dev build, a free-threaded build, and shims."""
    root = tmp_path / "pyenv"
    for version in ("3.10.1", "3.10.12", "3.10.9", "3.13-dev", "3.13.0t"):
        executable(root / "versions" / version / "bin" / "python")
    (root / "versions" / "3.12.0" / "bin").mkdir(parents=True)  # broken: no binary
    executable(root / "shims" / "python3.10")
    executable(root / "shims" / "python3.12")
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PYENV_ROOT", str(root))
    monkeypatch.setenv("PATH", f"{root / 'shims'}:{tmp_path / 'bin'}")  # no system pythons
    return root


def test_versions_resolve_to_real_binaries_on_this_machine():
    """Not the shim: the binary itself, which reports the version asked for."""
    for version in ("2.7", "3.6", "3.11", "3.13"):
        require(version)
    for version in ("2.7", "3.11", "3.13"):
        path = interpreters.resolve(version)
        assert str(path) == interpreter(version)
        answer = subprocess.run([str(path), "-c", "import sys; print(sys.version_info[:2])"],
                                capture_output=True, text=True, check=True).stdout
        assert answer.strip() == str(tuple(int(p) for p in version.split(".")))
    assert interpreters.resolve("python3.11") == interpreters.resolve("3.11")
    assert set(interpreters.installed()) >= {"2.7", "3.6", "3.11", "3.13"}


def test_newest_patch_release_wins_numerically(fake_pyenv):
    found = interpreters.installed()
    assert found == {"3.10": fake_pyenv / "versions" / "3.10.12" / "bin" / "python"}
    assert interpreters.resolve("3.10.9") == fake_pyenv / "versions" / "3.10.9" / "bin" / "python"


def test_shims_are_never_picked(fake_pyenv):
    with pytest.raises(UsageError, match=r"unknown interpreter '3\.12' \(installed: 3\.10\)"):
        interpreters.resolve("3.12")


def test_python_x_y_on_path_when_pyenv_lacks_it(fake_pyenv, tmp_path, monkeypatch):
    other = executable(tmp_path / "bin" / "python3.99")
    executable(tmp_path / "bin" / "python3.99-config")
    assert interpreters.resolve("3.99") == other
    assert interpreters.resolve("python3.99") == other
    assert list(interpreters.installed()) == ["3.10", "3.99"]


def test_paths_and_names_on_path(tmp_path, fake_pyenv):
    script = executable(tmp_path / "my python")
    assert interpreters.resolve(str(script)) == script
    pypy = executable(tmp_path / "bin" / "pypy3")
    assert interpreters.resolve("pypy3") == pypy
    (tmp_path / "plain").write_text("")
    for spec in (str(tmp_path / "plain"), str(tmp_path / "missing"), "./nope"):
        with pytest.raises(UsageError, match="interpreter not found or not executable"):
            interpreters.resolve(spec)
    for spec in ("3.5", "3.10.4", "3", "no-such-python", ""):
        with pytest.raises(UsageError):
            interpreters.resolve(spec)


def test_pyenv_root_asks_pyenv_then_falls_back_to_home(tmp_path, monkeypatch):
    monkeypatch.delenv("PYENV_ROOT", raising=False)
    elsewhere = tmp_path / "elsewhere"
    executable(tmp_path / "bin" / "pyenv", f"#!/bin/sh\necho {elsewhere}\n")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert interpreters.pyenv_root() == elsewhere
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert interpreters.pyenv_root() == tmp_path / "home" / ".pyenv"
    assert interpreters.installed() == {}
