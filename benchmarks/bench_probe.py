"""Probe engine benchmarks (run on demand: ``python benchmarks/bench_probe.py``).

1. Overhead: wall time of one probe trial vs a bare ``python -c pass`` start (goal ≤ 1.2×), and
   the start-up cost of the injected probe alone.
2. Throughput: 100 trials of an idle target (goal ≤ 4 s on a 2-core machine).
3. Resolution: sigkit's handler figure vs an independent reference — the target's own stamp taken
   inside its handler — and the C floor: a C program's SIGINT handler stamping CLOCK_MONOTONIC
   (goal: error ≤ 20 µs).
Prints markdown for docs/performance.md.

The targets are single processes, so the trials skip the process-tree readiness check (one
0.1 s window; ``sigkit probe -n N`` pays it on the first trial only): it is not what these measure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from sigkit import interpreters
from sigkit.inject import INJECT_DIR
from sigkit.launch import ProbeOptions, probe
from sigkit.listener import ProbeListener
from sigkit.stats import summarize
from sigkit.timeline import latencies_us

IDLE = "import sys, time\nprint('ready'); sys.stdout.flush()\ntime.sleep(30)\n"

OWN_STAMP = textwrap.dedent("""
    import signal, sys, time, os
    def handler(signum, frame):
        stamp = time.monotonic_ns()
        os.write(1, ("own=%d\\n" % stamp).encode())
        sys.exit(0)
    signal.signal(signal.SIGINT, handler)
    print("ready"); sys.stdout.flush()
    time.sleep(30)
""")

C_FLOOR = textwrap.dedent("""
    #include <signal.h>
    #include <stdio.h>
    #include <time.h>
    #include <unistd.h>
    static volatile sig_atomic_t hit = 0;
    static struct timespec at;
    static void on_int(int n) { clock_gettime(CLOCK_MONOTONIC, &at); hit = 1; }
    int main(void) {
        signal(SIGINT, on_int);
        printf("ready\\n"); fflush(stdout);
        while (!hit) pause();
        printf("own=%lld\\n", (long long)at.tv_sec * 1000000000LL + at.tv_nsec);
        return 0;
    }
""")


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bare_start(python: str, runs: int, env: dict[str, str] | None = None) -> float:
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([python, "-c", "pass"], env=env, check=True)
        walls.append(time.perf_counter() - started)
    return median_ms(walls)


def probe_start_cost(python: str, runs: int) -> float:
    """Start-up added by the injected probe alone (a listener is bound so it connects)."""
    folder = tempfile.mkdtemp(prefix="sigkit-bench-")
    listener = ProbeListener(os.path.join(folder, "probe.sock"))
    try:
        env = dict(os.environ, PYTHONPATH=INJECT_DIR, SIGKIT_SOCK=listener.path,
                   SIGKIT_STACKS_DIR=folder, SIGKIT_STACK_SIGNAL="40")
        return bare_start(python, runs, env) - bare_start(python, runs)
    finally:
        listener.close()
        shutil.rmtree(folder, ignore_errors=True)


STAGES = ("spawn → probe loaded", "→ ready line seen + settle", "→ Ctrl-C sent",
          "→ target exited", "→ reaped, swept, cleaned")


def trial_walls(python: str, script: Path, runs: int) -> tuple[list[float], dict[str, list[float]]]:
    """Wall time per trial, and where it went (ms per stage, from the trial's own events)."""
    walls, stages = [], {name: [] for name in STAGES}
    for _ in range(runs):
        started = time.perf_counter()
        trial = probe(ProbeOptions([python, str(script)], expect="ready", tree_settle=0))
        done_ns = time.monotonic_ns()
        walls.append(time.perf_counter() - started)
        assert trial.verdict == "ki", trial.verdict
        stamps = [next(e.t_ns for e in trial.events if e.kind == kind)
                  for kind in ("spawn", "probe", "ready", "send", "exit")] + [done_ns]
        for name, low, high in zip(STAGES, stamps, stamps[1:]):
            stages[name].append((high - low) / 1e6)
    return walls, stages


def own_stamp_errors(command: list[str], runs: int, inject: bool) -> tuple[list[float], list[float]]:
    """(sigkit's figure − the target's own stamp, own stamp − sent), in µs."""
    errors, latencies = [], []
    for _ in range(runs):
        trial = probe(ProbeOptions(command, expect="ready", inject=inject))
        own = int(trial.output.split("own=")[1].split()[0])
        press = trial.first_press
        latencies.append((own - press.sent_ns) / 1000)
        if press.handler_ns is not None:
            errors.append((press.handler_ns - own) / 1000)
    return errors, latencies


def fmt_summary(values: list[float], unit: str = "µs") -> str:
    stats = summarize(values)
    if stats is None:
        return "—"
    return (f"p50 {stats.p50:.1f} {unit}, p95 {stats.p95:.1f} {unit}, "
            f"max {stats.maximum:.1f} {unit} (n={stats.n})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default="3.11,3.13,2.7")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--throughput", type=int, default=100)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sigkit-bench-"))
    idle = work / "idle.py"
    idle.write_text(IDLE)
    print(f"# probe benchmarks ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores)\n")
    print("| interpreter | bare start p50 | probe start-up cost | one trial p50 | trial / bare "
          "| where a trial's time goes (p50 ms) |")
    print("|---|---|---|---|---|---|")
    for spec in args.python.split(","):
        try:
            python = str(interpreters.resolve(spec))
        except Exception as error:  # a missing interpreter is reported, not fatal
            print(f"| {spec} | not installed ({error}) | | | |")
            continue
        bare = bare_start(python, args.runs)
        cost = probe_start_cost(python, args.runs)
        walls, stages = trial_walls(python, idle, args.runs)
        where = "; ".join(f"{name} {statistics.median(v):.1f}" for name, v in stages.items())
        print(f"| {spec} | {bare:.1f} ms | {cost:+.1f} ms | {median_ms(walls):.1f} ms "
              f"| {median_ms(walls) / bare:.2f}× | {where} |")
    python = str(interpreters.resolve(args.python.split(",")[0]))
    started = time.perf_counter()
    trials = [probe(ProbeOptions([python, str(idle)], expect="ready", tree_settle=0))
              for _ in range(args.throughput)]
    elapsed = time.perf_counter() - started
    handler = [latencies_us(t)["handler"] for t in trials]
    print(f"\n{args.throughput} trials of an idle {args.python.split(',')[0]} target: "
          f"{elapsed:.2f} s wall ({elapsed / args.throughput * 1000:.1f} ms per trial); "
          f"sent → Python handler {fmt_summary([h for h in handler if h is not None])}")
    own = work / "own.py"
    own.write_text(OWN_STAMP)
    errors, latencies = own_stamp_errors([python, str(own)], args.runs, inject=True)
    print("\nResolution (target's own stamp inside its handler as reference):")
    print(f"- sigkit's handler stamp − target's own stamp: {fmt_summary(errors)}")
    print(f"- sent → target's own stamp: {fmt_summary(latencies)}")
    if shutil.which("cc"):
        source = work / "floor.c"
        source.write_text(C_FLOOR)
        binary = work / "floor"
        subprocess.run(["cc", "-O2", "-o", str(binary), str(source)], check=True)
        _, floor = own_stamp_errors([str(binary)], args.runs, inject=False)
        print(f"- C floor, sent (tty write) → C handler: {fmt_summary(floor)}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
