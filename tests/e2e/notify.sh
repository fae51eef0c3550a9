#!/bin/sh
# From detection to response, end to end on loopback: tocsin serve with a
# guarded web root, a webhook receiver and an SMTP server (STARTTLS and
# AUTH) started here. A tampered file is restored, becomes an event and an
# incident opened as contained, and the webhook and the mail arrive within
# 5 s; an unacknowledged level II incident escalates until acknowledged;
# proposals are accepted, warned from and dismissed; Alertmanager's alerts
# fire and resolve; floods are deduplicated; hanging, failing and garbage
# answers are bounded and retried; a restart delivers the outbox exactly once.
. "$(dirname "$0")/lib.sh"
export TOCSIN_DATA="$T/data"
"$TOCSIN" init --org 示范开发区管委会 >"$T/init" || { not_ok "init"; exit 1; }
D="$TOCSIN_DATA"
PW="a long enough password"
for u in zhou:officer lead:leader; do
    echo "$PW" | "$TOCSIN" user add "${u%%:*}" --role "${u##*:}" --password-file /dev/stdin >/dev/null
done
echo "$PW" | "$TOCSIN" user add xc --role department --department 宣传部 --password-file /dev/stdin >/dev/null
"$TOCSIN" user email zhou zhou@example.gov.cn >/dev/null
"$TOCSIN" user email lead lead@example.gov.cn >/dev/null
run user email zhou 'not an address'
expect 2 "a bad e-mail address is refused"

# The far ends: a webhook receiver and an SMTP server with STARTTLS and AUTH.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
mkdir -p "$T/sink"
python3 "$TOCSIN_ROOT/tests/tools/sink.py" "$T/sink" --cert "$T/cert.pem" --key "$T/key.pem" \
    --user tocsin --password 'mail secret' --dingtalk-secret SECdemo 2>"$T/sink.err" &
SINK_PID=$!
wait_for '[ -s "$T/sink/http.port" ] && [ -s "$T/sink/smtp.port" ]' 50 ||
    not_ok "the sink started" "$T/sink.err"
H="http://127.0.0.1:$(cat "$T/sink/http.port")"
S="$(cat "$T/sink/smtp.port")"
mode() { echo "$1" >"$T/sink/mode"; }
mode ok

n() { "$TOCSIN" notify "$@" --as admin >/dev/null; }
n channel add hook --kind webhook --config "{\"url\":\"$H/hook\",\"secret\":\"hook secret\"}"
n channel add ding --kind dingtalk --config "{\"url\":\"$H/dingtalk?access_token=t0k3n\",\"secret\":\"SECdemo\"}"
n channel add wecom --kind wecom --config "{\"url\":\"$H/wecom?key=k3y\"}"
n channel add feishu --kind feishu --config "{\"url\":\"$H/feishu\",\"secret\":\"fs\"}"
n channel add mail --kind smtp --config "{\"url\":\"smtp://127.0.0.1:$S\",\"from\":\"tocsin@example.gov.cn\",\"starttls\":\"required\",\"username\":\"tocsin\",\"password\":\"mail secret\",\"ca\":\"$T/cert.pem\"}"
run notify channel add bad --kind webhook --config '{"url":"ftp://x"}' --as admin
expect 2 "a channel with a URL of another scheme is refused"
run notify channel add bad2 --kind smtp --config '{"url":"smtp://127.0.0.1:1","frm":"x"}' --as admin
expect 2 "…and one with a misspelt setting"
run notify channel list --as zhou
if [ "$rc" = 0 ] && ! grep -q 'hook secret\|mail secret\|t0k3n' "$OUT"; then
    ok "channels are listed with their secrets and tokens masked"
else not_ok "channel list" "$OUT"; fi
run notify channel add x --kind webhook --config "{\"url\":\"$H/x\"}" --as zhou
expect 2 "an officer may not configure channels"

