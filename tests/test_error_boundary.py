"""Bad input (exit 2) and a measurement sigkit could not set up (exit 3) are told apart.

"Could not measure" is the machine's failure -- no pty left, no probe socket -- and must never
read as a finding about the program, nor as a mistake in the user's command line.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import SigkitCLI, SigkitHere
from ptyprocess import ptyprocess


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """sigkit's temporary folders go here, so a test sees whether one was left behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_no_pty_left_is_could_not_measure(sigkit_here: SigkitHere, private_tmp: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The pty allocation fails as it does when the process is out of file descriptors."""
    calls = []

    def out_of_descriptors() -> tuple[int, int]:
        calls.append(True)
        raise OSError(errno.EMFILE, os.strerror(errno.EMFILE))

    monkeypatch.setattr(ptyprocess.pty, "fork", out_of_descriptors)
    status, out, err = sigkit_here(["probe", "--", sys.executable, "-c", "pass"])
    assert calls, "the failure was not reached: the test proves nothing"
    assert status == 3, err
    line = one_line(err)
    assert line.startswith("sigkit: could not measure: ")
    assert os.strerror(errno.EMFILE) in line
    assert "Traceback" not in out + err
    assert list(private_tmp.iterdir()) == []  # the probe socket's folder was removed


def test_a_file_exec_refuses_is_bad_input(sigkit_here: SigkitHere, tmp_path: Path) -> None:
    """Executable but not a program (no #! line): exec(2) says ENOEXEC -- the user's to fix."""
    script = tmp_path / "not-a-program"
    script.write_text("echo hello\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    status, _, err = sigkit_here(["probe", "--", str(script)])
    assert status == 2, err
    line = one_line(err)
    assert line.startswith("sigkit: error: cannot run ")
    assert os.strerror(errno.ENOEXEC) in line


def test_a_socket_path_too_long_is_could_not_measure(sigkit: SigkitCLI, tmp_path: Path) -> None:
    """A real failure, nothing patched: $TMPDIR so deep that the probe socket's path exceeds
    AF_UNIX's 108 bytes, so bind() fails before anything is spawned."""
    deep = tmp_path / ("d" * 120)
    deep.mkdir()
    result = sigkit("probe", "--", sys.executable, "-c", "pass", env={"TMPDIR": str(deep)})
    assert result.returncode == 3, result.stderr
    line = one_line(result.stderr)
    assert line.startswith("sigkit: could not measure: could not bind the probe socket")
    assert list(deep.iterdir()) == []
