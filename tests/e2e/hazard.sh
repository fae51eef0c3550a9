#!/bin/sh
# The hazard register (P-1) from the command line and the API: entered,
# remediated by its department, verified by someone else, overdue ones
# listed and due; departments see and move only their own.
. "$(dirname "$0")/lib.sh"
export TOCSIN_DATA="$T/data"
"$TOCSIN" init >"$T/init" || { not_ok "init"; exit 1; }
PW="a long enough password"
for u in zhou:officer wang:officer lead:leader; do
    echo "$PW" | "$TOCSIN" user add "${u%%:*}" --role "${u##*:}" --password-file /dev/stdin >/dev/null
done
echo "$PW" | "$TOCSIN" user add xc --role department --department 宣传部 --password-file /dev/stdin >/dev/null
echo "$PW" | "$TOCSIN" user add cw --role department --department 财务处 --password-file /dev/stdin >/dev/null

run hazard add --title 门户网站后台使用弱口令 --severity high --department 宣传部 --asset 门户网站 \
    --deadline +3d --description '安全检查发现后台管理员口令为 admin123' --as zhou
expect 0 "an officer enters a hazard"
H1=$(cat "$OUT")
[ "$H1" = HZD-0001 ] && ok "…and gets its reference" || not_ok "ref '$H1'"
run hazard add --title x --severity urgent --department 宣传部 --deadline +1d --as zhou
expect 2 "an unknown severity is refused"
run hazard add --title x --severity low --department 宣传部 --deadline 2020-01-01T00:00:00Z --as zhou
expect 2 "a deadline in the past is refused"
run hazard add --title 财务系统补丁未更新 --severity medium --department 财务处 --deadline +1d --as xc
expect 2 "a department enters hazards of its own department only"
run hazard add --title 宣传部网站插件过期 --severity low --department 宣传部 --deadline +1d --as xc
expect 0 "…which it may"
H2=$(cat "$OUT")
run hazard add --title 财务系统补丁未更新 --severity medium --department 财务处 --deadline +1d --as zhou
H3=$(cat "$OUT")

run hazard status "$H1" fixed --as xc
expect 2 "open cannot jump to fixed"
run hazard status "$H3" remediating --as xc
expect 2 "a department cannot move another's hazard"
run hazard status "$H1" remediating --as xc --note 已安排修改口令
expect 0 "the department starts remediating"
run hazard status "$H1" fixed --as xc --note 口令已改为强口令并启用双因素
expect 0 "…and fixes it"
run hazard status "$H1" verified --as xc
expect 2 "a department does not verify"
run hazard status "$H2" remediating --as zhou
run hazard status "$H2" fixed --as zhou
run hazard status "$H2" verified --as zhou
expect 2 "whoever fixed it does not verify it"
run hazard status "$H1" verified --as wang --note 复查确认
expect 0 "another officer verifies"
run hazard show "$H1" --as lead
jq -e '.status == "verified" and ([.history[].status] == ["open","remediating","fixed","verified"])
    and .history[2].actor == "xc"' "$OUT" >/dev/null &&
    ok "every move is kept, with who and when" || not_ok "history" "$OUT"
run hazard list --as xc --json
jq -e '[.[].department] | unique == ["宣传部"]' "$OUT" >/dev/null &&
    ok "a department lists only its own" || not_ok "dept list" "$OUT"

# Overdue: a deadline passed (moved into the past in the database, as time would).
sqlite3 "$TOCSIN_DATA/tocsin.db" "UPDATE hazards SET deadline_at = deadline_at - 2 * 86400000 WHERE ref = '$H3'"
run hazard list --overdue --as zhou --json
jq -e --arg r "$H3" 'length == 1 and .[0].ref == $r and .[0].overdue' "$OUT" >/dev/null &&
    ok "the overdue list" || not_ok "overdue" "$OUT"
run due --overdue --as zhou
has "$OUT" "财务系统补丁未更新" "…and it is overdue on the due list"

serve_start
JAR="$T/jar"
http POST /api/v1/session "{\"name\":\"cw\",\"password\":\"$PW\"}"
CSRF=$(jq -r .csrf_token "$OUT")
http GET /api/v1/hazards
jq -e '(.items | length) == 1 and .items[0].department == "财务处"' "$OUT" >/dev/null &&
    ok "through the API a department sees its own" || not_ok "api list" "$OUT"
http POST "/api/v1/hazards/$H3/status" '{"status":"remediating","note":"已联系厂商"}'
status 200 "…and remediates it"
http GET "/api/v1/hazards/$H1"
status 404 "another department's hazard is not found"
serve_stop
run audit verify
expect 0 "every change is in the audit chain"