n route add --trigger incident --channel hook --role officer
n route add --trigger incident --channel mail --role officer
n route add --trigger incident --channel ding --role leader --min-level II
n route add --trigger escalation --channel ding --role leader --tier 1
n route add --trigger escalation --channel mail --role leader --tier 1
n route add --trigger proposal --channel hook --role officer
n route add --trigger warning --channel wecom
n route add --trigger warning --channel feishu
n route add --trigger warning --channel mail
run notify route add --trigger escalation --channel ding --as admin
expect 2 "an escalation route needs a tier"

"$TOCSIN" setting set deadline.escalation 2000 --as lead >/dev/null
"$TOCSIN" setting set notify.timeout_s 2 --as lead >/dev/null
"$TOCSIN" setting set notify.retry_s 1 --as lead >/dev/null
"$TOCSIN" setting set notify.max_attempts 3 --as lead >/dev/null

# The demonstration portal of `make run`, guarded in a copy.
W="$T/www"
cp -r "$TOCSIN_ROOT/demo/site" "$W"
ORIG=$(sha256sum "$W/index.html")
printf '\n[guard]\nprotect = %s@portal\nmode = restore\n' "$W" >>"$D/tocsin.conf"
start() { serve_start; trap 'kill $SERVER_PID $SINK_PID 2>/dev/null; rm -rf "$T"' EXIT; }
start
wait_for 'grep -q "watching" "$T/serve.err"' 50

signin() { JAR="$T/jar.$1"; CSRF=""
    http POST /api/v1/session "{\"name\":\"$1\",\"password\":\"$PW\"}"
    CSRF=$(jq -r .csrf_token "$OUT"); }
# Channels and routes through the API, as the administrator.
JAR="$T/jar.admin"
CSRF=""
http POST /api/v1/session "{\"name\":\"admin\",\"password\":\"$(sed -n 's/^password: //p' "$T/init")\"}"
CSRF=$(jq -r .csrf_token "$OUT")
http POST /api/v1/notify/channels "{\"name\":\"值班群\",\"kind\":\"wecom\",\"config\":{\"url\":\"$H/wecom?key=s3cret\"}}"
status 201 "the administrator adds a channel through the API"
jq -e '.name == "值班群"' "$OUT" >/dev/null && ok "…answering its name" || not_ok "channel answer" "$OUT"
http POST /api/v1/notify/routes '{"trigger":"proposal","channel":"值班群","tier":1}'
status 422 "a tier belongs to escalation routes only"
http GET /api/v1/notify/channels
jq -e '[.items[] | select(.name == "值班群")][0].config.url | endswith("?********")' "$OUT" >/dev/null &&
    ok "…listed with its key masked" || not_ok "channel list api" "$OUT"
http DELETE "/api/v1/notify/channels/$(printf '值班群' | jq -sRr @uri)"
status 200 "a channel that sent nothing is removed"
signin zhou
q() { sqlite3 "$D/tocsin.db" "$1"; }
# hooks PATH JQ-FILTER: how many requests to PATH the filter selects
hooks() { jq -s "[.[] | select(.path == \"$1\" and .mode == \"ok\") | select($2)] | length" \
    "$T/sink/http.jsonl" 2>/dev/null || echo 0; }
mails() { python3 - "$T/sink/smtp.jsonl" "$1" <<'PY'
import email, email.header, json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8") if __import__("os").path.exists(sys.argv[1]) else []:
    m = json.loads(line)
    msg = email.message_from_string(m["data"])
    subj = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
    body = msg.get_payload(decode=True).decode("utf-8")
    if sys.argv[2] in subj + "\n" + body and m["tls"] and m["user"] == "tocsin":
        n += 1
print(n)
PY
}

# ---- a tampered page: restored, an event, an incident, a webhook and a mail in 5 s ----
t0=$(date +%s.%N)
echo '<html>hacked by nobody</html>' >"$W/index.html"
wait_for '[ "$(sha256sum "$W/index.html")" = "$ORIG" ]' 50 &&
    ok "the guard restores the tampered page" || not_ok "restore" "$T/serve.err"
