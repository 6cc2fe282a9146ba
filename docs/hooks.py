"""mkdocs hook: paste generated snippets (real sigkit output) into the pages that name them.

A page says ``<!-- sigkit:include generated/NAME.md -->``; the file is written by
``python docs/generate.py``.  A missing snippet stops the build: a page must never show output
that was typed by hand or left out.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

INCLUDE = re.compile(r"<!--\s*sigkit:include\s+(\S+)\s*-->")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    docs = Path(config["docs_dir"])

    def paste(match: re.Match[str]) -> str:
        snippet = docs / match.group(1)
        if not snippet.is_file():
            raise PluginError(
                f"{page.file.src_path}: {match.group(1)} is missing: run python docs/generate.py"
            )
        return snippet.read_text(encoding="utf-8")

    return INCLUDE.sub(paste, markdown)
