"""JUnit XML for ``sigkit check --junit FILE``: the one report format every CI system renders.

One ``<testcase>`` per check (per interpreter for scenario checks).  A breached budget is a
``<failure>`` whose ``message`` carries the measured figures (CI summaries show only that line)
and whose body holds every budget line and the command that reproduces it; passing cases carry
their figures in ``<system-out>`` so a green run still shows how close it came.
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime, timezone

from sigkit.checks.runner import CaseResult
from sigkit.report.checks_text import budget_line, case_summary, reproduce

CLASSNAME = "sigkit.check"


def to_element(config_shown: str, results: Sequence[CaseResult]) -> ET.Element:
    failures = sum(1 for r in results if not r.passed)
    seconds = f"{sum(r.seconds for r in results):.3f}"
    counts = {"tests": str(len(results)), "failures": str(failures), "errors": "0"}
    root = ET.Element("testsuites", {"name": "sigkit check", "time": seconds, **counts})
    suite = ET.SubElement(root, "testsuite", {
        "name": f"sigkit check {config_shown}", **counts, "skipped": "0", "time": seconds,
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "hostname": socket.gethostname(),
    })
    for result in results:
        case = ET.SubElement(suite, "testcase", name=result.case.label, classname=CLASSNAME,
                             time=f"{result.seconds:.3f}")
        lines = [case_summary(result), *(budget_line(b) for b in result.budgets)]
        if not result.passed:
            breached = [budget_line(b) for b in result.budgets if not b.passed]
            failure = ET.SubElement(case, "failure", type="sigkit.budget",
                                    message="; ".join(breached))
            failure.text = "\n".join([*lines, "reproduce: " + reproduce(result.case)])
        ET.SubElement(case, "system-out").text = "\n".join(lines)
    return root


def dumps(config_shown: str, results: Sequence[CaseResult]) -> str:
    """The JUnit XML document, as text (the CLI writes it, or prints it if it cannot)."""
    root = to_element(config_shown, results)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return "<?xml version='1.0' encoding='utf-8'?>\n" + body