wait_for '[ "$(q "SELECT count(*) FROM incidents WHERE status = '"'"'contained'"'"'")" = 1 ]' 50
REF=$(q "SELECT ref FROM incidents WHERE status = 'contained'")
http GET /api/v1/events
jq -e '.items[0].source == "guard" and .items[0].asset == "portal" and .items[0].count == 1 and
    (.items[0].cleared_at | type) == "string" and has("next_cursor")' "$OUT" >/dev/null &&
    ok "the event is listed through the API, already cleared" || not_ok "events" "$OUT"
http GET "/api/v1/proposals?status=accepted"
jq -e --arg r "$REF" '.items[0].incident == $r and .items[0].auto == true and
    .items[0].level == "IV" and .items[0].facts.assets[0].state == "tampered"' "$OUT" >/dev/null &&
    ok "the proposal was accepted by the setting into $REF" || not_ok "proposal" "$OUT"
http GET "/api/v1/incidents/$REF"
jq -e '.status == "contained" and .level == "IV" and (.evidence | length) >= 2' "$OUT" >/dev/null &&
    ok "a level IV incident opened as contained, with the evidence attached" ||
    not_ok "auto incident" "$OUT"
wait_for '[ "$(hooks /hook ".body | contains(\"'"$REF"'\")")" -ge 1 ]' 50
t1=$(jq -s --arg r "$REF" '[.[] | select(.path == "/hook" and (.body | contains($r)))][0].at' "$T/sink/http.jsonl")
if [ -n "$t1" ] && [ "$(echo "$t1 - $t0 < 5" | bc -l 2>/dev/null || python3 -c "print(int($t1 - $t0 < 5))")" = 1 ]; then
    ok "the webhook arrives within 5 s"
else not_ok "webhook in time ($t0 → $t1)" "$T/sink/http.jsonl"; fi
jq -s -e --arg r "$REF" '[.[] | select(.path == "/hook" and (.body | contains($r)))][0] |
    (.body | fromjson | .facts.incident == $r and .facts.level == "IV" and (.subject | contains("一般")))
    and (.signature | startswith("sha256="))' "$T/sink/http.jsonl" >/dev/null &&
    ok "…carrying the incident, its level and a signature" || not_ok "webhook body" "$T/sink/http.jsonl"
wait_for '[ "$(mails "$REF")" -ge 1 ]' 50 && ok "the mail arrives over STARTTLS with authentication" ||
    not_ok "mail" "$T/sink/smtp.jsonl"
tm=$(python3 -c "import json;print(min(json.loads(l)['at'] for l in open('$T/sink/smtp.jsonl')))")
[ "$(python3 -c "print(int($tm - $t0 < 5))")" = 1 ] && ok "…within 5 s" || not_ok "mail late ($t0 → $tm)"
[ "$(hooks /dingtalk true)" = 0 ] && ok "a level IV incident does not wake the leaders" ||
    not_ok "ding for IV" "$T/sink/http.jsonl"

# ---- an outage of the OA system for three hours: level II, escalation until acknowledged ----
since=$(date -u -d '-3 hours' +%Y-%m-%dT%H:%M:%SZ)
http POST /api/v1/events "{\"source\":\"zabbix\",\"category\":\"equipment-failure/hardware\",\"asset\":\"oa\",\"state\":\"down\",\"time\":\"$since\",\"summary\":\"OA 系统无法登录\",\"fingerprint\":\"oa-down\"}"
status 202 "an outage reported by another tool is accepted"
wait_for '[ "$(q "SELECT count(*) FROM incidents WHERE title = '"'"'OA 系统无法登录'"'"'")" = 1 ]' 50
REF2=$(q "SELECT ref FROM incidents WHERE title = 'OA 系统无法登录'")
http GET "/api/v1/incidents/$REF2"
jq -e '.level == "II" and .acknowledged_at == null' "$OUT" >/dev/null &&
    ok "three hours down makes level II, opened at once and not yet acknowledged" ||
    not_ok "level II" "$OUT"
