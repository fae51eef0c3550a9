# `tocsin serve` end to end over real HTTP on loopback: sign-in, cookies,
# CSRF, sessions and their expiry, throttling, API tokens and their scopes,
# the role × route matrix, the API description, bad requests of every class,
# and a graceful stop with a request in flight.
. "$(dirname "$0")/lib.sh"
export TOCSIN_DATA="$T/data"
"$TOCSIN" init --org 示范开发区管委会 >"$T/init" || { not_ok "init"; exit 1; }
ADMIN_PW=$(sed -n 's/^password: //p' "$T/init")
printf 'a long enough password\n' >"$T/pw"
for u in lead:leader zhou:officer aud:auditor; do
    "$TOCSIN" user add "${u%%:*}" --role "${u##*:}" --password-file "$T/pw" >/dev/null
done
"$TOCSIN" user add xc --role department --department 宣传部 --password-file "$T/pw" >/dev/null
"$TOCSIN" setting set server.timeout_s 2 --as admin >/dev/null 2>&1 ||
    "$TOCSIN" setting set server.timeout_s 2 --as lead >/dev/null
"$TOCSIN" setting set server.max_body_bytes 65536 --as lead >/dev/null
serve_start
[ -s "$T/port" ] && ok "the server starts on a free loopback port" || { not_ok "server start" "$T/serve.err"; exit 1; }
grep -q "^URL: http://127.0.0.1:" "$T/serve.out" && ok "it prints its URL" || not_ok "URL line" "$T/serve.out"

http GET /healthz
status 200 "/healthz answers"
grep -qi '^Content-Security-Policy: .*script-src .self.' "$HDR" && ok "a strict CSP on every answer" || not_ok "CSP" "$HDR"
for h in "X-Content-Type-Options: nosniff" "Referrer-Policy: no-referrer" "frame-ancestors 'none'"; do
    grep -qi "$h" "$HDR" && ok "header $h" || not_ok "header $h" "$HDR"
done

# Signing in.
JAR="$T/jar.zhou"
http POST /api/v1/session '{"name":"zhou","password":"wrong password!"}'
status 401 "a wrong password is 401"
jq -e '.error.code == "unauthorized" and .error.message == "wrong user name or password"' "$OUT" >/dev/null &&
    ok "the error has the documented shape" || not_ok "error shape" "$OUT"
http POST /api/v1/session '{"name":"zhou","password":"a long enough password"}'
status 200 "the right password signs in"
CSRF_ZHOU=$(jq -r .csrf_token "$OUT")
jq -e '.user == "zhou" and .role == "officer" and (.csrf_token | length) == 64' "$OUT" >/dev/null &&
    ok "sign-in answers user, role and a CSRF token" || not_ok "sign-in body" "$OUT"
grep -i '^Set-Cookie: tocsin_session=' "$HDR" | grep -qi 'HttpOnly' &&
    grep -i '^Set-Cookie: tocsin_session=' "$HDR" | grep -qi 'SameSite=Strict' &&
    ok "the session cookie is HttpOnly and SameSite=Strict" || not_ok "cookie flags" "$HDR"
token=$(awk '$6 == "tocsin_session" {print $7}' "$JAR")
n=$(sqlite3 "$TOCSIN_DATA/tocsin.db" "SELECT count(*) FROM sessions WHERE token_hash = '$token'")
same "$n" "0" "the session token is not stored, only its hash"

http POST /api/v1/incidents '{"title":"门户网站首页被篡改","category":"information-destruction/tampering"}'
status 403 "a change without the CSRF header is refused"
jq -e '.error.code == "csrf"' "$OUT" >/dev/null && ok "and says CSRF" || not_ok "csrf code" "$OUT"
CSRF=$CSRF_ZHOU
http POST /api/v1/incidents '{"title":"门户网站首页被篡改","category":"information-destruction/tampering"}'
status 201 "with it, the officer opens an incident"
REF=$(jq -r .ref "$OUT")
case "$REF" in INC-*) ok "the answer carries the new ref" ;; *) not_ok "ref" "$OUT" ;; esac
http GET "/api/v1/incidents?limit=1"
status 200 "the incident list"
jq -e --arg r "$REF" '.items[0].ref == $r and has("next_cursor")' "$OUT" >/dev/null &&
    ok "is paginated with items and next_cursor" || not_ok "list shape" "$OUT"

