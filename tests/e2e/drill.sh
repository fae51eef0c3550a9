#!/bin/sh
# A drill from plan to report (P-3, G-4), end to end on loopback: a scenario
# script's timed injections fed by tocsin serve through the real intake and
# triage, kept apart from a real event that arrives meanwhile; the drill's
# incidents and warnings are drills, never reported upward; its notices reach
# the participants' mail only (not a non-participant, not the group webhook);
# the report times each step against the plan's deadlines; findings are due
# until done; the year's comprehensive drill is due until held.
. "$(dirname "$0")/lib.sh"
export TOCSIN_DATA="$T/data"
"$TOCSIN" init --org 示范开发区管委会 >"$T/init" || { not_ok "init"; exit 1; }
D="$TOCSIN_DATA"
PW="a long enough password"
for u in zhou:officer lead:leader wang:officer; do
    echo "$PW" | "$TOCSIN" user add "${u%%:*}" --role "${u##*:}" --password-file /dev/stdin >/dev/null
    "$TOCSIN" user email "${u%%:*}" "${u%%:*}@example.gov.cn" >/dev/null
done
echo "$PW" | "$TOCSIN" user add xc --role department --department 宣传部 --password-file /dev/stdin >/dev/null
"$TOCSIN" asset add 门户网站 --kind portal --importance core --department 办公室 --as admin >/dev/null
"$TOCSIN" asset add OA系统 --kind oa --importance core --department 办公室 --as admin >/dev/null
q() { sqlite3 "$D/tocsin.db" "$1"; }

# The far ends: the office's group webhook and its mail server.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
mkdir -p "$T/sink"
python3 "$TOCSIN_ROOT/tests/tools/sink.py" "$T/sink" --cert "$T/cert.pem" --key "$T/key.pem" \
    --user tocsin --password 'mail secret' 2>"$T/sink.err" &
SINK_PID=$!
wait_for '[ -s "$T/sink/http.port" ] && [ -s "$T/sink/smtp.port" ]' 50 ||
    not_ok "the sink started" "$T/sink.err"
echo ok >"$T/sink/mode"
H="http://127.0.0.1:$(cat "$T/sink/http.port")"
S="$(cat "$T/sink/smtp.port")"
n() { "$TOCSIN" notify "$@" --as admin >/dev/null; }
n channel add hook --kind webhook --config "{\"url\":\"$H/hook\"}"
n channel add mail --kind smtp --config "{\"url\":\"smtp://127.0.0.1:$S\",\"from\":\"tocsin@example.gov.cn\",\"starttls\":\"required\",\"username\":\"tocsin\",\"password\":\"mail secret\",\"ca\":\"$T/cert.pem\"}"
for t in proposal incident warning; do
    n route add --trigger "$t" --channel hook
    n route add --trigger "$t" --channel mail --role officer
done
n route add --trigger incident --channel mail --role leader
# rcpt_subjects ADDRESS: the subjects of the mails to ADDRESS, one per line
rcpt_subjects() { python3 - "$T/sink/smtp.jsonl" "$1" <<'PY'
import email, email.header, json, os, sys
if os.path.exists(sys.argv[1]):
    for line in open(sys.argv[1], encoding="utf-8"):
        m = json.loads(line)
        if any(sys.argv[2] in r for r in m["rcpt"]):
            msg = email.message_from_string(m["data"])
            print(str(email.header.make_header(email.header.decode_header(msg["Subject"]))))
PY
}

# The plan and its script.
cat >"$T/script" <<'EOF'
# 门户网站首页被篡改，随后 OA 和门户先后无法访问
T+0   门户网站 information-destruction/tampering tampered 首页被替换为非法内容
T+2s  OA系统   equipment-failure                  down     OA系统停止响应
T+3s  门户网站 equipment-failure                  down     门户网站无法访问
EOF
add() { run drill add 网络安全综合应急演练 --form hands-on --scope single --kind comprehensive \
    --planned +1h --participant zhou --participant lead --as lead "$@"; }
printf 'T+x 门户网站 other - 坏时间\n' >"$T/bad1"
add --script "$T/bad1"
expect 2 "a script line with a bad time is refused"
has "$ERR" "bad1: script line 1" "…naming the file and the line"
printf '# ok\nT+0 门户网站 no-such-category - 事件\n' >"$T/bad2"
add --script "$T/bad2"
expect 2 "an unknown category is refused"
has "$ERR" "script line 2" "…on its line"
printf 'T+0 门户网站 other down\n' >"$T/bad3"
add --script "$T/bad3"
expect 2 "a line without what happens is refused"
run drill add x --form hands-on --scope single --kind comprehensive --planned +1h \
    --participant zhou --script "$T/script" --as xc