wait_for '[ "$(hooks /dingtalk ".body | contains(\"'"$REF2"'\")")" -ge 1 ]' 50 &&
    ok "the leaders' DingTalk group hears of it, signed" || not_ok "ding" "$T/sink/http.jsonl"
jq -s -e '[.[] | select(.path == "/dingtalk")] | all(.signed == true)' "$T/sink/http.jsonl" >/dev/null &&
    ok "…every DingTalk message carries a valid signature" || not_ok "signature" "$T/sink/http.jsonl"
wait_for '[ "$(mails "【升级·未确认】")" -ge 2 ]' 100 &&
    ok "unacknowledged, it escalates to the leader by mail, again and again" ||
    not_ok "escalation" "$T/sink/smtp.jsonl"
http POST "/api/v1/incidents/$REF2/ack"
status 200 "the officer acknowledges it"
sleep 1
before=$(mails "【升级·未确认】")
sleep 5
[ "$(mails "【升级·未确认】")" = "$before" ] && ok "…and the escalation stops" || not_ok "still escalating"
http GET "/api/v1/incidents/$REF2"
jq -e '[.timeline[] | select(.kind == "escalation")] | length >= 2' "$OUT" >/dev/null &&
    ok "the escalations are in the incident's timeline" || not_ok "timeline" "$OUT"
signin xc
http POST "/api/v1/incidents/$REF2/ack"
status 403 "a department may not acknowledge"
signin zhou

# ---- proposals: accept, warn, dismiss; a department's report ----
signin xc
http POST /api/v1/department-reports '{"what":"宣传部网站栏目出现不明广告","where":"宣传部网站","how_bad":"tampered"}'
status 201 "a department reports in the short form"
http POST /api/v1/department-reports '{"what":"x","where":"y","how_bad":"awful"}'
status 422 "…how bad must be one of the five"
signin zhou
P=$(q "SELECT proposal_id FROM events WHERE source = 'department:宣传部'")
http GET "/api/v1/proposals/$P"
jq -e '.status == "open" and .category == "information-destruction/tampering" and
    (.event_list | length) == 1 and (.reasons | length) >= 1' "$OUT" >/dev/null &&
    ok "it waits in triage as a proposal with reasons" || not_ok "dept proposal" "$OUT"
wait_for '[ "$(hooks /hook ".body | contains(\"proposal:'"$P"'\")")" -ge 1 ]' 50 &&
    ok "the duty officer is told of the new proposal" || not_ok "proposal notice"
http POST "/api/v1/proposals/$P/warn" '{"colour":"blue"}'
status 201 "a warning draft is issued from it"
WREF=$(jq -r .ref "$OUT")
jq -e '.colour == "blue" and .status == "draft" and (.measures | length) > 10' "$OUT" >/dev/null &&
    ok "…with every W-5 field drafted" || not_ok "warning draft" "$OUT"
http POST "/api/v1/warnings/$WREF/submit"
http POST "/api/v1/warnings/$WREF/publish"
status 200 "the officer publishes it"
wait_for '[ "$(hooks /wecom ".body | contains(\"'"$WREF"'\")")" -ge 1 ] && [ "$(hooks /feishu ".body | contains(\"'"$WREF"'\")")" -ge 1 ]' 50 &&
    ok "publication goes to the WeCom and Feishu groups" || not_ok "warning notice" "$T/sink/http.jsonl"
jq -s -e '[.[] | select(.path == "/feishu")][0].body | fromjson | .msg_type == "text" and
    (.sign | length) > 20 and (.timestamp | length) == 10' "$T/sink/http.jsonl" >/dev/null &&
    ok "…Feishu's message signed in its format" || not_ok "feishu" "$T/sink/http.jsonl"
wait_for '[ "$(mails "$WREF")" -ge 2 ]' 50 && ok "…and by mail to everyone with an address" ||
    not_ok "warning mail"
http POST "/api/v1/warnings/$WREF/lift" '{"reason":"广告已删除，来源已封堵"}'
wait_for '[ "$(hooks /wecom ".body | contains(\"解除\")")" -ge 1 ]' 50 &&
    ok "lifting it is told to the same people (W-7)" || not_ok "lift notice"