# Bad requests, each class answered for what it is, nothing stored. (The
# notifier first records that it announced the new incident.)
wait_for '[ "$(sqlite3 "$TOCSIN_DATA/tocsin.db" "SELECT count(*) FROM incidents WHERE notified_level IS NULL")" = 0 ]' 50
before=$(dbsum "$TOCSIN_DATA")
http POST /api/v1/incidents '{"title": "x", "category": '
status 400 "malformed JSON is 400"
http POST /api/v1/incidents '{"title": 5, "category": "other"}'
status 400 "a wrong type is 400"
jq -e '.error.field == "title"' "$OUT" >/dev/null && ok "naming the field" || not_ok "field" "$OUT"
http POST /api/v1/incidents '{"title": "x", "category": "other", "colour": "red"}'
status 400 "an unknown field is 400"
http POST /api/v1/incidents '{"title": "x", "category": "alien-invasion"}'
status 422 "an unknown category is 422"
# A message's first word is a field only when the request has it.
http POST /api/v1/monitors '{"url": "http://127.0.0.1:9/", "expect_ips": "1.2.3"}'
status 422 "a monitor with an address that is not one is 422"
jq -e '.error.field == null and (.error.message | contains("1.2.3"))' "$OUT" >/dev/null &&
    ok "…naming the address, and no field the request does not have" || not_ok "monitor field" "$OUT"
http POST /api/v1/monitors '{"url": "http://127.0.0.1:9/", "interval_s": "60"}'
status 400 "a monitor's interval as text is 400"
jq -e '.error.field == "interval_s"' "$OUT" >/dev/null && ok "…naming the field" || not_ok "interval field" "$OUT"
http POST /api/v1/monitors '{"url": "http://127.0.0.1:9/", "words_file": "/etc/shadow"}'
status 400 "a words file (a path on the host) is not set through the API"
printf '{"title": "\377\376", "category": "other"}' >"$T/badutf8"
code=$(curl -s -o "$OUT" -w '%{http_code}' -b "$JAR" -H "X-CSRF-Token: $CSRF" --data-binary @"$T/badutf8" "$BASE/api/v1/incidents")
status 400 "bad UTF-8 is 400"
head -c 100000 /dev/zero | tr '\0' 'a' | sed 's/^/{"title":"/; s/$/","category":"other"}/' >"$T/big"
code=$(curl -s -o "$OUT" -w '%{http_code}' -b "$JAR" -H "X-CSRF-Token: $CSRF" --data-binary @"$T/big" "$BASE/api/v1/incidents")
status 413 "an oversized body is 413"
http GET "/api/v1/incidents/..%2F..%2Fetc%2Fpasswd"
status 404 "path traversal in a parameter is 404"
http GET "/api/v1/incidents/INC-2026-0001%27%20OR%201=1"
status 404 "SQL in a parameter is 404"
http POST "/api/v1/incidents/$REF/status" '{"status":"assessed"}'
status 409 "an illegal transition is 409"
http GET /api/v1/nowhere
status 404 "an unknown path is 404"
http DELETE /api/v1/incidents
status 405 "a wrong method is 405"
same "$(dbsum "$TOCSIN_DATA")" "$before" "no bad request changed the database"
http POST /api/v1/monitors '{"url": "http://127.0.0.1:9/", "asset": "OA系统", "interval_s": 3600, "enabled": false}'
status 201 "a monitor is added through the API"
mid=$(jq -r .id "$OUT")
jq -e '.enabled == false and .interval_s == 3600 and .timeout_s == 10 and .pages == []' "$OUT" >/dev/null &&
    ok "…answered as stored, with the defaults" || not_ok "monitor add" "$OUT"
http PATCH "/api/v1/monitors/$mid" '{"retries": 0, "relearn": true}'
status 200 "a monitor is changed through the API"
jq -e '.retries == 0 and .learning == true and .asset == "OA系统"' "$OUT" >/dev/null &&
    ok "…only the fields given" || not_ok "monitor edit" "$OUT"
