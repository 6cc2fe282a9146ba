"""``sigkit explain``: the catalogue, one cause, lint codes, and docs generated from the same
source."""

from __future__ import annotations

from pathlib import Path

import pytest

from sigkit import causes
from sigkit.diagnose.rules import RULES

DOCS = Path(__file__).resolve().parent.parent / "docs" / "causes.md"


def test_list_shows_every_cause_with_its_severity(sigkit):
    done = sigkit("explain")
    assert done.returncode == 0, done.stderr
    for cause in causes.CAUSES:
        assert any(line.split()[:2] == [cause.id, cause.severity]
                   for line in done.stdout.splitlines()), cause.id


def test_one_cause_prints_its_lesson_evidence_and_fix(sigkit):
    done = sigkit("explain", "Lost-Work")
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())  # rich wraps long lines
    cause = causes.get("lost-work")
    for heading in ("What happens", "Evidence sigkit uses", "Fix"):
        assert heading in out
    assert "python/cpython#90882" in out and " ".join(cause.fix.replace("`", "").split()) in out


def test_lint_codes_are_explained_by_the_linter(sigkit):
    from sigkit.lint import rule_explanations

    done = sigkit("explain", "sk101")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == rule_explanations()["SK101"].split()


@pytest.mark.parametrize("name, message", [("blocked-forever", "unknown cause 'blocked-forever'"),
                                           ("SK999", "unknown lint code 'SK999'")])
def test_unknown_names_are_one_line_and_exit_2(sigkit, name, message):
    done = sigkit("explain", name)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and message in done.stderr


def test_every_catalogued_lint_code_exists():
    from sigkit.lint import rule_explanations

    codes = {code for cause in causes.CAUSES for code in cause.lint}
    assert codes <= set(rule_explanations())


def test_every_cause_is_reachable_from_a_rule_and_documented():
    """No catalogue entry without a rule naming it; docs/causes.md is the catalogue, verbatim."""
    sources = "".join(Path(rule.__code__.co_filename).read_text() for rule in RULES)
    sources += (Path(causes.__file__).parent / "diagnose" / "__init__.py").read_text()
    for cause in causes.CAUSES:
        assert f'"{cause.id}"' in sources, f"no rule reports {cause.id}"
    assert DOCS.read_text() == causes.to_markdown(), "run: python -m sigkit.causes > docs/causes.md"
