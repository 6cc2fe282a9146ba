"""Which files ``sigkit lint`` reads: .gitignore, default and ``--exclude`` patterns."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SigkitCLI

from sigkit.errors import UsageError
from sigkit.lint import discover


def make(root: Path, *files: str, content: str = "") -> None:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def relative(found: list[str], root: Path) -> list[str]:
    return [str(Path(path).relative_to(root)) for path in found]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository top (``.git`` marks it) with the ignore files git would honour."""
    (tmp_path / ".git").mkdir()
    make(tmp_path, "app/main.py", "app/models_pb2.py", "app/generated/api.py", "app/notes.txt",
         "app/sub/keep.py", "app/sub/scratch.py", "app/sub/important.py",
         ".venv/lib/site.py", "app/__pycache__/main.py", "build/lib/copy.py")
    (tmp_path / ".gitignore").write_text("*_pb2.py\ngenerated/\n")
    (tmp_path / "app" / "sub" / ".gitignore").write_text("*.py\n!keep.py\n!important.py\n")
    return tmp_path


def test_gitignore_files_from_the_top_down_and_default_excludes(repo: Path) -> None:
    assert relative(discover([str(repo)]), repo) == [
        "app/main.py", "app/sub/important.py", "app/sub/keep.py"]


def test_gitignore_above_the_folder_named_applies(repo: Path) -> None:
    assert relative(discover([str(repo / "app")]), repo) == [
        "app/main.py", "app/sub/important.py", "app/sub/keep.py"]


def test_exclude_patterns_are_relative_to_the_folder_named(repo: Path) -> None:
    found = discover([str(repo / "app")], ["sub/important.py", "main.py"])
    assert relative(found, repo) == ["app/sub/keep.py"]


def test_named_files_are_linted_even_when_ignored(repo: Path) -> None:
    named = [str(repo / "app" / "models_pb2.py"), str(repo / "app" / "notes.txt")]
    assert relative(discover(named, ["*.py"]), repo) == ["app/models_pb2.py", "app/notes.txt"]


def test_a_named_folder_inside_an_ignored_one_is_linted(repo: Path) -> None:
    assert relative(discover([str(repo / "app" / "generated")]), repo) == ["app/generated/api.py"]


def test_no_gitignore_above_a_folder_outside_a_repository(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.py\n")  # not a repository: git would not read it
    make(tmp_path, "project/a.py")
    assert relative(discover([str(tmp_path / "project")]), tmp_path) == ["project/a.py"]


def test_each_file_once_in_the_order_given(repo: Path) -> None:
    main = str(repo / "app" / "main.py")
    found = discover([main, str(repo / "app"), main])
    assert relative(found, repo) == ["app/main.py", "app/sub/important.py", "app/sub/keep.py"]


def test_paths_keep_the_spelling_they_were_given(repo: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "app")
    assert discover(["."]) == ["main.py", "sub/important.py", "sub/keep.py"]


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no such file or directory: .*nothing-here"):
        discover([str(tmp_path), str(tmp_path / "nothing-here")])


def special_files(root: Path) -> dict[str, str]:
    """Things named like sources that must not be read: a FIFO (blocks open and read forever),
    a FIFO in place of .gitignore, and a file past the size limit."""
    import os

    from sigkit.lint.engine import MAX_SOURCE_BYTES

    os.mkfifo(root / "pipe.py")
    (root / "sub").mkdir()
    os.mkfifo(root / "sub" / ".gitignore")
    make(root, "sub/ok.py", content="x = 1\n")
    with open(root / "huge.py", "wb") as big:
        big.truncate(MAX_SOURCE_BYTES + 1)
    return {"pipe.py": "not a regular file (a FIFO)", "huge.py": "larger than 10 MiB"}


def test_fifos_devices_and_huge_files_are_sk001_with_a_reason(sigkit: SigkitCLI,
                                                              tmp_path: Path) -> None:
    """Through the CLI with a timeout: reading a FIFO would hang, not fail."""
    import json

    expected = special_files(tmp_path)
    done = sigkit("lint", "--format", "json", str(tmp_path), "/dev/zero", timeout=60)
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    reasons = {Path(f["path"]).name: f["message"] for f in document["findings"]}
    assert {f["code"] for f in document["findings"]} == {"SK001"}
    for name, reason in expected.items():
        assert reason in reasons[name]
    assert "not a regular file (a character device)" in reasons["zero"]
    assert document["files_checked"] == 4  # pipe.py, huge.py, sub/ok.py, /dev/zero
