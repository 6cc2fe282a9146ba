"""sigkit's rules as a flake8 plugin: ``flake8 --select SK`` reports them in flake8's format.

flake8 finds this class through the ``flake8.extension`` entry point named ``SK`` (the code
prefix it owns) and hands it each file's lines. flake8 itself applies ``# noqa: SK101``
(so ``--disable-noqa`` works), ``--select``/``--ignore`` and ``per-file-ignores``: the plugin
runs every rule and reports all it finds. Files that do not parse are flake8's E999, never sigkit's SK000.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from sigkit import __version__
from sigkit.lint.catalog import RULES
from sigkit.lint.engine import lint_source


class Plugin:
    """flake8's AST-plugin protocol: ``name``, ``version``, ``__init__(tree, filename, lines)``,
    ``run()`` yielding ``(line, col, "CODE message", type)`` with a 0-based column."""

    name = "sigkit"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.filename = filename
        self.source = "".join(lines)

    def run(self) -> Iterator[tuple[int, int, str, type[Plugin]]]:
        for finding in lint_source(self.source, self.filename, RULES, noqa=False):
            yield finding.line, finding.col - 1, f"{finding.code} {finding.message}", type(self)
