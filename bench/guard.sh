#!/bin/sh
# Benchmark of the web-root guard (issue: web-root guard), side by side with
# AIDE in the same run on the same generated tree (50,000 files, about 1 GB):
#   baseline creation      tocsin scan --baseline   vs  aide --init   (goal >= 5x)
#   unchanged re-check     tocsin scan --baseline   vs  aide --check  (goal >= 50x)
#   forced full re-hash    tocsin scan --full       vs  aide --check  (goal >= 5x)
#   hashing throughput     tocsin --full bytes/s (the tree; 8 x 128 MiB files)
#                                                   vs  openssl speed -evp sha256 -multi N
#                                                     (goal: within 80%)
#   change-to-restore      1,000 tamperings of a guarded file (goal: median < 10 ms,
#                          p99 < 50 ms)
#   protected store size   objects/ against the tree (goal <= 1.1x)
# Both tools get as many workers as the machine has cores, SHA-256 and the same
# attributes. Not a test: it prints figures for bench/RESULTS.md.
# Usage: bench/guard.sh [FILES] [RUNS]   (needs aide: apt-get install aide)
set -eu
cd "$(dirname "$0")/.."
FILES=${1:-50000}
RUNS=${2:-3}
command -v aide >/dev/null || { echo "bench/guard.sh: aide is not installed (apt-get install aide)" >&2; exit 2; }
make -s tocsin >/dev/null
CORES=$(nproc)
W=$(mktemp -d /tmp/tocsin-bench-XXXXXX)
trap 'kill $GPID 2>/dev/null; rm -rf "$W"' EXIT
GPID=
TREE="$W/www"
cc -O2 -o "$W/tamper" bench/tamper.c

echo "generating $FILES files…"
python3 bench/webroot.py "$TREE" "$FILES"
BYTES=$(du -sb "$TREE" | cut -f1)
echo "tree: $FILES files, $((BYTES / 1048576)) MiB"

cat >"$W/aide.conf" <<EOF
database_in=file:$W/aide.db
database_out=file:$W/aide.db.new
gzip_dbout=no
report_url=file:$W/aide.report
Tocsin = p+i+n+u+g+s+m+c+sha256
$TREE Tocsin
EOF

# t CMD…: wall seconds of one run. Dirty pages of the run before are written
# out first (untimed): a tool that syncs its output (tocsin syncs its
# baseline) would otherwise wait for the other tool's unsynced writes.
t() {
    sync
    s=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    e=$(date +%s.%N)
    echo "$e - $s" | bc -l
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
drop() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true; }

# Warm the page cache once so that both read from memory alike.
find "$TREE" -type f -print0 | xargs -0 cat >/dev/null

echo "baseline creation (median of $RUNS)…"
: >"$W/ti"; : >"$W/ai"
for r in $(seq "$RUNS"); do
    rm -f "$W/b"
    t ./tocsin scan "$TREE" --baseline "$W/b" --workers "$CORES" >>"$W/ti"
    rm -f "$W/aide.db.new"
    t aide --config="$W/aide.conf" --init --workers="$CORES" >>"$W/ai"
done
mv "$W/aide.db.new" "$W/aide.db"
TI=$(median <"$W/ti"); AI=$(median <"$W/ai")

echo "unchanged re-check…"
: >"$W/tc"; : >"$W/ac"
for r in $(seq "$RUNS"); do
    t ./tocsin scan "$TREE" --baseline "$W/b" --workers "$CORES" >>"$W/tc"
    t aide --config="$W/aide.conf" --check --workers="$CORES" >>"$W/ac"
done
TC=$(median <"$W/tc"); AC=$(median <"$W/ac")

echo "forced full re-hash…"
: >"$W/tf"
for r in $(seq "$RUNS"); do
    t ./tocsin scan "$TREE" --baseline "$W/b" --full --workers "$CORES" >>"$W/tf"
done
TF=$(median <"$W/tf")

OSSL=$(openssl speed -evp sha256 -multi "$CORES" -seconds 3 -bytes 262144 2>/dev/null |
    awk '/^sha256/ {v=$NF; sub("k","",v); printf "%.0f\n", v * 1000}' | tail -1)
TPUT=$(echo "$BYTES / $TF" | bc -l)
# Throughput where per-file costs do not count: eight files of 128 MiB.
mkdir -p "$W/big"
for i in 1 2 3 4 5 6 7 8; do head -c 128M /dev/urandom >"$W/big/f$i"; done
cat "$W/big"/* >/dev/null
./tocsin scan "$W/big" --baseline "$W/bb" >/dev/null 2>&1
: >"$W/tb"
for r in $(seq "$RUNS"); do
    t ./tocsin scan "$W/big" --baseline "$W/bb" --full --workers "$CORES" >>"$W/tb"
done
TBIG=$(echo "1073741824 / $(median <"$W/tb")" | bc -l)
rm -rf "$W/big"

echo "protected store…"
TS=$(t ./tocsin scan "$TREE" --data "$W/data" --workers "$CORES")
STORE=$(du -sb "$W/data/objects" | cut -f1)

echo "change-to-restore over 1,000 tamperings…"
G="$W/site"
mkdir -p "$G/news"
i=0
while [ $i -lt 200 ]; do echo "<html>page $i</html>" >"$G/news/p$i.html"; i=$((i + 1)); done
echo '<html><body>首页 — portal home page</body></html>' >"$G/index.html"
TOCSIN_QUIET=1 ./tocsin guard "$G" --data "$W/gdata" >"$W/guard.log" 2>&1 &
GPID=$!
sleep 2
"$W/tamper" "$G/index.html" 1000 >"$W/lat"
kill -TERM $GPID; wait $GPID || true
GPID=
LMED=$(sort -n "$W/lat" | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)] / 1000}')
LP99=$(sort -n "$W/lat" | awk '{a[NR]=$1} END {printf "%.2f", a[int(NR * 0.99)] / 1000}')
GMED=$(jq -r 'select(.restore_ms) | .restore_ms' "$W/guard.log" | median)

r() { echo "scale=1; $1 / $2" | bc -l; }
cat <<EOF

bench/guard.sh — $(date -u +%Y-%m-%d), $CORES cores, $FILES files, $((BYTES / 1048576)) MiB, medians of $RUNS
                         tocsin      aide       ratio   goal
baseline creation        ${TI}s   ${AI}s   $(r "$AI" "$TI")x   >= 5x
unchanged re-check       ${TC}s   ${AC}s   $(r "$AC" "$TC")x   >= 50x
full re-hash (--full)    ${TF}s   ${AC}s   $(r "$AC" "$TF")x   >= 5x
hashing throughput       $(r "$TPUT" 1048576) MiB/s on the tree, $(r "$TBIG" 1048576) MiB/s on 128 MiB files; openssl $(r "$OSSL" 1048576) MiB/s = $(echo "scale=2; $TPUT / $OSSL" | bc -l) / $(echo "scale=2; $TBIG / $OSSL" | bc -l)   >= 0.80
change-to-restore        median ${LMED} ms, p99 ${LP99} ms (guard's own restore_ms median ${GMED} ms)   < 10 / < 50 ms
protected store          $((STORE / 1048576)) MiB for $((BYTES / 1048576)) MiB = $(echo "scale=2; $STORE / $BYTES" | bc -l)x (made in ${TS}s)   <= 1.1x
EOF
