#!/bin/sh
# Benchmark of access-log detection on logs of shapes logwatch was not tuned
# on (issue: access-log detection), from bench/loggen_shapes.py: paths 1-8
# deep, 0-6 query parameters of 1-200 characters, fifty-odd real user agents,
# about 1 % attacks. One log per client count: 100, 10,000 and 1,000,000
# addresses, and "new", an address never seen before on every line. For each,
# side by side, RUNS times in turns, medians printed:
#   tocsin logscan, all rules, detections to a file
#   grep -i -E, twenty attack regexes (bench/grep-attacks.txt), matching lines
#     to a file (to /dev/null GNU grep stops at the first match)
# Goals: tocsin at least as fast as grep on every log; tocsin on "new" at no
# less than a third of its speed on the 100-client log.
# The seed is drawn at run time and printed; give SEED to repeat a run.
# Usage: bench/logwatch-shapes.sh [LINES] [RUNS] [SEED]
set -eu
cd "$(dirname "$0")/.."
LINES=${1:-1000000}
RUNS=${2:-5}
SEED=${3:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
make -s tocsin >/dev/null
W=$(mktemp -d /tmp/tocsin-bench-XXXXXX)
trap 'rm -rf "$W"' EXIT
echo "seed $SEED, $LINES lines per log, $RUNS runs"

secs() { # seconds for a command, its output to a file
    s=$(date +%s.%N)
    "$@" >"$W/out" 2>&1 || true
    e=$(date +%s.%N)
    awk -v s="$s" -v e="$e" 'BEGIN {printf "%.4f\n", e - s}'
}
median() { sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'; }

printf '%-9s %6s %9s %9s %10s %8s\n' clients MiB tocsin grep 'lines/s' 'vs grep'
for clients in 100 10000 1000000 new; do
    LOG="$W/access-$clients.log"
    python3 bench/loggen_shapes.py "$LOG" "$LINES" "$clients" "$SEED" \
        tests/data/logs/attack/*.log >/dev/null
    sync
    : >"$W/s.tocsin"
    : >"$W/s.grep"
    i=0
    while [ $i -lt "$RUNS" ]; do
        secs ./tocsin logscan "$LOG" >>"$W/s.tocsin"
        secs grep -i -E -f bench/grep-attacks.txt "$LOG" >>"$W/s.grep"
        i=$((i + 1))
    done
    t=$(median <"$W/s.tocsin")
    g=$(median <"$W/s.grep")
    echo "$t" >"$W/t.$clients"
    awk -v c="$clients" -v b="$(wc -c <"$LOG")" -v t="$t" -v g="$g" -v n="$LINES" \
        'BEGIN {printf "%-9s %6.0f %8.3fs %8.3fs %10.0f %7.2fx\n", c, b / 1048576, t, g, n / t, g / t}'
    rm -f "$LOG"
done
awk -v p="$(cat "$W/t.100")" -v n="$(cat "$W/t.new")" \
    'BEGIN {printf "a new address on every line: %.2f of the speed with 100 clients\n", p / n}'
