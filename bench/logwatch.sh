#!/bin/sh
# Benchmark of access-log attack detection (issue: access-log attack
# detection), side by side in one run on one generated log: 1,000,000 lines in
# nginx's combined format, about 1% attacks (the requests of
# tests/data/logs/attack), the rest ordinary portal traffic.
#   tocsin logscan, all rules          lines/s
#   fail2ban-regex, one stock filter   (goal: tocsin >= 50x its lines/s)
#   goaccess, its report of the log    (goal: tocsin >= 50x faster)
#   grep -c -i -E, twenty attack regexes, no parsing or decoding
#                                      (goal: tocsin at least as fast)
#   cat > /dev/null                    (the floor)
# Each is run RUNS times, the fast three in turns; medians are printed. Not a
# test: it prints figures for bench/RESULTS.md.
# Usage: bench/logwatch.sh [LINES] [RUNS]  (needs fail2ban and goaccess:
#        apt-get install fail2ban goaccess)
set -eu
cd "$(dirname "$0")/.."
LINES=${1:-1000000}
RUNS=${2:-3}
for t in fail2ban-regex goaccess; do
    command -v $t >/dev/null || { echo "bench/logwatch.sh: $t is not installed" >&2; exit 2; }
done
make -s tocsin >/dev/null
W=$(mktemp -d /tmp/tocsin-bench-XXXXXX)
trap 'rm -rf "$W"' EXIT
LOG="$W/access.log"

echo "generating $LINES lines…"
python3 - "$LOG" "$LINES" tests/data/logs/attack/*.log <<'PY'
import random, sys
out, n, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
r = random.Random(20986)
attacks = []
for f in files:
    for l in open(f, encoding="utf-8", errors="surrogateescape"):
        # keep the request, status, size, referer and agent; new client and time
        attacks.append(l.rstrip("\n").split("] ", 1)[1])
uas = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
       "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 MicroMessenger/8.0.44",
       "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
       "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
       "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"]
paths = ["/", "/index.html", "/xxgk/zcwj/202611/t20261120_%d.html", "/zwgk/tzgg/index_%d.html",
         "/news/show.php?id=%d", "/css/main.css?v=2026%d", "/images/banner/%d.jpg",
         "/search?q=%%E6%%94%%BF%%E5%%8A%%A1+%d", "/api/v1/notices?page=%d&limit=20"]
refs = ["-", "https://www.baidu.com/link?url=abc", "https://portal.example.gov.cn/"]
mon = "Nov"
with open(out, "w", encoding="utf-8", errors="surrogateescape") as o:
    t = 0
    for i in range(n):
        t += r.random() * 0.17   # about a day for a million lines
        s = int(t)
        ts = "27/%s/2026:%02d:%02d:%02d +0800" % (mon, (s // 3600) % 24, (s // 60) % 60, s % 60)
        ip = "%d.%d.%d.%d" % (r.choice((10, 36, 58, 114, 183, 223)), r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
        if r.random() < 0.01:
            o.write('%s - - [%s] %s\n' % (ip, ts, r.choice(attacks)))
            continue
        p = r.choice(paths)
        if "%d" in p:
            p = p % r.randint(1, 99999)
        st = 200 if r.random() < 0.93 else r.choice((304, 404, 302))
        o.write('%s - - [%s] "GET %s HTTP/1.1" %d %d "%s" "%s"\n' % (ip, ts, p, st, r.randint(200, 90000), r.choice(refs), r.choice(uas)))
PY
# The log just written is still being written back: out of the way first.
sync
BYTES=$(wc -c <"$LOG")
echo "log: $LINES lines, $((BYTES / 1048576)) MiB"

# seconds for a command, as a decimal. Output goes to a file, not /dev/null:
# GNU grep stops at the first match when its output is /dev/null.
secs() {
    s=$(date +%s.%N)
    "$@" >"$W/out" 2>&1 || true
    e=$(date +%s.%N)
    echo "$e - $s" | bc -l
}
median() { sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'; }

REGEX=bench/grep-attacks.txt # the twenty attack regexes grep is given
once() { # name command…: one timing, added to the name's
    name=$1
    shift
    secs "$@" >>"$W/s.$name"
}
show() { # name: the median of its timings
    median <"$W/s.$1" >"$W/t.$1"
    printf '%-22s %8s s  %12.0f lines/s\n' "$1" "$(cat "$W/t.$1")" \
        "$(echo "$LINES / $(cat "$W/t.$1")" | bc -l)"
}
# The fast three take turns, round after round, so that a busy moment of a
# shared machine falls on each of them alike; the slow two run after them.
i=0
while [ $i -lt "$RUNS" ]; do
    once tocsin ./tocsin logscan "$LOG"
    once grep grep -c -i -E -f "$REGEX" "$LOG"
    once cat sh -c 'cat "$1" >/dev/null' cat "$LOG"
    i=$((i + 1))
done
i=0
while [ $i -lt "$RUNS" ]; do
    once goaccess goaccess "$LOG" --log-format=COMBINED -o "$W/report.html"
    once fail2ban fail2ban-regex "$LOG" /etc/fail2ban/filter.d/nginx-botsearch.conf
    i=$((i + 1))
done
for name in tocsin grep cat goaccess fail2ban; do show $name; done
./tocsin logscan "$LOG" --json | jq -r '"tocsin found \(.detections | length) detections, \([.detections[].count] | add) hits, \(.skipped) lines skipped"'
t=$(cat "$W/t.tocsin")
for peer in fail2ban goaccess grep cat; do
    printf 'tocsin vs %-9s %8.2fx\n' "$peer" "$(echo "$(cat "$W/t.$peer") / $t" | bc -l)"
done