expect 2 "a department may not plan drills"
add --script "$T/script" --participant nobody
expect 2 "a participant must be a user"
run drill add x --form parade --scope single --kind comprehensive --planned +1h \
    --participant zhou --script "$T/script" --as lead
expect 2 "a form outside GB/T 38645 is refused"
add --script "$T/script"
expect 0 "a leader plans a comprehensive hands-on drill"
DRL=$(cat "$OUT")
same "$DRL" DRL-0001 "…and gets its reference"
run due --as zhou
has "$OUT" "年度综合应急演练" "the year's comprehensive drill is due until held"

serve_start
"$TOCSIN" event submit --source 外部监测 --category information-destruction/tampering \
    --asset 门户网站 --summary 真实告警：首页出现陌生链接 --as zhou >/dev/null
run drill start "$DRL" --as zhou
expect 0 "the drill starts"
same "$(q "SELECT count(*) FROM drill_injections WHERE injected_at IS NOT NULL")" 1 \
    "…T+0 goes in at once"
wait_for "[ \"\$(q 'SELECT count(*) FROM drill_injections WHERE injected_at IS NULL')\" = 0 ]" 100 &&
    ok "serve feeds T+2s and T+3s at their time" || not_ok "injections" "$T/serve.err"
T0=$(q "SELECT min(injected_at) FROM drill_injections")
T2=$(q "SELECT injected_at FROM drill_injections WHERE pos = 2")
[ $((T2 - T0)) -ge 2000 ] && [ $((T2 - T0)) -lt 4000 ] && ok "…2 s after T+0 ($((T2 - T0)) ms)" ||
    not_ok "offset $((T2 - T0)) ms"
same "$(q "SELECT count(*) FROM events WHERE drill_id IS NOT NULL AND source = 'drill:$DRL'")" 3 \
    "the injections are events of the real intake, marked as the drill's"
same "$(q "SELECT count(*) FROM proposals p JOIN events ev ON ev.proposal_id = p.id WHERE ev.drill_id IS NULL AND p.drill_id IS NOT NULL")" 0 \
    "a real event never joins a drill's proposal"
same "$(q "SELECT count(*) FROM events WHERE drill_id IS NULL AND proposal_id IN (SELECT id FROM proposals WHERE drill_id IS NULL)")" 1 \
    "…the real tampering has a proposal of its own"
# the two core systems down in the drill are one emergency: level I, opened by the settings
wait_for "[ -n \"\$(q \"SELECT ref FROM incidents WHERE drill_id IS NOT NULL AND level = 'I'\")\" ]" 50 &&
    ok "OA and portal down in the drill: a level I drill incident opened by triage" ||
    not_ok "level I drill incident" "$T/serve.err"
INC1=$(q "SELECT ref FROM incidents WHERE drill_id IS NOT NULL AND level = 'I'")
P1=$(q "SELECT id FROM proposals WHERE drill_id IS NOT NULL AND status = 'open' AND category LIKE 'information-destruction%'")
run triage accept "$P1" --as zhou
expect 0 "the officer accepts the drill's tampering proposal"
INC2=$(awk '{print $NF}' "$OUT")
same "$(q "SELECT is_drill || ' ' || (drill_id IS NOT NULL) FROM incidents WHERE ref = '$INC2'")" "1 1" \
    "…into a drill incident"
PR=$(q "SELECT id FROM proposals WHERE drill_id IS NULL LIMIT 1")
run triage accept "$PR" --into "$INC2" --as zhou
expect 2 "a real proposal cannot be merged into a drill incident"
run triage warn "$P1" --as zhou
expect 0 "…and drafts a warning from it"
W=$(awk '{print $NF}' "$OUT")
same "$(q "SELECT is_drill || ' ' || (drill_id IS NOT NULL) FROM warnings WHERE ref = '$W'")" "1 1" \
    "…a drill warning"
