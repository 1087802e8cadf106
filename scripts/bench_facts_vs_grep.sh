#!/usr/bin/env bash
# Times `invokeai-lint facts` against `grep -c 'InvokeAI version'` on a ~1 GB log built
# by repeating the fixture logs, and reports peak memory. Prints a markdown table.
#
#   scripts/bench_facts_vs_grep.sh            # 1024 MB
#   SIZE_MB=256 scripts/bench_facts_vs_grep.sh
#
# The floor we hold ourselves to: within 3x of grep's time, peak RSS under 32 MB.
# Run it on an idle machine: both tools are single-threaded and the log is read from the
# page cache after a warm-up read, so other load shows up directly in the numbers.
set -euo pipefail

cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-1024}
RUNS=${RUNS:-3}
LOG=${LOG:-/tmp/invokeai-lint-bench-${SIZE_MB}mb.log}
WORK=$(mktemp -d /tmp/invokeai-lint-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null

cargo build --profile dist --quiet
BIN="${CARGO_TARGET_DIR:-target}/dist/invokeai-lint"

# Build the log: all fixtures once, then double until it is big enough.
want=$((SIZE_MB * 1024 * 1024))
if [ ! -s "$LOG" ] || [ "$(stat -c %s "$LOG")" -lt "$want" ]; then
    cat fixtures/logs/*.log > "$LOG"
    while [ "$(stat -c %s "$LOG")" -lt "$want" ]; do
        cat "$LOG" "$LOG" > "$LOG.tmp"
        mv "$LOG.tmp" "$LOG"
    done
fi
size=$(stat -c %s "$LOG")
lines=$(wc -l < "$LOG")
cat "$LOG" > /dev/null # warm the page cache

# run NAME CMD... : one timed run; prints "seconds kilobytes".
# Output goes to a file, not /dev/null: GNU grep stops at the first match when its
# output is /dev/null.
run() {
    /usr/bin/time -v -o "$WORK/time" "$@" > "$WORK/out"
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time")
    # m:ss.ss -> seconds
    awk -v w="$wall" -v r="$rss" 'BEGIN { n = split(w, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f %d\n", s, r }'
}

declare -A times peak
for tool in facts grep; do
    times[$tool]=""
    peak[$tool]=0
    for _ in $(seq "$RUNS"); do
        if [ "$tool" = facts ]; then
            read -r s kb < <(run "$BIN" facts --format json "$LOG")
        else
            read -r s kb < <(run grep -c 'InvokeAI version' "$LOG")
        fi
        times[$tool]="${times[$tool]} $s"
        [ "$kb" -gt "${peak[$tool]}" ] && peak[$tool]=$kb
    done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
mf=$(echo "${times[facts]}" | median)
mg=$(echo "${times[grep]}" | median)

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
cores=$(nproc)
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
echo "Machine: ${cpu}, ${cores} cores, ${mem} RAM, $(uname -sr); locale ${LC_ALL:-${LANG:-C}}"
echo "Log: $LOG, $((size / 1048576)) MiB, ${lines} lines (fixture logs repeated)"
echo
echo "| command | runs (s) | median (s) | peak RSS (MiB) |"
echo "|---|---|---|---|"
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
printf '| `invokeai-lint facts --format json` |%s | %s | %s |\n' "${times[facts]}" "$mf" "$(mib "${peak[facts]}")"
printf '| `grep -c '"'"'InvokeAI version'"'"'` |%s | %s | %s |\n' "${times[grep]}" "$mg" "$(mib "${peak[grep]}")"
echo
awk -v f="$mf" -v g="$mg" 'BEGIN { if (g > 0) printf "facts / grep: %.1fx (floor: 3x)\n", f / g }'
