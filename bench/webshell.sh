#!/bin/sh
# Webshell detection: recall on a collection of webshells and false alarms on
# benign application trees, per language (PHP, JSP/JSPX, ASP/ASPX), and the
# throughput of `tocsin scan --webshell` beside Debian's yara running a rule set
# of one's choice over the same files, in one run.
#
# usage: bench/webshell.sh MALICIOUS_DIR BENIGN_DIR... [-- YARA_RULE_FILE...]
#   e.g. bench/webshell.sh ws/samples/webshell ws/samples/nonwebshell debs/* -- sigbase/*.yar
# Nothing here is downloaded: the collections and rule files are taken by path
# (docs/guard.md says which were used for development). RUNS (default 3) sets
# how often each scan is timed; the median is printed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tocsin=${TOCSIN:-$here/../tocsin}
runs=${RUNS:-3}
[ $# -ge 2 ] || { echo "usage: $0 MALICIOUS_DIR BENIGN_DIR... [-- YARA_RULE_FILE...]" >&2; exit 2; }
[ -x "$tocsin" ] || { echo "$0: build tocsin first (make)" >&2; exit 2; }
mal=$1; shift
benign=""; rules=""; after=0
for a in "$@"; do
    if [ "$a" = "--" ]; then after=1; continue; fi
    if [ $after = 1 ]; then rules="$rules $a"; else benign="$benign $a"; fi
done
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# The files named, as absolute paths, from tocsin's JSON.
found() {
    python3 -c '
import json, os, sys
d = json.load(sys.stdin)
for p in sorted({m["path"] for m in d["matches"]}):
    print(os.path.join(d["root"], p))'
}

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# Times one command RUNS times; prints the median seconds.
timed() {
    i=0
    while [ $i -lt "$runs" ]; do
        s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
        awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f\n", e - s }'
        i=$((i + 1))
    done | median
}

# mib BYTES [SECONDS]: MiB, or MiB per second
mib() { awk -v b="$1" -v t="${2:-1}" 'BEGIN { printf "%d", b / 1048576 / t }'; }

size_of() { du -sbL "$@" 2>/dev/null | awk '{s+=$1} END {print s}'; }

: > "$work/found"
for d in "$mal" $benign; do
    "$tocsin" scan --webshell "$d" --json > "$work/out.json" || [ $? -eq 1 ]
    found < "$work/out.json" >> "$work/found"
done
# shellcheck disable=SC2086
python3 "$here/webshell_score.py" --malicious "$mal" --benign $benign --found "$work/found" \
    --missed "${MISSED:-60}"

echo "throughput (median of $runs)"
for d in "$mal" $benign; do
    bytes=$(size_of "$d")
    t=$(timed "$tocsin" scan --webshell "$d" --json)
    line="  $(basename "$d"): $(mib "$bytes") MiB: tocsin $t s ($(mib "$bytes" "$t") MiB/s)"
    if [ -n "$rules" ] && command -v yara >/dev/null; then
        # yara runs with the external variables some rule sets expect.
        # shellcheck disable=SC2086
        y=$(timed yara -r -w -d filename=x -d filepath=x -d extension=x -d filetype=x -d owner=x $rules "$d")
        line="$line, yara $y s ($(mib "$bytes" "$y") MiB/s)"
    fi
    echo "$line"
done

if [ -n "$rules" ] && command -v yara >/dev/null; then
    : > "$work/yfound"
    for d in "$mal" $benign; do
        # shellcheck disable=SC2086
        yara -r -w -d filename=x -d filepath=x -d extension=x -d filetype=x -d owner=x $rules "$d" 2>/dev/null |
            awk '{ $1 = ""; sub(/^ /, ""); print }' | sort -u >> "$work/yfound" || true
    done
    # shellcheck disable=SC2086
    python3 "$here/webshell_score.py" --label yara --malicious "$mal" --benign $benign \
        --found "$work/yfound" --missed 0
fi
