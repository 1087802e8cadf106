#!/usr/bin/env bash
# Benchmark (not a test): lint a tree of 10 000 InvokeAI configs with invokeai-lint, and
# the same tree with yamllint and check-jsonschema (the schema from
# `invokeai-lint schema invokeai-config`), and print a markdown table.
#
# Floors the project holds itself to: invokeai-lint ≥ 100× faster than yamllint and ≥ 50×
# faster than check-jsonschema on this tree.
#
#   scripts/bench_tree_vs_yamllint.sh [N_FILES]
#
# Needs: cargo, python3 (with venv), network for PyPI on the first run. Uses hyperfine when
# it is installed (apt-get install hyperfine), else times each command with `date`.
# Everything it writes goes under $BENCH_DIR (default /tmp/invokeai-lint-bench).
set -euo pipefail
cd "$(dirname "$0")/.."

N="${1:-10000}"
BENCH_DIR="${BENCH_DIR:-/tmp/invokeai-lint-bench}"
TREE="$BENCH_DIR/tree"
VENV="$BENCH_DIR/venv"
VERSION=5.9.1
mkdir -p "$BENCH_DIR"

echo "== tools" >&2
if [ ! -x "$VENV/bin/yamllint" ] || [ ! -x "$VENV/bin/check-jsonschema" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet yamllint check-jsonschema
fi
# The dist profile (fat LTO): what the released wheels and archives run.
cargo build --profile dist --locked --quiet
BIN="${CARGO_TARGET_DIR:-target}/dist/invokeai-lint"
"$BIN" schema invokeai-config --invokeai-version "$VERSION" > "$BENCH_DIR/invokeai-$VERSION.schema.json"

echo "== tree of $N configs in $TREE" >&2
# Variants of the project's own fixtures: every YAML fixture, cycled, each copy made unique
# by a trailing comment; 100 sites of 100 boxes (site042/invokeai-box17.yaml).
rm -rf "$TREE"
mkdir -p "$TREE"
# Not the oracle's recorded mutants (hundreds of files that would change what the tree is
# made of from one recording to the next), and only UTF-8 text: yamllint stops the whole
# run at the first file it cannot decode (the cp1252/GBK/UTF-16 fixtures).
mapfile -t SOURCES < <(find fixtures -name '*.yaml' -not -path '*/invalid-encoding/*' -not -path 'fixtures/oracle/*' | sort)
python3 - "$TREE" "$N" "${SOURCES[@]}" <<'PY'
import os, sys
tree, n, sources = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def utf8(b):
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False
texts = [t for t in (open(s, "rb").read() for s in sources) if utf8(t)]
for i in range(n):
    d = os.path.join(tree, f"site{i // 100:03d}")
    os.makedirs(d, exist_ok=True)
    body = texts[i % len(texts)]
    if not body.endswith(b"\n"):
        body += b"\n"
    with open(os.path.join(d, f"invokeai-box{i % 100:02d}.yaml"), "wb") as f:
        f.write(body + f"# copy {i}\n".encode())
PY
find "$TREE" -name '*.yaml' | sort > "$BENCH_DIR/files.txt"
echo "$(wc -l < "$BENCH_DIR/files.txt") files, $(du -sh "$TREE" | cut -f1)" >&2
# Write the new tree (and the removal of the old one) out now: otherwise the kernel does it
# during the first timings, on the same cores, and only the first tool timed pays for it.
sync

# The three commands, run without a shell (paths here have no spaces). Findings are expected
# (the fixtures are full of them): exit codes are ignored, output is thrown away.
IL_CMD="$BIN lint $TREE --isolated --invokeai-version $VERSION --format concise"
YL_CMD="$VENV/bin/yamllint -f parsable $TREE"
CJ_CMD="xargs -a $BENCH_DIR/files.txt $VENV/bin/check-jsonschema --schemafile $BENCH_DIR/invokeai-$VERSION.schema.json"

# check-jsonschema must see every file in one process, as the others do.
ARGS_BYTES=$(wc -c < "$BENCH_DIR/files.txt")
if [ "$ARGS_BYTES" -gt $(( $(getconf ARG_MAX) / 2 )) ]; then
  echo "warning: the file list is long enough for xargs to split check-jsonschema into several runs" >&2
fi

seconds() { # median wall seconds of a command over $2 runs, after $3 warm-ups (default 1)
  local cmd="$1" runs="$2" warmup="${3:-1}"
  if command -v hyperfine >/dev/null; then
    # -N: no shell. Through `sh -c "cmd > /dev/null || true"` the shell forks the command,
    # a cost hyperfine's shell correction does not take off (about 0.5 ms here, under 1 %
    # of invokeai-lint's run); -i: findings make the exit code 1.
    hyperfine -N -i --style none --warmup "$warmup" --runs "$runs" --export-json "$BENCH_DIR/h.json" "$cmd" >&2
    python3 -c "import json;print(json.load(open('$BENCH_DIR/h.json'))['results'][0]['median'])"
  else
    for _ in $(seq "$warmup"); do $cmd > /dev/null 2>&1 || true; done
    local times="" start end
    for _ in $(seq "$runs"); do
      start=$(date +%s.%N)
      $cmd > /dev/null 2>&1 || true
      end=$(date +%s.%N)
      times="$times $(python3 -c "print($end - $start)")"
    done
    python3 -c "import statistics,sys;print(statistics.median(map(float,sys.argv[1:])))" $times
  fi
}

# Rounds: in each, invokeai-lint's median of 30 runs, then one yamllint run, then one
# check-jsonschema run. On a shared machine the load drifts over the minutes this takes;
# alternating puts the tools side by side under the same load, and each round gives a ratio.
ROUNDS="${ROUNDS:-5}"
echo "== timing: $ROUNDS rounds" >&2
T_IL="" T_YL="" T_CJ=""
for r in $(seq "$ROUNDS"); do
  warm=0
  [ "$r" = 1 ] && warm=1
  T_IL="$T_IL $(seconds "$IL_CMD" 30 1)"
  T_YL="$T_YL $(seconds "$YL_CMD" 1 "$warm")"
  T_CJ="$T_CJ $(seconds "$CJ_CMD" 1 "$warm")"
done

CPU=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || uname -m)
CORES=$(nproc 2>/dev/null || echo '?')
python3 - "$T_IL" "$T_YL" "$T_CJ" "$N" "$CPU" "$CORES" \
  "$("$BIN" --version)" "$("$VENV/bin/yamllint" --version)" "$("$VENV/bin/check-jsonschema" --version)" <<'PY'