http GET "/api/v1/monitors/$mid/pages/1"
status 404 "a page the monitor did not keep is 404"
http DELETE "/api/v1/monitors/$mid"
status 200 "a monitor is removed through the API"
[ "$(sqlite3 "$TOCSIN_DATA/tocsin.db" "SELECT group_concat(action) FROM audit WHERE object = 'monitor:$mid'")" = \
    "monitor.add,monitor.relearn,monitor.rm" ] && ok "…each change audited" || not_ok "monitor audit" ""

http POST /api/v1/incidents '{"title":"x'"'"'); DROP TABLE incidents; -- <script>alert(1)</script>","category":"other"}'
status 201 "SQL and script text is accepted as data"
jq -e '.title == "x'"'"'); DROP TABLE incidents; -- <script>alert(1)</script>"' "$OUT" >/dev/null &&
    ok "and returned verbatim" || not_ok "verbatim" "$OUT"

# Events from other tools.
http POST /api/v1/events '{"source":"nms","category":"equipment-failure/facility","asset":"门户网站","summary":"机房 UPS 告警","fingerprint":"ups-1","details":{"load":91}}'
status 202 "an event is accepted (202)"
http POST /api/v1/events '{"source":"nms","category":"equipment-failure/facility","asset":"门户网站","summary":"机房 UPS 告警","fingerprint":"ups-1"}'
jq -e '.count == 2' "$OUT" >/dev/null && ok "a repeat is counted, not stored twice" || not_ok "dedupe" "$OUT"
http GET /api/v1/events
jq -e '.items[0].count == 2 and .items[0].summary == "机房 UPS 告警" and (.items | length) == 1' "$OUT" >/dev/null &&
    ok "the event list shows it once with its count" || not_ok "events list" "$OUT"
http POST /api/v1/events '{"source":"nms","category":"bogus","summary":"x"}'
status 422 "an event with an unknown category is 422"

# Sign-out revokes the session.
http DELETE /api/v1/session
status 200 "sign-out"
cp "$JAR" "$T/jar.old"
sed -i "s/\ttocsin_session\t.*/\ttocsin_session\t$token/" "$T/jar.old" 2>/dev/null
JAR="$T/jar.old" http GET /api/v1/session
status 401 "the signed-out session no longer works"
CSRF=""

# Throttling: five failures, then even the right password waits.
sqlite3 "$TOCSIN_DATA/tocsin.db" "DELETE FROM login_failures"
JAR="$T/jar.lead"
for i in 1 2 3 4 5; do http POST /api/v1/session '{"name":"lead","password":"not the password"}'; done
status 401 "five wrong passwords are five 401s"
http POST /api/v1/session '{"name":"lead","password":"a long enough password"}'
status 429 "then sign-in is throttled, even with the right password"
grep -qi '^Retry-After:' "$HDR" && ok "with Retry-After" || not_ok "Retry-After" "$HDR"
sqlite3 "$TOCSIN_DATA/tocsin.db" "DELETE FROM login_failures"

# Tokens and the role matrix.
for u in lead zhou xc aud admin; do
    pw="a long enough password"
    [ "$u" = admin ] && pw=$ADMIN_PW
    JAR="$T/jar.$u"
    CSRF=""
    http POST /api/v1/session "{\"name\":\"$u\",\"password\":\"$pw\"}"
    CSRF=$(jq -r .csrf_token "$OUT")
    http POST /api/v1/tokens "{\"name\":\"matrix-$u\"}"
    jq -r .token "$OUT" >"$T/token.$u"
