"""SARIF 2.1.0, the format GitHub code scanning (``upload-sarif``) and other viewers read.

One run, one tool (``sigkit``) whose ``rules`` carry the teaching text of every code — what it
finds, why it matters for Ctrl-C, the fix — so an alert on a pull request explains itself without
a trip to the docs. Locations are relative URIs under ``%SRCROOT%`` (the checkout), which is how
code scanning matches an alert to a file of the repository.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from sigkit import __version__
from sigkit.lint.catalog import EVERYTHING, FILE_PROBLEMS
from sigkit.lint.findings import Finding
from sigkit.lint.rule import Documented

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_INDEX = {entry.code: position for position, entry in enumerate(EVERYTHING)}
_FILE_PROBLEM_CODES = frozenset(entry.code for entry in FILE_PROBLEMS)


def sarif_document(findings: Sequence[Finding]) -> dict[str, Any]:
    """The whole log: every rule sigkit knows (so a viewer can explain any code) and the results."""
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "sigkit",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(entry) for entry in EVERYTHING],
            }},
            "columnKind": "unicodeCodePoints",
            "results": [_result(finding) for finding in findings],
        }],
    }


def render_sarif(findings: Sequence[Finding]) -> str:
    return json.dumps(sarif_document(findings), indent=2, ensure_ascii=False) + "\n"


def _rule(entry: Documented) -> dict[str, Any]:
    """``help`` is what code scanning shows under "Show more": why, fix and blind spots."""
    markdown = (f"**{entry.code} ({entry.name})**: {entry.summary}\n\n"
                f"**Why it matters for Ctrl-C.** {entry.why}\n\n"
                f"**Fix.** {entry.fix}\n\n"
                f"**What it cannot see.** {entry.cannot_see}\n")
    return {
        "id": entry.code,
        "name": entry.name,
        "shortDescription": {"text": entry.summary},
        "fullDescription": {"text": entry.why},
        "help": {"text": entry.explanation(), "markdown": markdown},
        "defaultConfiguration": {"level": _level(entry.code)},
        "properties": {"fix": entry.fix, "tags": ["ctrl-c", "signals", "reliability"]},
    }


def _result(finding: Finding) -> dict[str, Any]:
    return {
        "ruleId": finding.code,
        "ruleIndex": _INDEX[finding.code],
        "level": _level(finding.code),
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": _artifact(finding.path),
            "region": {"startLine": finding.line, "startColumn": finding.col},
        }}],
    }


def _level(code: str) -> str:
    """A file that could not be checked is an error; a hazard is a warning, as in the text output."""
    return "error" if code in _FILE_PROBLEM_CODES else "warning"


def _artifact(path: str) -> dict[str, str]:
    """Relative paths stay relative to the checkout (``%SRCROOT%``); absolute ones become file URIs."""
    location = Path(path)
    if location.is_absolute():
        return {"uri": location.as_uri()}
    relative = PurePosixPath(*location.parts)
    return {"uri": quote(str(relative)), "uriBaseId": "%SRCROOT%"}
