#!/bin/sh
# Benchmark of website monitoring (issue: website monitoring), side by side
# with prometheus-blackbox-exporter probing the same ~50 KB portal page served
# by nginx on loopback:
#   checks/s      blackbox-exporter driven by wrk -c32, against tocsin serve
#                 holding MONITORS monitors at a 1 s interval (per-host limit 32)
#                 with full page analysis on (an unchanged body is not analysed
#                 again); goal: tocsin >= 3x blackbox
#   analysis      a changed 50 KB page decoded and analysed, pages/s on one core
#                 (bench/analyse.c); goal >= 1,000; also the same page with a
#                 misnested tail, which the fast parser leaves to gumbo
#   idle cost     10,000 monitors at 60 s: CPU share of one core and peak RSS over
#                 the second minute; goal < 10 % and < 64 MB
# Not a test: it prints figures for bench/RESULTS.md.
# Usage: bench/probe.sh [SECONDS] [MONITORS]
#   (needs nginx, wrk, prometheus-blackbox-exporter: apt-get install nginx-light wrk
#    prometheus-blackbox-exporter)
set -eu
cd "$(dirname "$0")/.."
SECS=${1:-10}
MONITORS=${2:-8000}
for t in wrk prometheus-blackbox-exporter /usr/sbin/nginx sqlite3; do
    command -v "$t" >/dev/null || { echo "bench/probe.sh: $t is not installed" >&2; exit 2; }
done
make -s tocsin build
W=$(mktemp -d /tmp/tocsin-bench-XXXXXX)
PIDS=""
trap 'kill $PIDS 2>/dev/null; kill $(cat "$W/nginx.pid" 2>/dev/null) 2>/dev/null; rm -rf "$W"' EXIT
LIBS=$(pkg-config --libs sqlite3 libsodium libcrypto libzstd inih \
    jansson libmicrohttpd yara libclamav libhs libpcre2-8 zlib gumbo libcurl libuv opencc)
cc -O2 -std=c17 -D_GNU_SOURCE -Isrc $(pkg-config --cflags jansson) -o "$W/analyse" \
    bench/analyse.c build/release/libtocsin.a $LIBS -lpthread -lm

port() { echo $((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000)); }
mkdir -p "$W/www" "$W/tmp"
cp bench/portal-50k.html "$W/www/index.html"
NP=$(port)
user=""
[ "$(id -u)" -eq 0 ] && user="user root;"
cat >"$W/nginx.conf" <<EOF
$user
worker_processes 1;
pid $W/nginx.pid;
error_log $W/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $W/tmp;
    keepalive_requests 1000000;
    server { listen 127.0.0.1:$NP; root $W/www; default_type text/html; }
}
EOF
/usr/sbin/nginx -p "$W" -c "$W/nginx.conf"
URL="http://127.0.0.1:$NP/index.html"
curl -sf -o /dev/null "$URL"
echo "page: $(wc -c <"$W/www/index.html") bytes at $URL"

# ---- blackbox-exporter ---------------------------------------------------------------
BP=$(port)
cat >"$W/blackbox.yml" <<EOF
modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
EOF
prometheus-blackbox-exporter --config.file="$W/blackbox.yml" \
    --web.listen-address="127.0.0.1:$BP" >"$W/blackbox.log" 2>&1 &
PIDS="$PIDS $!"
i=0
until curl -sf -o /dev/null "http://127.0.0.1:$BP/-/healthy" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
PROBE="http://127.0.0.1:$BP/probe?module=http_2xx&target=$URL"
curl -s "$PROBE" | grep -q '^probe_success 1' || { echo "blackbox-exporter does not probe" >&2; exit 1; }
bb=$(wrk -t2 -c32 -d"${SECS}s" "$PROBE" | awk '/Requests\/sec/ {print $2}')
echo "blackbox-exporter: $bb probes/s (wrk -c32, ${SECS} s)"

# ---- tocsin serve with MONITORS monitors at 1 s ------------------------------------------
serve_with() { # N INTERVAL
    rm -rf "$W/data"
    TOCSIN_DATA="$W/data" ./tocsin init >/dev/null
    now=$(($(date +%s) * 1000))
    sqlite3 "$W/data/tocsin.db" "
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
INSERT INTO monitors (url, asset, interval_s, cloak, created_at, updated_at)
SELECT '$URL', '门户网站', $2, 1, $now, $now FROM n;
INSERT INTO meta (key, value) VALUES ('probe.per_host', '32')
ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
    TOCSIN_DATA="$W/data" TOCSIN_QUIET=1 ./tocsin serve --listen 127.0.0.1:0 \
        --port-file "$W/port" >/dev/null 2>"$W/serve.err" &
    SPID=$!
    PIDS="$PIDS $SPID"
}
results() { sqlite3 "$W/data/tocsin.db" "SELECT count(*) FROM probe_results"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SPID/stat"; }

serve_with "$MONITORS" 1
# Every monitor's first check analyses the page and stores its baseline; after
# that only changes are analysed. Measured once every monitor has been checked.
i=0
while [ "$(sqlite3 "$W/data/tocsin.db" 'SELECT count(*) FROM monitors WHERE last_check IS NULL')" != 0 ] &&
    [ $i -lt 180 ]; do sleep 1; i=$((i + 1)); done
sleep 5
a=$(results)
sleep "$SECS"
z=$(results)
kill "$SPID"
wait "$SPID" 2>/dev/null || true
ts=$(((z - a) / SECS))
echo "tocsin: $ts checks/s ($MONITORS monitors at 1 s, ${SECS} s)"
echo "ratio: $(echo "$ts $bb" | awk '{printf "%.2f", $1 / $2}')x (goal >= 3x)"

# ---- analysis of a changed page -----------------------------------------------------------
pps=$("$W/analyse" "$W/www/index.html" 2000)
gps=$("$W/analyse" "$W/www/index.html" 500 gumbo)
echo "analysis: $pps pages/s on one core (goal >= 1000); a page left to gumbo: $gps pages/s"

# ---- 10,000 monitors at 60 s ----------------------------------------------------------------
serve_with 10000 60
sleep 70
c0=$(cpu_ticks)
sleep 60
c1=$(cpu_ticks)
hz=$(getconf CLK_TCK)
rss=$(awk '/VmHWM/ {print $2}' "/proc/$SPID/status")
kill "$SPID"
echo "10,000 monitors at 60 s: $(echo "$c0 $c1 $hz" | awk '{printf "%.1f", 100 * ($2 - $1) / $3 / 60}')% of one core over the second minute, peak RSS $((rss / 1024)) MB (goal < 10 %, < 64 MB)"
