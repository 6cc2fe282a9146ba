"""sigkit's rules through the tools teams already run: flake8 (the ``flake8.extension`` entry
point) and pre-commit (the ``sigkit-lint`` hook of ``.pre-commit-hooks.yaml``). Both are driven as
a user drives them: the real executable, the installed entry point, a real git repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HAZARD = ("import signal\n"
          "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
          "try:\n    work()\nexcept:  # noqa: SK101\n    pass\n"
          "try:\n    work()\nexcept:\n    pass\n")


def flake8(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flake8", "--isolated", *args], cwd=cwd,
                          text=True, capture_output=True, timeout=120)


def test_flake8_reports_sk_codes_in_its_format_and_honours_noqa(tmp_path: Path) -> None:
    (tmp_path / "hazard.py").write_text(HAZARD)
    done = flake8("--select", "SK", "hazard.py", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        "hazard.py:2:1: SK103 SIGINT is set to SIG_IGN and never restored here: Ctrl-C does "
        "nothing from now on, in this process and in every child it starts",
        "hazard.py:9:1: SK101 bare `except:` catches KeyboardInterrupt and drops it: a Ctrl-C "
        "that lands in this `try` is lost",
    ]


def test_flake8_owns_the_noqa_and_the_selection(tmp_path: Path) -> None:
    """``--disable-noqa`` brings the silenced line back: flake8, not the plugin, applied it."""
    (tmp_path / "hazard.py").write_text(HAZARD)
    unsilenced = flake8("--select", "SK101", "--disable-noqa", "hazard.py", cwd=tmp_path)
    assert [line.split(":")[1] for line in unsilenced.stdout.splitlines()] == ["5", "9"]
    others = flake8("--select", "E9", "hazard.py", cwd=tmp_path)
    assert (others.returncode, others.stdout) == (0, "")


def test_pre_commit_try_repo_runs_the_sigkit_lint_hook(tmp_path: Path) -> None:
    """pre-commit builds the hook's virtualenv from this repository (about 15-40 s, once)."""
    if not (REPO / ".git").exists():
        pytest.skip("pre-commit try-repo needs sigkit as a git checkout (git clone it)")
    project = tmp_path / "project"
    project.mkdir()
    (project / "hazard.py").write_text(HAZARD)
    (project / "clean.py").write_text("print('hi')\n")
    git = ["git", "-c", "user.name=sigkit", "-c", "user.email=sigkit@localhost"]
    for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "start"]):
        subprocess.run([*git, *command], cwd=project, check=True, capture_output=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "sigkit-lint",
         "--files", "hazard.py", "clean.py"],
        cwd=project, env=env, text=True, capture_output=True, timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "sigkit lint (Ctrl-C hazards)" in done.stdout and "Failed" in done.stdout
    assert "hazard.py:2:1: SK103" in done.stdout
    assert "hazard.py:9:1: SK101" in done.stdout
    assert "hazard.py:5:" not in done.stdout  # sigkit's own noqa handling
    assert "Found 2 findings in 1 of 2 files (SK101: 1, SK103: 1)." in done.stdout
