"""The docs site: it builds strictly, its outputs are real and current, and building leaves the
checkout alone."""

from __future__ import annotations

import html
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sigkit import causes

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
IMAGE = re.compile(r"<img alt=\"\$ ([^\"]+)\" src=\"[./]*generated/([\w-]+\.svg)\"")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    if importlib.util.find_spec("material") is None:
        pytest.skip("the docs theme is missing: pip install -e '.[test]' (mkdocs-material)")
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr
    return out


def test_site_builds_strictly_with_the_material_theme(site: Path):
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "md-tabs" in home  # the navigation tabs: one line at the top
    assert "content.code.copy" in home  # copy buttons on code blocks
    assert (site / "architecture" / "index.html").is_file()


def test_pictures_on_the_pages_are_svg_drawings_of_the_command_they_name(site: Path):
    shown = {}
    for page in ("index.html", "tutorial/index.html", "causes/index.html"):
        for command, svg in IMAGE.findall((site / page).read_text(encoding="utf-8")):
            shown[svg] = command
    assert {"home-threadpool.svg", "tutorial-idle.svg"} <= set(shown)
    for svg, command in shown.items():
        drawing = (site / "generated" / svg).read_text(encoding="utf-8")
        assert drawing.startswith("<svg"), svg
        # the window's title: rich escapes it, with non-breaking spaces
        title = html.unescape(command).replace(" ", "\xa0")
        assert title in html.unescape(drawing), f"{svg} is not a picture of {command}"


def test_every_cause_example_is_a_run_that_named_that_cause(docs_generator, site: Path):
    examples = {c.shows: c.name for c in docs_generator.COMMANDS if c.shows}
    assert examples, "the causes page shows no real run"
    page = (site / "causes" / "index.html").read_text(encoding="utf-8")
    for cause_id, name in examples.items():
        causes.get(cause_id)  # a cause the catalogue knows
        snippet = (DOCS / "generated" / "causes" / f"{cause_id}.md").read_text(encoding="utf-8")
        assert f"generated/{name}.svg" in snippet
        text = snippet.split('=== "Text"', 1)[1]
        assert docs_generator.names_cause(text.replace("\n    ", "\n"), cause_id), (
            f"the {cause_id} example does not name it: run python docs/generate.py --only {name}"
        )
        section = page.split(f'<h2 id="{cause_id}-', 1)[1].split("<h2", 1)[0]
        assert f"generated/{name}.svg" in section, f"{cause_id}'s example is not under it"


def test_the_committed_cli_reference_is_what_the_app_prints(docs_generator):
    committed = (DOCS / "generated" / "cli.md").read_text(encoding="utf-8")
    assert committed == docs_generator.cli_reference(), "run: python docs/generate.py"
    assert "[tool.sigkit]" in committed  # rich markup once ate it


def test_generating_twice_rewrites_nothing_and_measures_only_on_request(docs_generator, tmp_path):
    first = docs_generator.generate(tmp_path, smoke=False)
    assert [path.name for path in first] == ["cli.md"]  # the default: no real runs
    stamp = (tmp_path / "cli.md").stat().st_mtime_ns
    assert docs_generator.generate(tmp_path, smoke=False) == []
    assert (tmp_path / "cli.md").stat().st_mtime_ns == stamp


def test_a_picture_is_rich_drawing_the_commands_own_colours(docs_generator):
    output = docs_generator.Output("sigkit run idle", "\x1b[1;32mended by KeyboardInterrupt\x1b[0m\n")
    drawing = docs_generator.terminal_svg(output.shown, output.ansi)
    assert drawing.startswith("<svg") and "sigkit\xa0run\xa0idle" in html.unescape(drawing)
    assert "font-weight: bold" in drawing and "KeyboardInterrupt" in drawing
    assert docs_generator.terminal_svg(output.shown, output.ansi) == drawing  # same run, same file
    snippet = output.picture_snippet("tutorial-idle.svg")
    assert "![$ sigkit run idle](generated/tutorial-idle.svg)" in snippet
    assert "    $ sigkit run idle\n    ended by KeyboardInterrupt\n" in snippet
