"""mkdocs hook: paste generated snippets (real sigkit output) into the pages that name them.

A page says ``<!-- sigkit:include generated/NAME.md -->``; the file is written by
``python docs/generate.py``.  A missing snippet stops the build: a page must never show output
that was typed by hand or left out.

``causes.md`` is the catalogue of ``sigkit/causes.py`` verbatim, so it cannot name its examples
itself: each cause section gets ``generated/causes/ID.md`` appended, the real run that
generate.py checked names that cause, when there is one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

INCLUDE = re.compile(r"<!--\s*sigkit:include\s+(\S+)\s*-->")
CAUSE_SECTION = re.compile(r"^## `([a-z0-9-]+)`.*?(?=^## |\Z)", re.M | re.S)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    docs = Path(config["docs_dir"])

    def paste(match: re.Match[str]) -> str:
        snippet = docs / match.group(1)
        if not snippet.is_file():
            raise PluginError(
                f"{page.file.src_path}: {match.group(1)} is missing: run python docs/generate.py"
            )
        return snippet.read_text(encoding="utf-8")

    def with_example(match: re.Match[str]) -> str:
        example = docs / "generated" / "causes" / f"{match.group(1)}.md"
        if not example.is_file():
            return match.group(0)
        return (f"{match.group(0).rstrip()}\n\n**Seen in a real run.**\n\n"
                f"{example.read_text(encoding='utf-8')}\n")

    markdown = INCLUDE.sub(paste, markdown)
    if page.file.src_path == "causes.md":
        markdown = CAUSE_SECTION.sub(with_example, markdown)
    return markdown
