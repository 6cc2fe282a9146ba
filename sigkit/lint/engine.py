"""Linting one file: read, decode, parse, run the rules whose trigger appears, apply noqa."""

from __future__ import annotations

import ast
import gc
import io
import os
import re
import stat
import tokenize
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sigkit.lint.catalog import SYNTAX_ERROR, UNREADABLE
from sigkit.lint.findings import Finding
from sigkit.lint.index import ModuleIndex
from sigkit.lint.noqa import silences
from sigkit.lint.rule import Rule

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what Python counts as a new line (not \f, \x1c...)


class _Unparsable(Exception):
    """The source could not be decoded or parsed: (message, line, col)."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.col = col


def lint_file(path: str, rules: Sequence[Rule]) -> list[Finding]:
    """Findings for the file at ``path``; a file that cannot be read is reported as SK001."""
    try:
        data = read_source(path)
    except NotSource as problem:
        return [Finding(path, 1, 1, UNREADABLE.code, f"not linted: {problem}")]
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return [Finding(path, 1, 1, UNREADABLE.code, f"cannot read file: {reason}")]
    return lint_source(data, path, rules)


MAX_SOURCE_BYTES = 10 * 1024 * 1024  # far above hand-written code; generated blobs are skipped


class NotSource(Exception):
    """The path is not something to read as source: a FIFO, a device, a huge file."""


def read_source(path: str) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_SOURCE_BYTES`.

    Opened non-blocking and checked on the open descriptor (no gap between looking and
    reading): a FIFO would block ``open`` and ``read`` forever, ``/dev/zero`` never ends.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotSource(f"not a regular file ({_kind(info.st_mode)})")
        if info.st_size > MAX_SOURCE_BYTES:
            raise NotSource(f"larger than {MAX_SOURCE_BYTES // 2**20} MiB "
                             f"({info.st_size / 2**20:.1f} MiB)")
        data = file.read(MAX_SOURCE_BYTES + 1)
        if len(data) > MAX_SOURCE_BYTES:  # it grew while being read
            raise NotSource(f"larger than {MAX_SOURCE_BYTES // 2**20} MiB")
        return data


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "a special file"


def lint_source(source: str | bytes, path: str, rules: Sequence[Rule],
                noqa: bool = True) -> list[Finding]:
    """Findings for ``source`` (bytes honour a ``# -*- coding: ... -*-`` line, as Python does),
    sorted by position; a source that does not parse gives one SK000 finding. ``noqa=False``
    leaves ``# noqa`` comments to the caller (flake8 applies its own)."""
    with _cyclic_gc_paused():
        return _lint(source, path, rules, noqa)


def _lint(source: str | bytes, path: str, rules: Sequence[Rule], noqa: bool) -> list[Finding]:
    try:
        text = _decode(source)
        tree = _parse(text, path)
    except _Unparsable as problem:
        return [Finding(path, problem.line, problem.col, SYNTAX_ERROR.code, str(problem))]
    lines = _LINE_BREAK.split(text)
    findings = _check(tree, text, lines, path, rules)
    if not findings or not noqa:
        return sorted(findings)
    return sorted(finding for finding in findings if not _silenced(lines, finding))


def _decode(source: str | bytes) -> str:
    if isinstance(source, str):
        return source
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        return source.decode(encoding)
    except SyntaxError as error:
        raise _Unparsable(f"syntax error: {error.msg}") from None
    except (UnicodeDecodeError, LookupError) as error:
        raise _Unparsable(f"syntax error: cannot decode the file ({error})") from None


def _parse(text: str, path: str) -> ast.Module:
    """``ast.parse`` with its compile-time warnings silenced (they are not ours to report)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text, filename=path)
    except SyntaxError as error:
        raise _Unparsable(f"syntax error: {error.msg}", error.lineno or 1,
                          max(error.offset or 1, 1)) from None
    except ValueError as error:  # source code string cannot contain null bytes (before 3.12)
        raise _Unparsable(f"syntax error: {error}") from None
    except (RecursionError, MemoryError):
        raise _Unparsable("syntax error: too deeply nested for the parser") from None


def _check(tree: ast.Module, text: str, lines: list[str], path: str,
           rules: Sequence[Rule]) -> list[Finding]:
    """Runs the rules whose trigger appears in the text; the index is built only if one does."""
    appears: dict[re.Pattern[str], bool] = {}  # rules share triggers: search each one once
    for trigger in {trigger for rule in rules for trigger in rule.triggers}:
        appears[trigger] = trigger.search(text) is not None
    triggered = [rule for rule in rules if any(appears[trigger] for trigger in rule.triggers)]
    if not triggered:
        return []
    index = ModuleIndex(tree)
    return [hit.at(path, rule.code, lines) for rule in triggered for hit in rule.check(index)]


def _silenced(lines: list[str], finding: Finding) -> bool:
    return 0 < finding.line <= len(lines) and silences(lines[finding.line - 1], finding.code)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """ASTs are trees: many thousands of fresh nodes that hold no reference cycles. Python's
    cyclic garbage collector would still scan them over and over while they are built and
    used (about a fifth of the run); reference counting alone frees them, so the collector
    waits until the tree is gone."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
