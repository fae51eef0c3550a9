#!/bin/sh
# Benchmark of `tocsin serve` (issue: the HTTP API). With 10,000 incidents
# loaded, wrk on loopback measures GET /api/v1/incidents?limit=50 (the same
# page, as a polling dashboard asks, and a different page every request),
# POST /api/v1/events at 64 connections, and the server's peak RSS.
# Goals on the 2-core machine: >= 10,000 reads/s, >= 5,000 events/s, p99 < 20 ms,
# RSS < 64 MB. Not a test: it prints figures for bench/RESULTS.md.
# Usage: bench/api.sh [SECONDS]   (needs wrk: apt-get install wrk)
set -eu
cd "$(dirname "$0")/.."
SECS=${1:-10}
command -v wrk >/dev/null || { echo "bench/api.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
make -s tocsin
W=$(mktemp -d /tmp/tocsin-bench-XXXXXX)
trap 'kill $PID 2>/dev/null; rm -rf "$W"' EXIT
export TOCSIN_DATA="$W/data"
./tocsin init >/dev/null
printf 'bench password 1\n' >"$W/pw"
./tocsin user add bench --role officer --password-file "$W/pw" >/dev/null
now=$(($(date +%s) * 1000))
sqlite3 "$TOCSIN_DATA/tocsin.db" "
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO incidents (ref, year, seq, title, category, subcategory, status, plan_version_id,
                       started_at, reported_by, created_at, updated_at)
SELECT printf('INC-2026-%05d', i), 2026, i, '门户网站监测告警 ' || i, 'network-attack', 'scanning',
       'triaged', 1, $now, 'bench', $now, $now FROM n;"
TOCSIN_QUIET=1 ./tocsin serve --listen 127.0.0.1:0 --port-file "$W/port" >/dev/null 2>&1 &
PID=$!
i=0
while [ ! -s "$W/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
BASE="http://127.0.0.1:$(cat "$W/port")"
curl -s -c "$W/jar" -d '{"name":"bench","password":"bench password 1"}' "$BASE/api/v1/session" >"$W/s"
CSRF=$(sed 's/.*"csrf_token":"\([0-9a-f]*\)".*/\1/' "$W/s")
TOKEN=$(curl -s -b "$W/jar" -H "X-CSRF-Token: $CSRF" -d '{"name":"bench"}' "$BASE/api/v1/tokens" |
    sed 's/.*"token":"\([0-9a-f]*\)".*/\1/')
cat >"$W/events.lua" <<'LUA'
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
request = function()
  n = n + 1
  -- one in five repeats an earlier fingerprint, as real detectors do
  local fp = (n % 5 == 0) and (n - 1) or n
  return wrk.format(nil, nil, nil, string.format(
    '{"source":"bench","category":"network-attack/scanning","asset":"门户网站",' ..
    '"summary":"扫描告警","fingerprint":"%d-%d"}', math.random(1, 1000000), fp))
end
LUA
cat >"$W/read.lua" <<'LUA'
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
LUA
cat >"$W/cold.lua" <<'LUA'
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
-- every request a different page, so that no answer comes from the page cache
request = function()
  return wrk.format(nil, "/api/v1/incidents?limit=50&cursor=" .. math.random(51, 10000))
end
LUA
export TOKEN
echo "== GET /api/v1/incidents?limit=50, 64 connections, ${SECS}s"
wrk -t2 -c64 -d"${SECS}s" --latency -s "$W/read.lua" "$BASE/api/v1/incidents?limit=50" |
    grep -E "Requests/sec|99%|50%|Non-2xx"
echo "== GET /api/v1/incidents?limit=50&cursor=RANDOM (no page reused), 64 connections, ${SECS}s"
wrk -t2 -c64 -d"${SECS}s" --latency -s "$W/cold.lua" "$BASE/api/v1/incidents" |
    grep -E "Requests/sec|99%|50%|Non-2xx"
echo "== POST /api/v1/events, 64 connections, ${SECS}s"
wrk -t2 -c64 -d"${SECS}s" --latency -s "$W/events.lua" "$BASE/api/v1/events" |
    grep -E "Requests/sec|99%|50%|Non-2xx"
echo "== server memory"
grep -E "VmHWM|VmRSS" "/proc/$PID/status"
