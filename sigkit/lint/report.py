"""Printing findings: ``text`` for people, ``json`` for programs, ``github`` for CI annotations,
``sarif`` for code scanning."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict

from sigkit.lint.catalog import EVERYTHING
from sigkit.lint.findings import Finding
from sigkit.lint.sarif import render_sarif

FORMATS = ("text", "json", "github", "sarif")
_NAMES = {entry.code: entry.name for entry in EVERYTHING}


def render(findings: Sequence[Finding], files_checked: int, output_format: str) -> str:
    """The whole report in one of ``FORMATS`` (ends with a newline unless empty)."""
    if output_format == "json":
        return _json(findings, files_checked)
    if output_format == "sarif":
        return render_sarif(findings)
    if output_format == "github":
        return "".join(_github_line(finding) + "\n" for finding in findings)
    return _text(findings, files_checked)


def _text(findings: Sequence[Finding], files_checked: int) -> str:
    """``path:line:col: CODE message`` per finding (the layout editors jump to), then a
    summary line."""
    lines = [f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}" for f in findings]
    files = _plural(files_checked, "file")
    if not findings:
        lines.append(f"No findings in {files}.")
    else:
        per_code = ", ".join(f"{code}: {count}" for code, count in
                             sorted(Counter(f.code for f in findings).items()))
        with_findings = len({f.path for f in findings})
        lines.append(f"Found {_plural(len(findings), 'finding')} in {with_findings} of "
                     f"{files} ({per_code}).")
    return "\n".join(lines) + "\n"


def _json(findings: Sequence[Finding], files_checked: int) -> str:
    document = {
        "files_checked": files_checked,
        "counts": dict(sorted(Counter(f.code for f in findings).items())),
        "findings": [{**asdict(f), "name": _NAMES.get(f.code, "")} for f in findings],
    }
    return json.dumps(document, indent=2) + "\n"


def _github_line(finding: Finding) -> str:
    """A GitHub Actions workflow command; it shows up as an annotation on the pull request."""
    properties = ",".join(f"{key}={_escape_property(str(value))}" for key, value in (
        ("file", finding.path), ("line", finding.line), ("col", finding.col),
        ("title", finding.code)))
    return f"::warning {properties}::{_escape_data(finding.message)}"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