http POST "/api/v1/proposals/$P/dismiss" '{"reason":"x"}'
status 409 "a decided proposal cannot be dismissed"

http POST /api/v1/events '{"source":"scanner","category":"network-attack/scanning","asset":"portal","summary":"端口扫描"}'
P2=$(q "SELECT proposal_id FROM events WHERE source = 'scanner'")
http POST "/api/v1/proposals/$P2/dismiss" '{}'
status 422 "dismissing needs a reason"
http POST "/api/v1/proposals/$P2/dismiss" '{"reason":"例行安全评估扫描，已报备"}'
status 200 "a proposal is dismissed with its reason"
jq -e '.status == "dismissed" and .reason == "例行安全评估扫描，已报备"' "$OUT" >/dev/null &&
    ok "…which is kept" || not_ok "dismiss" "$OUT"
http POST /api/v1/events '{"source":"waf","category":"network-attack/injection","asset":"portal","summary":"SQL 注入尝试"}'
P3=$(q "SELECT proposal_id FROM events WHERE source = 'waf'")
http POST "/api/v1/proposals/$P3/accept" "{\"incident\":\"$REF\"}"
status 200 "a proposal is merged into an existing incident"
http GET "/api/v1/incidents/$REF"
jq -e '[.timeline[] | select(.kind == "merged")] | length == 1' "$OUT" >/dev/null &&
    ok "…recorded in its timeline" || not_ok "merge" "$OUT"
http POST /api/v1/events '{"source":"waf","category":"network-attack/injection","asset":"oa","summary":"OA 注入尝试"}'
P4=$(q "SELECT proposal_id FROM events WHERE summary = 'OA 注入尝试'")
http POST "/api/v1/proposals/$P4/accept" '{"level":"III"}'
status 422 "overriding the proposed level needs a reason"
http POST "/api/v1/proposals/$P4/accept" '{"level":"III","reason":"OA 含个人信息，从严"}'
status 201 "accepted into a new incident at another level, with the reason"
jq -e '.incident | startswith("INC-")' "$OUT" >/dev/null && ok "…answering its reference" ||
    not_ok "accept" "$OUT"

# ---- Alertmanager: a group of alerts is one proposal; resolved clears them ----
am() { cat <<JSON
{"version":"4","groupKey":"{}:{alertname=\"HostDown\"}","status":"$1","receiver":"tocsin",
 "alerts":[{"status":"$1","labels":{"alertname":"HostDown","instance":"10.0.0.5","category":"equipment-failure/hardware"},
  "annotations":{"summary":"数据库服务器无响应"},"startsAt":"2026-11-27T01:02:03.123456789+08:00","fingerprint":"aa11"},
  {"status":"$1","labels":{"alertname":"HostDown","instance":"10.0.0.6","category":"equipment-failure/hardware"},
  "annotations":{"summary":"备份服务器无响应"},"startsAt":"2026-11-27T01:02:04Z","fingerprint":"bb22"}]}
JSON
}
http POST /api/v1/integrations/alertmanager "$(am firing)"
status 202 "Alertmanager's webhook is received"
[ "$(q "SELECT count(DISTINCT proposal_id) || ' ' || count(*) FROM events WHERE source = 'alertmanager'")" = "1 2" ] &&
    ok "its group of two alerts is one proposal" || not_ok "am grouping"
[ "$(q "SELECT occurred_at FROM events WHERE fingerprint = 'alertmanager:aa11'")" = "$(($(date -u -d 2026-11-26T17:02:03Z +%s) * 1000 + 123))" ] &&
    ok "…with the time the alert started (RFC 3339 with an offset)" || not_ok "am time"
http POST /api/v1/integrations/alertmanager "$(am resolved)"
[ "$(q "SELECT count(*) FROM events WHERE source = 'alertmanager' AND cleared_at IS NOT NULL")" = 2 ] &&
    ok "resolved alerts clear their events" || not_ok "am resolved"
