"""The user's source behind the stacks: the line a frame is on, and what ``sigkit lint`` says.

Runtime evidence says *where* the program was; the source says *what it does there*.  A fix
that quotes ``worker.join()`` at ``app.py:51`` teaches more than one about "a join somewhere".
The static rules are ``sigkit lint``'s own (SK1xx), run only on the files the stacks point at.
"""

from __future__ import annotations

import ast
import io
import linecache
import os
import re
import tokenize
from dataclasses import dataclass

from sigkit.diagnose.evidence import Evidence, is_probe_frame
from sigkit.lint import RULES, lint_file
from sigkit.stacks import Frame, is_library

_RECEIVER = re.compile(r"([A-Za-z_][\w.]*(?:\[[^\]]*\])?)\s*\.\s*(\w+)\s*\(")


def line_of(evidence: Evidence, frame: Frame) -> str | None:
    """The code on the line a frame is on (comment dropped), or None if it cannot be read or
    the line is only approximate (PyPy's stacks)."""
    if evidence.approximate_lines:
        return None
    text = linecache.getline(evidence.resolve(frame.filename), frame.line).strip()
    return _without_comment(text) or None


def _without_comment(line: str) -> str:
    """``x.join()  # wait`` → ``x.join()``; a ``#`` inside a string literal stays."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(line).readline):
            if token.type == tokenize.COMMENT:
                return line[: token.start[1]].rstrip()
    except (tokenize.TokenError, SyntaxError):
        pass  # an unfinished statement (a line of a longer one): keep it whole
    return line


def quoted(evidence: Evidence, frame: Frame) -> str:
    """```worker.join()` at app.py:51`` (or just the place when the source is unreadable)."""
    if evidence.approximate_lines:
        return (f"a call in `{frame.function}` (near {frame.where()}: PyPy's stacks give "
                "approximate line numbers)")
    text = line_of(evidence, frame)
    return f"`{text}` at {frame.where()}" if text else frame.where()


def receiver(text: str | None, method: str) -> str | None:
    """The object a method is called on in a line: ``receiver("w.join()", "join")`` → ``w``."""
    for match in _RECEIVER.finditer(text or ""):
        if match.group(2) == method:
            return match.group(1)
    return None


def user_files(evidence: Evidence) -> list[str]:
    """The user's source files on the stacks (main thread first), as openable paths."""
    files: list[str] = []
    for stack in [evidence.main_stack, *evidence.worker_stacks]:
        for frame in stack.frames if stack else []:
            path = evidence.resolve(frame.filename)
            if is_library(frame) or is_probe_frame(frame) or path in files:
                continue
            if os.path.isfile(path):
                files.append(path)
    return files


@dataclass(frozen=True)
class LintHit:
    """One ``sigkit lint`` finding in a file the stacks point at."""

    path: str
    line: int
    code: str
    message: str

    def where(self) -> str:
        return f"{os.path.basename(self.path)}:{self.line}"

    def sentence(self) -> str:
        return f"{self.where()}: {self.code} {self.message} (sigkit lint)"


def lint_hits(
    evidence: Evidence, codes: tuple[str, ...], running_only: bool = True
) -> list[LintHit]:
    """``sigkit lint`` findings with one of ``codes`` in the user's files on the stacks.

    ``running_only`` keeps those inside the functions the stacks run through (a file's other
    functions -- its fixed variant, say -- are not evidence); causes set up earlier (a SIG_IGN,
    a thread started by a function that has returned) need the whole file.
    """
    hits = []
    for path in user_files(evidence):
        try:
            found = lint_file(path, RULES)
        except Exception:  # supplementary evidence: a lint failure must not stop the diagnosis
            continue
        spans = _running_spans(evidence, path) if running_only else None
        hits += [
            LintHit(path, f.line, f.code, f.message)
            for f in found
            if f.code in codes and (spans is None or any(a <= f.line <= b for a, b in spans))
        ]
    return hits


def _running_spans(evidence: Evidence, path: str) -> list[tuple[int, int]] | None:
    """Line spans of the functions in ``path`` that a stack is inside (a module-level frame
    covers its own line); None when the file does not parse with this Python."""
    lines = {f.line for t in evidence.threads for f in t.frames
             if evidence.resolve(f.filename) == path}
    try:
        tree = ast.parse("".join(linecache.getlines(path)))
    except (SyntaxError, ValueError):
        return None
    functions = [(n.lineno, n.end_lineno or n.lineno) for n in ast.walk(tree)
                 if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    spans = []
    for line in lines:
        around = [(a, b) for a, b in functions if a <= line <= b]
        spans.append(min(around, key=lambda span: span[1] - span[0]) if around else (line, line))
    return spans


def grep(evidence: Evidence, pattern: str) -> list[tuple[str, int, str]]:
    """Lines of the user's files on the stacks matching ``pattern``: (file name, line, text)."""
    regex = re.compile(pattern)
    found = []
    for path in user_files(evidence):
        for number, text in enumerate(linecache.getlines(path), start=1):
            if regex.search(text):
                found.append((os.path.basename(path), number, text.strip()))
    return found
