"""Which files a ``sigkit lint PATH...`` run reads.

Named files and folders are always linted. Inside a folder, ``*.py`` files are found by
skipping what git would skip (every ``.gitignore`` from the repository root down), the usual
tool and virtualenv folders, and ``--exclude`` patterns (written like ``.gitignore`` lines,
relative to each folder named on the command line).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pathspec

from sigkit.errors import UsageError
from sigkit.lint.engine import NotSource, read_source

DEFAULT_EXCLUDES = (
    ".git/", ".hg/", ".svn/", ".venv/", "venv/", ".tox/", ".nox/", "__pycache__/",
    ".mypy_cache/", ".ruff_cache/", ".pytest_cache/", ".hypothesis/", "node_modules/",
    "build/", "dist/", "*.egg-info/",
)
GITIGNORE = ".gitignore"
SOURCE_SUFFIX = ".py"


@dataclass(frozen=True)
class IgnoreFile:
    """Patterns that apply below ``base`` (the folder of a ``.gitignore``, or a named root)."""

    base: str
    spec: pathspec.PathSpec

    def ignores(self, path: str, is_dir: bool) -> bool:
        relative = os.path.relpath(path, self.base).replace(os.sep, "/")
        return self.spec.match_file(relative + "/" if is_dir else relative)


def discover(paths: Sequence[str], excludes: Sequence[str] = ()) -> list[str]:
    """The files to lint, in a stable order, each once. A path that does not exist is a
    usage error."""
    for path in paths:
        if not os.path.exists(path):
            raise UsageError(f"no such file or directory: {path}")
    found: dict[str, None] = {}
    for path in paths:
        if os.path.isdir(path):
            found.update(dict.fromkeys(_python_files(path, excludes)))
        else:
            found[os.path.normpath(path)] = None
    return list(found)


def _python_files(root: str, excludes: Sequence[str]) -> Iterator[str]:
    root_rules = IgnoreFile(root, pathspec.GitIgnoreSpec.from_lines(
        [*DEFAULT_EXCLUDES, *excludes]))
    inherited = [rules for rules in _ancestor_gitignores(root) if not rules.ignores(root, True)]
    rules_of = {root: [*inherited, root_rules]}
    for folder, subfolders, filenames in os.walk(root):
        rules = rules_of.pop(folder)
        own = _read_gitignore(folder)
        if own is not None:
            rules = [*rules, own]
        subfolders[:] = sorted(name for name in subfolders
                               if not _ignored(os.path.join(folder, name), True, rules))
        for name in subfolders:
            rules_of[os.path.join(folder, name)] = rules
        for name in sorted(filenames):
            path = os.path.join(folder, name)
            if name.endswith(SOURCE_SUFFIX) and not _ignored(path, False, rules):
                yield os.path.normpath(path)


def _ignored(path: str, is_dir: bool, rules: Sequence[IgnoreFile]) -> bool:
    return any(rule.ignores(path, is_dir) for rule in rules)


def _ancestor_gitignores(root: str) -> list[IgnoreFile]:
    """The ``.gitignore`` files above ``root`` up to its repository's top (none outside a
    repository), outermost first. One that ignores ``root`` itself is dropped by the caller:
    a folder named on the command line is linted, like ripgrep and ruff do."""
    found: list[IgnoreFile] = []
    folder = os.path.dirname(os.path.abspath(root))
    while True:
        own = _read_gitignore(folder)
        if own is not None:
            found.append(own)
        if os.path.exists(os.path.join(folder, ".git")):
            return found[::-1]
        parent = os.path.dirname(folder)
        if parent == folder:
            return []
        folder = parent


def _read_gitignore(folder: str) -> IgnoreFile | None:
    try:  # read like a source file: a FIFO named .gitignore must not hang the run
        data = read_source(os.path.join(folder, GITIGNORE))
    except (NotSource, OSError):
        return None
    lines = data.decode("utf-8", "replace").splitlines()
    return IgnoreFile(folder, pathspec.GitIgnoreSpec.from_lines(lines))
