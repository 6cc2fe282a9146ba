"""How fast is ``sigkit lint`` on a big real code base, and what does it find there?

Run on demand (not a test): ``python benchmarks/bench_lint.py [LIB_DIR] [--repeat N]``.
LIB_DIR defaults to the standard library of the Python running this script (its
site-packages left out). Prints the wall time of a serial run and of a run on every core
(best of ``--repeat``), the load average while it ran (other work on the machine slows it
down), and the findings per rule; the figures go to docs/lint.md under "Performance".
"""

from __future__ import annotations

import argparse
import os
import sysconfig
import time
from collections import Counter

from sigkit.lint import LintRun, discover, lint_files, select
from sigkit.lint.catalog import EVERYTHING


def best_of(repeat: int, files: list[str], jobs: int | None) -> tuple[float, LintRun]:
    """The fastest of ``repeat`` runs (the others only measure the machine's noise)."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run = lint_files(files, select(), jobs)
        timings.append(time.perf_counter() - started)
    return min(timings), run


def main() -> None:
    parser = argparse.ArgumentParser(description="Time sigkit lint on a big source tree.")
    parser.add_argument("lib", nargs="?", default=sysconfig.get_path("stdlib"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    files = discover([args.lib], ["site-packages"])
    discovery = time.perf_counter() - started
    lines = 0
    for path in files:
        with open(path, "rb") as file:
            lines += file.read().count(b"\n")

    serial, _ = best_of(args.repeat, files, jobs=1)
    parallel, run = best_of(args.repeat, files, jobs=None)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())

    print(f"tree:       {args.lib}")
    print(f"files:      {len(files)} ({lines:,} lines), found in {discovery:.2f} s")
    print(f"serial:     {serial:.2f} s (best of {args.repeat})")
    print(f"all cores:  {parallel:.2f} s on {os.cpu_count()} cores (best of {args.repeat})")
    print(f"load:       {load} (1, 5, 15 min averages at the end)")
    print("findings per code:")
    counts = Counter(finding.code for finding in run.findings)
    for entry in EVERYTHING:
        print(f"  {entry.code}  {counts.get(entry.code, 0):5d}  {entry.name}")
    print(f"  total  {len(run.findings):5d} in {len({f.path for f in run.findings})} files")


if __name__ == "__main__":
    main()