done
[ "$(wc -c <"$T/token.aud")" -ge 64 ] && ok "each role creates an API token" || not_ok "tokens" "$OUT"
JAR="$T/jar.zhou"
CSRF=$(curl -s -b "$JAR" "$BASE/api/v1/session" | jq -r .csrf_token)
http POST /api/v1/tokens '{"name":"too-much","role":"admin"}'
status 403 "an officer cannot mint an admin token"
http POST /api/v1/tokens '{"name":"reader","role":"auditor"}'
status 403 "nor an auditor token: auditors read the audit log, officers do not"
http POST /api/v1/tokens '{"name":"sensor","role":"department"}'
status 201 "an officer can mint a department-scoped token for a sensor"
SENSOR=$(jq -r .token "$OUT")
JAR="" CSRF="" http POST /api/v1/events '{"source":"sensor","category":"other","summary":"x"}' -H "Authorization: Bearer $SENSOR"
status 202 "the scoped token submits events"
JAR="" CSRF="" http POST /api/v1/warnings '{}' -H "Authorization: Bearer $SENSOR"
status 403 "but cannot draft warnings"
JAR="$T/jar.lead"
CSRF=$(curl -s -b "$JAR" "$BASE/api/v1/session" | jq -r .csrf_token)
http POST /api/v1/tokens '{"name":"reader","role":"auditor"}'
status 201 "a leader can mint an auditor-scoped token"
READER=$(jq -r .token "$OUT")
JAR="" CSRF="" http GET /api/v1/audit/verify -H "Authorization: Bearer $READER"
status 200 "which reads and verifies the audit log"
JAR="" CSRF="" http POST /api/v1/incidents '{"title":"x","category":"other"}' -H "Authorization: Bearer $READER"
status 403 "but cannot open incidents"