[ "$(q "SELECT is_cleared FROM proposals WHERE id = (SELECT proposal_id FROM events WHERE fingerprint = 'alertmanager:aa11')")" = 1 ] &&
    ok "…and the proposal knows" || not_ok "am proposal cleared"
http POST /api/v1/integrations/alertmanager '{"alerts":[{"labels":{}}]}'
status 422 "an alert without name or summary is refused"
http POST /api/v1/integrations/alertmanager '{"alerts":"no"}'
status 422 "…and a body that is not Alertmanager's"

# ---- bad input ----
http POST /api/v1/events '{"source":"x","category":"alien-attack","summary":"s"}'
status 422 "an unknown category is 422"
http POST /api/v1/events '{"source":"x","category":"other"}'
status 422 "a missing summary is 422"
ev=$(python3 -c 'import json;print(json.dumps({"source":"x","category":"other","summary":"s","evidence":["r%d"%i for i in range(17)]}))')
http POST /api/v1/events "$ev"
status 422 "more than 16 evidence references are refused"
python3 -c 'import json;print(json.dumps({"source":"x","category":"other","summary":"s","details":{"blob":"x"*70000}}))' >"$T/big.json"
http POST /api/v1/events "$(cat "$T/big.json")"
[ "$code" = 413 ] || [ "$code" = 422 ] && ok "enormous details are refused ($code)" || not_ok "big details ($code)" "$OUT"
http POST /api/v1/events '{"source":"x","category":"other","summary":"s"}' -H 'X-Tocsin-Notification: 7'
status 409 "a notification of tocsin fed back to it is refused (no loop)"
# A flood of one event: deduplicated, and intake keeps answering.
seq 1 400 | xargs -P 8 -I{} curl -s -o /dev/null -b "$JAR" -H "X-CSRF-Token: $CSRF" \
    -H 'Content-Type: application/json' --max-time 10 \
    --data-binary '{"source":"ids","category":"network-attack/dos","asset":"dns","summary":"SYN flood","fingerprint":"syn"}' \
    "$BASE/api/v1/events"
[ "$(q "SELECT count || ' ' || (SELECT count(*) FROM events WHERE source = 'ids') FROM events WHERE fingerprint = 'ids:syn'")" = "400 1" ] &&
    ok "400 identical events are one event counted 400 times" || not_ok "flood"
[ "$(q "SELECT reports || ' ' || events FROM proposals WHERE id = (SELECT proposal_id FROM events WHERE fingerprint = 'ids:syn')")" = "400 1" ] &&
    ok "…in one proposal" || not_ok "flood proposal"

# A hanging webhook: bounded, retried, and intake does not wait for it.
mode hang
http POST /api/v1/events '{"source":"edr","category":"harmful-program/trojan","asset":"oa","summary":"木马告警"}'
wait_for '[ "$(q "SELECT count(*) FROM outbox WHERE object LIKE '"'"'proposal:%'"'"' AND attempts >= 1 AND status = '"'"'pending'"'"' AND last_error != '"'"''"'"'")" -ge 1 ]' 80 &&
    ok "a webhook that hangs is given up after the timeout and retried" || not_ok "hang" "$T/serve.err"
s0=$(date +%s%N)
http POST /api/v1/events '{"source":"edr","category":"harmful-program/trojan","asset":"oa","summary":"第二个木马告警"}'
s1=$(date +%s%N)
[ "$code" = 202 ] && [ $(((s1 - s0) / 1000000)) -lt 1500 ] &&
    ok "…while intake answers at once ($(((s1 - s0) / 1000000)) ms)" || not_ok "intake blocked ($code)"
mode fail
wait_for '[ "$(q "SELECT count(*) FROM outbox WHERE status = '"'"'failed'"'"' AND attempts = 3")" -ge 1 ]' 150 &&
    ok "after its last try a message shows as failed" || not_ok "failed" "$T/serve.err"
q "SELECT last_error FROM outbox WHERE status = 'failed' LIMIT 1" | grep -q 'HTTP status 500\|no answer\|Timeout\|timed out' &&
    ok "…with the reason" || not_ok "failed reason"