import statistics, sys
ils, yls, cjs = ([float(x) for x in a.split()] for a in sys.argv[1:4])
n, cpu, cores, v_il, v_yl, v_cj = sys.argv[4:10]
med = statistics.median
il, yl, cj = med(ils), med(yls), med(cjs)
# The ratio is taken within each round (same load), then the median over rounds.
r_yl = [y / i for y, i in zip(yls, ils)]
r_cj = [c / i for c, i in zip(cjs, ils)]
print(f"Tree: {n} InvokeAI configs (variants of the fixtures). Machine: {cpu}, {cores} cores. "
      f"{len(ils)} rounds; times are medians over the rounds, ratios the median of the per-round ratios.\n")
print("| tool | version | wall time | files/s | invokeai-lint is | floor |")
print("|---|---|---:|---:|---:|---:|")
print(f"| invokeai-lint | {v_il.split()[-1]} | {il:.3f} s | {int(n)/il:,.0f} | 1× | |")
print(f"| yamllint | {v_yl.split()[-1]} | {yl:.2f} s | {int(n)/yl:,.0f} | {med(r_yl):,.0f}× faster | ≥ 100× {'✓' if med(r_yl) >= 100 else '✗'} |")
print(f"| check-jsonschema | {v_cj.split()[-1]} | {cj:.2f} s | {int(n)/cj:,.0f} | {med(r_cj):,.0f}× faster | ≥ 50× {'✓' if med(r_cj) >= 50 else '✗'} |")
print()
print("Per round: " + "; ".join(
    f"{i * 1000:.0f} ms, {y / i:.0f}×, {c / i:.0f}×" for i, y, c in zip(ils, yls, cjs)))
PY