run warning submit "$W" --as zhou
A=$(q "SELECT id FROM approvals WHERE object_ref = '$W'")
if [ -n "$A" ]; then "$TOCSIN" approval decide "$A" approve --as lead >/dev/null 2>&1; fi
"$TOCSIN" warning publish "$W" --as zhou >/dev/null 2>&1
run incident ack "$INC1" --as zhou
expect 0 "the level I drill incident is acknowledged"
for s in responding recovered; do "$TOCSIN" incident status "$INC2" "$s" --as zhou >/dev/null 2>&1; done
same "$(q "SELECT status FROM incidents WHERE ref = '$INC2'")" recovered "the tampered portal is restored in the drill"
same "$(q "SELECT count(*) FROM reports r JOIN incidents i ON i.id = r.incident_id WHERE i.drill_id IS NOT NULL")" 0 \
    "no upward report exists for a drill incident"

# Notices: the participants' mail only.
wait_for "[ \"\$(q \"SELECT count(*) FROM outbox WHERE status = 'pending'\")\" = 0 ]" 100
wait_for "rcpt_subjects zhou@ | grep -q 演练" 50
rcpt_subjects zhou@ >"$T/zhou"
rcpt_subjects lead@ >"$T/lead"
rcpt_subjects wang@ >"$T/wang"
has "$T/zhou" "【演练】" "a participant officer hears of the drill by mail"
grep -q "【演练】.*$INC1" "$T/lead" && ok "…and the participant leader of its incident" ||
    not_ok "leader mail" "$T/lead"
lacks "$T/wang" "演练" "an officer outside the drill hears nothing of it"
has "$T/wang" "真实告警" "…though he hears of the real event"
jq -s -e 'length > 0 and all(.[]; (.body | tostring | contains("演练") | not))' "$T/sink/http.jsonl" >/dev/null &&
    ok "the group webhook hears the real event only" || not_ok "webhook" "$T/sink/http.jsonl"

run drill finish "$DRL" --as lead
expect 0 "the drill is finished"
run drill show "$DRL"
jq -e '.status == "finished" and (.injections | length) == 3 and
    (.participants == ["lead", "zhou"])' "$OUT" >/dev/null &&
    ok "the report names its participants and injections" || not_ok "report" "$OUT"
jq -e --arg i "$INC1" '[.steps[] | select(.step == "acknowledged" and .object == $i)][0] |
    .after_s >= 0 and .deadline_s == 900 and .met == true' "$OUT" >/dev/null &&
    ok "…the acknowledgement timed against the plan's deadline (H-1, 15 min), met" || not_ok "ack step" "$OUT"
jq -e '[.steps[].step] as $s | ["proposal", "incident opened", "level set", "warning drafted",
    "restored"] | all(. as $x | $s | index($x))' "$OUT" >/dev/null &&
    ok "…and every step people took, timestamped" || not_ok "steps" "$OUT"
run drill start "$DRL" --as lead
expect 2 "a finished drill does not start again"
run drill finding "$DRL" --text 夜间值班电话无人接听 --department 办公室 --due +7d --as lead
expect 0 "a finding becomes an action with an owner and a deadline"
F=$(cat "$OUT")
run due --as zhou
has "$OUT" "演练整改（$DRL）：夜间值班电话无人接听" "…on the due list"
lacks "$OUT" "年度综合应急演练" "the year's comprehensive drill is held"
run drill done "$F" --as zhou
expect 0 "the finding is done"
run due --as zhou
lacks "$OUT" "夜间值班电话无人接听" "…and leaves the due list"

# Drafting the upward report is practised: kept with the drill, never sent, timed.
run drill report "$DRL" --incident "$INC2" --as xc
expect 2 "a department does not draft a drill's report"
run drill report "$DRL" --incident "$INC2" --as zhou
expect 0 "the officer drafts the upward report of a drill incident as practice"
has "$OUT" "【演练】" "…marked as practice"
has "$OUT" "$INC2" "…in the official layout, naming the incident"
same "$(q "SELECT count(*) FROM reports r JOIN incidents i ON i.id = r.incident_id WHERE i.drill_id IS NOT NULL")" 0 \
    "…and still no upward report exists for a drill incident"
run drill show "$DRL" --json
jq -e --arg i "$INC2" '[.steps[] | select(.step == "upward report drafted")][0] | .object == $i and
    .deadline_s == 3600 and (.met | type) == "boolean"' "$OUT" >/dev/null &&
    ok "…timed as a step of the drill against the plan's deadline for the first report" || not_ok "report step" "$OUT"
jq -e '.practice_reports | length == 1 and .[0].drafted_by == "zhou"' "$OUT" >/dev/null &&
    ok "…and listed with the drill" || not_ok "practice reports" "$OUT"