http GET "/api/v1/notify/outbox?status=failed"
jq -e '(.items | length) >= 1 and .items[0].last_error != ""' "$OUT" >/dev/null &&
    ok "failed messages are listed through the API" || not_ok "outbox api" "$OUT"

# Robots that answer garbage or refuse are not taken as delivered.
mode garbage
"$TOCSIN" notify channel test ding --as admin >/dev/null 2>&1 || true
n channel add ding2 --kind dingtalk --config "{\"url\":\"$H/dingtalk2\"}"
n route add --trigger proposal --channel ding2
http POST /api/v1/events '{"source":"edr","category":"harmful-program/virus","asset":"dept","summary":"病毒告警"}'
wait_for '[ "$(q "SELECT count(*) FROM outbox o JOIN notify_channels c ON c.id = o.channel_id WHERE c.name = '"'"'ding2'"'"' AND last_error LIKE '"'"'%not JSON%'"'"'")" -ge 1 ]' 80 &&
    ok "a robot answering garbage is not taken as delivered" || not_ok "garbage"
mode refuse
wait_for '[ "$(q "SELECT count(*) FROM outbox WHERE last_error LIKE '"'"'%310000%'"'"'")" -ge 1 ]' 80 &&
    ok "…nor one answering an error code" || not_ok "refuse"

# A mail server that refuses the password: recorded, retried, not taken as sent.
n channel add badmail --kind smtp --config "{\"url\":\"smtp://127.0.0.1:$S\",\"from\":\"tocsin@example.gov.cn\",\"username\":\"tocsin\",\"password\":\"wrong\",\"ca\":\"$T/cert.pem\",\"to\":[\"duty@example.gov.cn\"]}"
n channel test badmail
wait_for '[ "$(q "SELECT count(*) FROM outbox o JOIN notify_channels c ON c.id = o.channel_id WHERE c.name = '"'"'badmail'"'"' AND o.attempts >= 1 AND o.status != '"'"'sent'"'"' AND o.last_error != '"'"''"'"'")" = 1 ]' 80 &&
    ok "an SMTP server refusing the login is a failed delivery, with its reason" ||
    not_ok "smtp auth" "$T/serve.err"

# ---- a restart with undelivered messages delivers them exactly once ----
mode fail
http POST /api/v1/events '{"source":"edr","category":"harmful-program/worm","asset":"portal","summary":"蠕虫告警"}'
P5=$(q "SELECT proposal_id FROM events WHERE summary = '蠕虫告警'")
wait_for '[ "$(q "SELECT count(*) FROM outbox WHERE object = '"'"'proposal:'"$P5"''"'"' AND attempts >= 1")" -ge 1 ]' 80
serve_stop
pending=$(q "SELECT count(*) FROM outbox WHERE status = 'pending'")
[ "$pending" -ge 1 ] && ok "stopped with $pending messages undelivered" || not_ok "nothing pending"
mode ok
start
wait_for '[ "$(q "SELECT count(*) FROM outbox WHERE status = '"'"'pending'"'"'")" = 0 ]' 150 &&
    ok "after the restart the outbox is delivered" || not_ok "redelivery" "$T/serve.err"
dups=$(jq -s '[.[] | select(.mode == "ok" and .notification != null) | .notification] | group_by(.) | map(select(length > 1)) | length' "$T/sink/http.jsonl")
[ "$dups" = 0 ] && ok "…each message exactly once" || not_ok "$dups messages delivered twice"
got=$(jq -s --arg p "proposal:$P5" '[.[] | select(.mode == "ok" and (.body | contains($p)))] | length' "$T/sink/http.jsonl")
[ "$got" -ge 1 ] && ok "…including the one that waited" || not_ok "waited message"

serve_stop
[ "$stop_rc" = 0 ] && ok "serve stops cleanly with the notifier running" || not_ok "stop rc $stop_rc" "$T/serve.err"
run audit verify
expect 0 "the audit chain holds"
kill "$SINK_PID" 2>/dev/null
