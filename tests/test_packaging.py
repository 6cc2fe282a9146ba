"""A wheel carries everything a non-editable install needs: packages, probe, schema, scenarios."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_packages_probe_schema_and_scenarios(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    wheel = next(tmp_path.glob("sigkit-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {str(p.parent.relative_to(ROOT)) for p in (ROOT / "sigkit").rglob("__init__.py")}
    for package in packages:
        assert f"{package}/__init__.py" in names, f"{package} is missing from the wheel"
    for needed in ("sigkit/inject/sitecustomize.py", "sigkit/schema/probe-v1.json",
                   "sigkit/bundled_scenarios/blocked_join.py", "sigkit/py.typed"):
        assert needed in names
    scenarios = {p.name for p in (ROOT / "scenarios").glob("*.py")}
    carried = {Path(n).name for n in names if n.startswith("sigkit/bundled_scenarios/")}
    assert scenarios <= carried