# The year's statistics leave the drill out and count it on its own line.
run incident open --title "OA系统登录页遭暴力破解" --category network-attack/brute-force --level III \
    --reason "持续尝试口令" --as zhou
expect 0 "a real incident beside the drill's"
run stats --json --as lead
expect 0 "the year's statistics"
jq -e '.drills_excluded and .incidents.total == 1 and .incidents.by_level.III == 1 and
    .incidents.by_level.I == 0 and .incidents.by_category["network-attack"].count == 1 and
    (.incidents.by_month | add) == 1 and .warnings.total == 0' "$OUT" >/dev/null &&
    ok "…count the real incident only, by level, category and month" || not_ok "stats real" "$OUT"
jq -e --argjson di "$(q "SELECT count(*) FROM incidents WHERE is_drill = 1")" \
    --argjson dw "$(q "SELECT count(*) FROM warnings WHERE is_drill = 1 AND published_at IS NOT NULL")" \
    '.drills.held == 1 and .drills.comprehensive == 1 and .drills.incidents == $di and $di >= 1 and
    .drills.warnings == $dw' "$OUT" >/dev/null &&
    ok "…and the drill held with its own incidents and warnings on a line of their own" || not_ok "stats drills" "$OUT"
jq -e '.events.by_source | has("drill") | not' "$OUT" >/dev/null &&
    ok "…and the drill's injected events are not counted as events received" || not_ok "stats events" "$OUT"
run stats --as lead
expect 0 "the statistics as text"
has "$OUT" "drills held: 1 (comprehensive 1)" "…saying the drills apart"
run stats --as xc
expect 2 "a department may not read the statistics"
REAL=$(q "SELECT ref FROM incidents WHERE is_drill = 0 ORDER BY id DESC LIMIT 1")
run drill report "$DRL" --incident "$REAL" --as zhou
expect 2 "a real incident is not practised on"
run stats --year 20x6 --as lead
expect 2 "a year that is not one is refused"

# The API.
signin() { JAR="$T/jar.$1"; CSRF=""
    http POST /api/v1/session "{\"name\":\"$1\",\"password\":\"$PW\"}"
    CSRF=$(jq -r .csrf_token "$OUT"); }
signin xc
http GET /api/v1/drills
status 403 "a department may not see drills"
signin lead
http GET /api/v1/drills
jq -e '.items[0].ref == "DRL-0001" and .items[0].form_zh == "实战演练"' "$OUT" >/dev/null &&
    ok "a leader lists the drills" || not_ok "list" "$OUT"
http POST "/api/v1/drills/$DRL/findings" '{"text":"值班表未及时更新","department":"办公室","due":"2099-01-10T00:00:00Z"}'
status 201 "a leader records a finding through the API"
fid=$(jq -r .finding "$OUT")
http POST "/api/v1/drill-findings/$fid/done"
status 200 "…and marks it done"
http POST "/api/v1/drill-findings/$fid/done"
status 409 "…once"
http POST "/api/v1/drills/$DRL/reports" '{"incident":"'"$INC2"'","text":"【演练】首报：门户网站首页被篡改（练习）"}'
status 201 "a practice report with its own text through the API"
jq -e '.text == "【演练】首报：门户网站首页被篡改（练习）"' "$OUT" >/dev/null && ok "…kept as written" || not_ok "practice text" "$OUT"
http GET /api/v1/statistics
jq -e '.incidents.total == 1 and .drills.held == 1' "$OUT" >/dev/null &&
    ok "the statistics through the API, drills apart" || not_ok "stats api" "$OUT"
http GET "/api/v1/statistics?year=1999"
status 422 "a year out of range is 422"
http POST /api/v1/drills '{"title":"专项桌面推演","form":"tabletop","scope":"joint","kind":"special","planned":"2027-03-01T01:00:00Z","script":"T+0 OA系统 network-attack - 口令暴力破解\nT+1h - bogus - x\n","participants":["zhou"]}'
status 422 "a bad script through the API is refused"
has "$OUT" "script line 2" "…naming its line"
http POST /api/v1/drills '{"title":"专项桌面推演","form":"tabletop","scope":"joint","kind":"special","planned":"2027-03-01T01:00:00Z","script":"T+0 OA系统 network-attack - 口令暴力破解\n","participants":["zhou"]}'
status 201 "a special tabletop drill planned through the API"
http POST /api/v1/drills/DRL-0002/start
status 200 "…and started"
serve_stop
kill "$SINK_PID" 2>/dev/null
run audit verify
expect 0 "every step is in the audit chain"
