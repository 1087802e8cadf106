#!/usr/bin/env python3
"""Compare builds of invokeai-lint on the same command, in interleaved pairs of runs.

On a shared machine the load drifts over minutes, so two builds timed one after the other
(hyperfine A, then hyperfine B) can differ by more than the change being measured. This runs
each build once per round, in a shuffled order, for N rounds, and reports for each build its
median time and the median of its per-round differences against the first build: 1 ms
changes on a 60 ms run show up in 50-80 rounds.

    scripts/compare_builds.py 60 /tmp/old-bin /tmp/new-bin
    scripts/compare_builds.py 60 /tmp/bin MIMALLOC_ALLOW_THP=0@/tmp/bin   # env per build

The command defaults to linting the benchmark tree of scripts/bench_tree_vs_yamllint.sh
(run that once first); set ARGS to lint something else, e.g. ARGS="lint fixtures".
A benchmark helper, not a test.
"""
import os
import random
import statistics
import subprocess
import sys
import time


def parse(spec):
    """`VAR=val,VAR2=val@binary` or `binary` -> (binary, environment)."""
    env = dict(os.environ)
    if "@" not in spec:
        return spec, env
    assignments, binary = spec.split("@", 1)
    for kv in assignments.split(","):
        key, value = kv.split("=", 1)
        env[key] = value
    return binary, env


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rounds, specs = int(sys.argv[1]), sys.argv[2:]
    tree = os.path.join(os.environ.get("BENCH_DIR", "/tmp/invokeai-lint-bench"), "tree")
    args = os.environ.get(
        "ARGS", f"lint {tree} --isolated --invokeai-version 5.9.1 --format concise"
    ).split()
    times = {s: [] for s in specs}
    with open(os.devnull, "w") as null:
        for spec in specs:  # warm-up
            binary, env = parse(spec)
            subprocess.run([binary, *args], stdout=null, stderr=null, env=env)
        for _ in range(rounds):
            order = specs[:]
            random.shuffle(order)
            for spec in order:
                binary, env = parse(spec)
                start = time.perf_counter()
                subprocess.run([binary, *args], stdout=null, stderr=null, env=env)
                times[spec].append(time.perf_counter() - start)
    first = times[specs[0]]
    for spec in specs:
        t = times[spec]
        diff = statistics.median(a - b for a, b in zip(t, first))
        print(
            f"{spec:45s} median {statistics.median(t) * 1000:6.1f} ms  "
            f"p25 {sorted(t)[len(t) // 4] * 1000:6.1f}  paired {diff * 1000:+5.1f} ms"
        )


if __name__ == "__main__":
    main()
