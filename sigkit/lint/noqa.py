"""``# noqa`` comments: silence all findings on a line, or only the codes listed."""

from __future__ import annotations

import re

NOQA = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)


def silences(line: str, code: str) -> bool:
    """True if ``line`` carries ``# noqa`` (every code) or ``# noqa: CODE[, CODE...]`` naming
    ``code``. Other tools' codes in the list (``# noqa: E501``) leave sigkit's findings on."""
    match = NOQA.search(line)
    if match is None:
        return False
    codes = match.group("codes")
    if codes is None:
        return True
    return code in re.split(r"[\s,]+", codes.upper())