"$TOCSIN" serve --routes >"$T/routes.json"
bad=0 refusals=0 passes=0
for row in $(jq -r '.[] | select(.action != "public" and .action != "signed-in") | "\(.method)|\(.path)|\(.action)"' "$T/routes.json"); do
    m=${row%%|*} rest=${row#*|} path=${rest%%|*} action=${rest#*|}
    p=$(printf '%s' "$path" | sed "s/{ref}/$REF/; s/{id}/999999/")
    case "$p" in /api/v1/warnings/*) p=$(printf '%s' "$path" | sed 's/{ref}/WRN-2026-9999/') ;; esac
    for u in lead zhou xc aud admin; do
        JAR="" CSRF="" http "$m" "$p" '{}' -H "Authorization: Bearer $(cat "$T/token.$u")"
        role=$(sqlite3 "$TOCSIN_DATA/tocsin.db" "SELECT role FROM users WHERE name = '$u'")
        allowed=$(grep -F "| \`$action\` |" docs/permissions.md | awk -F'|' -v r="$role" '
            BEGIN { col["leader"]=4; col["officer"]=5; col["department"]=6; col["auditor"]=7; col["admin"]=8 }
            { print ($(col[r]) ~ /yes/) ? 1 : 0 }')
        refused=0
        [ "$code" = 403 ] && jq -e '.error.message == "your role may not do this"' "$OUT" >/dev/null && refused=1
        [ "$refused" = 1 ] && refusals=$((refusals + 1)) || passes=$((passes + 1))
        if [ "$allowed" = 1 ] && [ "$refused" = 1 ] || [ "$allowed" = 0 ] && [ "$refused" = 0 ]; then
            bad=$((bad + 1))
            echo "# $m $path as $role ($action): allowed=$allowed, got HTTP $code"
        fi
    done
done
same "$bad" "0" "every route × every role is allowed or refused exactly as docs/permissions.md says"
[ "$refusals" -gt 20 ] && [ "$passes" -gt 20 ] && ok "the matrix saw $refusals refusals and $passes passes" ||
    not_ok "the matrix is too thin: $refusals refusals, $passes passes"

# Every route is in the API description.
missing=0
for row in $(jq -r '.[] | "\(.method)|\(.path)"' "$T/routes.json"); do
    m=$(printf '%s' "${row%%|*}" | tr 'A-Z' 'a-z') path=${row#*|}
    awk -v p="  $path:" -v m="    $m:" '$0 == p {inside=1; next} /^  \// {inside=0} inside && index($0, m) == 1 {found=1} END {exit !found}' \
        docs/api/openapi.yaml || { missing=$((missing + 1)); echo "# not in openapi.yaml: $row"; }
done
same "$missing" "0" "every route is described in docs/api/openapi.yaml"
http GET /api/v1/openapi.yaml
status 200 "the description is served"

# Sessions expire when idle.
"$TOCSIN" setting set session.idle_s 1 --as lead >/dev/null
serve_stop
serve_start
JAR="$T/jar.idle"
CSRF=""
http POST /api/v1/session '{"name":"aud","password":"a long enough password"}'
http GET /api/v1/session
status 200 "a fresh session works"
sleep 2
http GET /api/v1/session
status 401 "an idle session expires"

# Sessions end at their absolute limit, however busy.
"$TOCSIN" setting set session.idle_s 3600 --as lead >/dev/null
"$TOCSIN" setting set session.max_s 2 --as lead >/dev/null
serve_stop
serve_start
JAR="$T/jar.max"
http POST /api/v1/session '{"name":"aud","password":"a long enough password"}'
http GET /api/v1/session
status 200 "a session works within its absolute limit"
sleep 1
http GET /api/v1/session
sleep 2
http GET /api/v1/session
status 401 "and ends at it, though in use"

# Past the connection limit a new connection is not served (it waits in the
# kernel's backlog, or is dropped when that is full) until a slot frees; the
# held ones are closed by the connection timeout, and the server serves again.
"$TOCSIN" setting set server.max_connections 16 --as lead >/dev/null
serve_stop
serve_start
port=${BASE##*:}
bash -c "for i in \$(seq 1 40); do exec {fd}<>/dev/tcp/127.0.0.1/$port || exit 1; printf 'GET /healthz HTTP/1.1\r\n' >&\$fd; done; touch '$T/held'; sleep 3" &
HOLDER=$!
i=0
while [ ! -e "$T/held" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$BASE/healthz")
[ "$code" != 200 ] && ok "with 40 connections held against a limit of 16, a new one is not served ($code)" ||
    not_ok "served past the connection limit"
wait $HOLDER
sleep 0.5
http GET /healthz
status 200 "once they close, the server answers again"

# Two thousand connections at once (the default limit is 1024): the server
# neither crashes nor grows, and answers again once they are gone.
"$TOCSIN" setting set server.max_connections 1024 --as lead >/dev/null
serve_stop
serve_start
port=${BASE##*:}
rm -f "$T/held"
bash -c "ulimit -n 4096; for i in \$(seq 1 2000); do exec {fd}<>/dev/tcp/127.0.0.1/$port || break; printf 'GET /healthz HTTP/1.1\r\n' >&\$fd; done; touch '$T/held'; sleep 1" 2>/dev/null &
HOLDER=$!
i=0
while [ ! -e "$T/held" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -e "$T/held" ] && ok "two thousand connections are opened against the server" ||
    not_ok "could not hold two thousand connections"
rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null)
[ -n "$rss" ] && [ "$rss" -lt 131072 ] && ok "the server holds them in ${rss} kB" ||
    not_ok "the server's memory with 2000 connections: ${rss:-gone} kB"
wait $HOLDER
i=0
code=000
while [ "$code" != 200 ] && [ $i -lt 20 ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/healthz")
    i=$((i + 1))
done
status 200 "and answers again once they are gone"
"$TOCSIN" setting set server.max_connections 1024 --as lead >/dev/null
serve_stop
serve_start

# A connection that sends half a request is closed after the timeout.
start=$(date +%s)
resp=$(timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/${BASE##*:}; printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n' >&3; cat <&3" 2>/dev/null)
took=$(( $(date +%s) - start ))
[ "$took" -le 6 ] && ok "a half-sent request is dropped after the connection timeout (${took}s)" ||
    not_ok "slow request (${took}s)"

# Stopping with a request in flight: the request still completes.
JAR="$T/jar.zhou"
CSRF=$CSRF_ZHOU
head -c 30000 /dev/zero | tr '\0' 'x' | sed 's/^/{"source":"slow","category":"other","summary":"slow upload","details":{"pad":"/; s/$/"}}/' >"$T/slow.json"
curl -s -o "$T/slow.out" -w '%{http_code}' --limit-rate 15k -b "$T/jar.lead" \
    -H "Authorization: Bearer $(cat "$T/token.zhou")" -H 'Content-Type: application/json' \
    --data-binary @"$T/slow.json" "$BASE/api/v1/events" >"$T/slow.code" &
CURL=$!
sleep 1
serve_stop
wait $CURL
same "$(cat "$T/slow.code")" "202" "a request in flight at SIGTERM still completes"
same "$stop_rc" "0" "the server exits 0 after a graceful stop"
run audit verify
expect 0 "the audit chain verifies after all of it"

# Evidence: upload streamed to the object store, download verified and recorded.
serve_start
JAR="" CSRF=""
printf '<html><body>被篡改的首页</body></html>\n' >"$T/page.html"
code=$(curl -s -o "$OUT" -w '%{http_code}' -H "Authorization: Bearer $(cat "$T/token.zhou")" \
    --data-binary @"$T/page.html" "$BASE/api/v1/incidents/$REF/evidence/files?name=%E9%A6%96%E9%A1%B5.html&note=snapshot")
status 201 "a file is uploaded as evidence"
EVID=$(jq .id "$OUT")
code=$(curl -s -o "$T/down.html" -D "$HDR" -w '%{http_code}' -H "Authorization: Bearer $(cat "$T/token.aud")" \
    "$BASE/api/v1/incidents/$REF/evidence/$EVID")
status 200 "the auditor downloads it"
cmp -s "$T/page.html" "$T/down.html" && ok "byte for byte" || not_ok "download differs"
grep -qi "^Content-Disposition: attachment; filename\*=UTF-8''%E9%A6%96%E9%A1%B5.html" "$HDR" &&
    ok "under its name" || not_ok "disposition" "$HDR"
code=$(curl -s -o "$OUT" -w '%{http_code}' -H "Authorization: Bearer $(cat "$T/token.xc")" \
    "$BASE/api/v1/incidents/$REF/evidence/$EVID")
status 403 "a department may not export evidence"
n=$(sqlite3 "$TOCSIN_DATA/tocsin.db" "SELECT count(*) FROM custody WHERE evidence_id = $EVID AND action = 'exported'")
same "$n" "1" "the download is in the custody trail"
head -c 70000 /dev/zero >"$T/zeros"
"$TOCSIN" setting set server.max_upload_bytes 65536 --as lead >/dev/null
serve_stop
serve_start
code=$(curl -s -o "$OUT" -w '%{http_code}' -H "Authorization: Bearer $(cat "$T/token.zhou")" \
    --data-binary @"$T/zeros" "$BASE/api/v1/incidents/$REF/evidence/files?name=zeros")
status 413 "an upload over server.max_upload_bytes is 413"
left=$(find "$TOCSIN_DATA/objects/tmp" -type f | wc -l)
same "$left" "0" "and leaves nothing behind"
code=$(curl -s -o "$OUT" -w '%{http_code}' --data-binary @"$T/page.html" "$BASE/api/v1/incidents/$REF/evidence/files?name=x")
status 401 "an upload without sign-in is refused before it is stored"

# Tokens are listed without their secret and can be revoked.
code=$(curl -s -o "$OUT" -w '%{http_code}' -H "Authorization: Bearer $(cat "$T/token.xc")" "$BASE/api/v1/tokens")
jq -e '(.items | length) == 1 and (.items[0] | has("token") | not)' "$OUT" >/dev/null &&
    ok "a user lists their tokens, never the secrets" || not_ok "token list" "$OUT"
TID=$(jq '.items[0].id' "$OUT")
code=$(curl -s -o "$OUT" -w '%{http_code}' -X DELETE -H "Authorization: Bearer $(cat "$T/token.xc")" "$BASE/api/v1/tokens/$TID")
status 200 "and revokes one"
code=$(curl -s -o "$OUT" -w '%{http_code}' -H "Authorization: Bearer $(cat "$T/token.xc")" "$BASE/api/v1/due")
status 401 "a revoked token no longer works"

# An administrator disables a user: sessions and tokens stop at once.
code=$(curl -s -o "$OUT" -w '%{http_code}' -X POST -H "Authorization: Bearer $(cat "$T/token.admin")" "$BASE/api/v1/users/aud/disable")
status 200 "the admin disables a user"
code=$(curl -s -o "$OUT" -w '%{http_code}' -H "Authorization: Bearer $(cat "$T/token.aud")" "$BASE/api/v1/audit/verify")
status 401 "the disabled user's token stops working"
code=$(curl -s -o "$OUT" -w '%{http_code}' "$BASE/metrics")
grep -q 'tocsin_http_requests_total{route="POST /api/v1/incidents/{ref}/evidence/files",code="4xx"} 2' "$OUT" &&
    ok "metrics count requests by route and status" || not_ok "per-route metrics" "$OUT"
serve_stop
