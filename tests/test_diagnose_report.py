"""Findings as people read them (rich text) and as programs read them (JSON-ready dicts)."""

from __future__ import annotations

import io
import json

from rich.console import Console

from sigkit.findings import finding
from sigkit.report.findings import findings_to_dict, render_findings


def rendered(findings) -> str:
    buffer = io.StringIO()
    render_findings(Console(file=buffer, width=200, color_system=None), findings)
    return buffer.getvalue()


def test_text_reads_cause_evidence_why_fix_in_that_order():
    found = finding("uninterruptible-wait", ["main thread: wait ← join", "kernel: asleep (S)"],
                    "Replace `workers[0].join()` with a timed join loop.")
    out = rendered([found])
    order = [out.index(part) for part in ("✗ uninterruptible-wait", "Evidence",
                                          "• main thread: wait ← join", "Why:", "Fix:",
                                          "sigkit explain uninterruptible-wait")]
    assert order == sorted(order)
    assert "workers[0].join()" in out  # brackets are text, not rich markup
    assert "1 finding, 1 keeping it from stopping" in out


def test_no_findings_is_one_line():
    assert rendered([]).strip() == "Diagnosis: no problem found"


def test_dicts_carry_every_field_and_survive_json():
    found = [finding("orphans", ["pid 7 `sleep 60` was alive"]), finding("unexplained", [])]
    data = json.loads(json.dumps(findings_to_dict(found)))
    assert [d["cause"] for d in data] == ["orphans", "unexplained"]
    assert set(data[0]) == {"cause", "title", "evidence", "explanation", "fix", "severity"}
    assert data[0]["severity"] == "warning" and data[1]["severity"] == "info"
    assert data[0]["evidence"] == ["pid 7 `sleep 60` was alive"]
