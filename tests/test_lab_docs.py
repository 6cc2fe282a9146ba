"""The docs generator: a smoke run writes real snippets; the pages include only what it writes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
INCLUDE = re.compile(r"<!--\s*sigkit:include\s+generated/(\S+)\.md\s*-->")
IMAGE = re.compile(r"\]\(generated/(\S+\.svg)\)")
MY_PAGES = ("index.md", "quickstart.md", "tutorial.md", "cli.md", "lab.md")


def test_smoke_run_writes_command_output_and_the_cli_reference(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, str(DOCS / "generate.py"), "--smoke", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr
    written = {path.stem: path.read_text() for path in tmp_path.glob("*.md")}
    assert {"machine", "cli", "lab-gil", "lab-convoy", "picture-timeline"} <= set(written)
    assert written["lab-gil"].startswith("```text\n$ sigkit lab gil --n 100000")
    assert "thr/seq" in written["lab-gil"]
    assert "## `sigkit lab switch-interval`" in written["cli"]
    assert "● sent" in written["picture-timeline"]
    assert (tmp_path / "picture-timeline.svg").read_text().startswith("<svg")
    assert "CPUs" in written["machine"]
    assert not any(str(tmp_path) in text for text in written.values())


def test_every_include_and_image_on_the_pages_is_generated(docs_generator):
    names = set(docs_generator.snippet_names())
    plotted = {Path(arg).name for c in docs_generator.COMMANDS for arg in c.args if arg.endswith(".svg")}
    for page in MY_PAGES:
        text = (DOCS / page).read_text()
        assert set(INCLUDE.findall(text)) <= names, page
        assert set(IMAGE.findall(text)) <= plotted, page
