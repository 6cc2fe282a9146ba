"""Findings for people (a terminal) and for programs (plain dicts for JSON).

Each finding reads top-down the way a person debugs: what is wrong (the cause id and title),
what sigkit saw (evidence a reader can check), why that breaks Ctrl-C (the teaching text), and
what to change (the fix, pointing at the file and line when sigkit found them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from sigkit.causes import ERROR, WARNING
from sigkit.findings import Finding
from sigkit.timeline import Trial

_MARKS = {ERROR: ("✗", "bold red"), WARNING: ("!", "bold yellow")}
_INFO_MARK = ("i", "bold blue")


def code_spans(text: str, style: str = "") -> Text:
    """``use `x.join(0.1)` here`` with the back-quoted parts highlighted as code."""
    rendered = Text(style=style)
    for index, part in enumerate(text.split("`")):
        rendered.append(part, style="cyan" if index % 2 else "")
    return rendered


def _indented(text: Text, level: int) -> Padding:
    """Wrapped lines keep the indent; no padding to the terminal's width."""
    return Padding(text, (0, 0, 0, 2 * level), expand=False)


def render_finding(console: Console, finding: Finding) -> None:
    mark, style = _MARKS.get(finding.severity, _INFO_MARK)
    head = Text(f"{mark} ", style=style)
    head.append(finding.cause, style=style)
    head.append(f"  {finding.title}", style="bold")
    console.print(head)
    if finding.evidence:
        console.print(_indented(Text("Evidence", style="bold"), 1))
        for line in finding.evidence:
            console.print(_indented(code_spans("• " + line), 2))
    for label, body in (("Why", finding.explanation), ("Fix", finding.fix)):
        if body:
            text = Text.assemble((f"{label}: ", "bold"), code_spans(body))  # only the label bold
            console.print(_indented(text, 1))
    console.print(_indented(Text(f"more: sigkit explain {finding.cause}", style="dim"), 1))


def render_findings(
    console: Console, findings: Sequence[Finding], heading: str = "Diagnosis"
) -> None:
    """A heading, then every finding; a short all-clear line when there is none."""
    if not findings:
        console.print(Text(f"{heading}: ", style="bold").append("no problem found", "green"))
        return
    errors = sum(1 for f in findings if f.severity == ERROR)
    counts = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"
    if errors:
        counts += f", {errors} keeping it from stopping"
    console.print(Text(f"{heading}: ", style="bold").append(counts))
    for finding in findings:
        render_finding(console, finding)


def findings_to_dict(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """JSON-ready: ``cause``, ``title``, ``severity``, ``evidence`` (list), ``explanation``,
    ``fix`` -- the same fields as :class:`sigkit.findings.Finding`."""
    return [asdict(finding) for finding in findings]


def render_findings_over_trials(console: Console, trials: Sequence[Trial]) -> None:
    """The findings of the first trial that has any, and how many trials shared each cause."""
    counts = Counter(f.cause for trial in trials for f in trial.findings)
    first = next((trial.findings for trial in trials if trial.findings), [])
    render_findings(console, first)
    if counts:
        shares = ", ".join(f"{cause} in {n}/{len(trials)}" for cause, n in counts.most_common())
        console.print(f"Across the trials: {shares}")
