#!/bin/sh
# Benchmark of backups (issue: preparedness), side by side with tar and zstd
# in the same run on the same generated web root (bench/webroot.py, 50,000
# files, about 1.2 GB):
#   backup      tocsin backup run (write and sync the archive while reading it
#               back from the file, every file's hash compared)
#                                          vs  tar -c | zstd -o   (goal <= 1.5x)
#   restore     tocsin backup restore (hashes checked while writing)
#                                          vs  zstd -dc | tar -x  (goal <= 1.2x)
# Both at zstd level 3 (zstd's default); tocsin with its default two
# compression workers; the tree and the archives in the page cache for both.
# tocsin syncs its archive before renaming it into place; tar and zstd do not,
# so the peer is also timed with `sync ARCHIVE` after it, like for like.
# Not a test: it prints figures for bench/RESULTS.md.
# Usage: bench/backup.sh [FILES] [RUNS]
set -eu
cd "$(dirname "$0")/.."
FILES=${1:-50000}
RUNS=${2:-3}
make -s tocsin >/dev/null
command -v zstd >/dev/null || { echo "bench/backup.sh: zstd is not installed" >&2; exit 2; }
W=$(mktemp -d /tmp/tocsin-bench-XXXXXX)
trap 'rm -rf "$W"' EXIT
TREE="$W/www"
echo "generating $FILES files…"
python3 bench/webroot.py "$TREE" "$FILES"
BYTES=$(du -sb "$TREE" | cut -f1)
find "$TREE" -type f -print0 | xargs -0 cat >/dev/null

export TOCSIN_DATA="$W/data"
./tocsin init >/dev/null
echo "a long enough password" | ./tocsin user add b --role officer --password-file /dev/stdin >/dev/null
./tocsin backup add www --path "$TREE" --dest "$W/arch" --every 0 --keep 1 --as b >/dev/null

# ms CMD…: wall milliseconds of one run (the command must succeed)
ms() {
    s=$(date +%s%N)
    "$@" >/dev/null 2>"$W/err" || { cat "$W/err" >&2; exit 1; }
    e=$(date +%s%N)
    echo $(((e - s) / 1000000))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
tarzstd() { tar -cf - -C "$TREE" . | zstd -q -f -o "$W/peer.tar.zst"; }
# the same, with the archive on disk when it ends (as tocsin's is: it syncs before the rename)
tarzstd_sync() { tarzstd && sync "$W/peer.tar.zst"; }
untar() { mkdir "$W/peer-out" && zstd -dc "$W/peer.tar.zst" | tar -xf - -C "$W/peer-out"; }

for i in $(seq "$RUNS"); do
    echo "run $i of $RUNS…"
    sync
    ms tarzstd >>"$W/pb"
    sync
    ms tarzstd_sync >>"$W/ps"
    sync
    ms ./tocsin backup run www >>"$W/tb"
    rm -rf "$W/peer-out" "$W/out"
    sync
    ms untar >>"$W/pr"
    sync
    ms ./tocsin backup restore www --to "$W/out" >>"$W/tr"
done
diff -r "$TREE" "$W/out" >/dev/null && echo "restored tree identical to the source"
PB=$(median <"$W/pb"); PS=$(median <"$W/ps"); TB=$(median <"$W/tb"); PR=$(median <"$W/pr"); TR=$(median <"$W/tr")
ASIZE=$(sqlite3 "$W/data/tocsin.db" "SELECT size FROM backup_runs WHERE state = 'good' ORDER BY id DESC LIMIT 1")
PSIZE=$(stat -c %s "$W/peer.tar.zst")
cat <<REPORT

bench/backup.sh — $(date -u +%Y-%m-%d), $(nproc) cores, $FILES files, $((BYTES / 1048576)) MiB, medians of $RUNS
backup + verification   tocsin ${TB} ms  vs  tar | zstd ${PB} ms   $(echo "scale=2; $TB / $PB" | bc)x   (goal <= 1.5x)
                        tocsin ${TB} ms  vs  tar | zstd, then sync of the archive ${PS} ms   $(echo "scale=2; $TB / $PS" | bc)x
restore                 tocsin ${TR} ms  vs  zstd -d | tar -x ${PR} ms   $(echo "scale=2; $TR / $PR" | bc)x   (goal <= 1.2x)
archive size            tocsin $((ASIZE / 1048576)) MiB  vs  tar | zstd $((PSIZE / 1048576)) MiB
runs (ms)               tocsin backup $(tr '\n' ' ' <"$W/tb")| tar+zstd $(tr '\n' ' ' <"$W/pb")| +sync $(tr '\n' ' ' <"$W/ps")
                        tocsin restore $(tr '\n' ' ' <"$W/tr")| zstd+tar $(tr '\n' ' ' <"$W/pr")
REPORT
