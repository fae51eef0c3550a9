# The whole story of one incident and one warning through the HTTP API only,
# each route's happy path: a department reports, the officer triages, sets
# the level, assigns, flags, works tasks, adds evidence, sends the upward
# reports, drafts a statement that a leader approves, closes, assesses; an
# orange warning is drafted, approved, published and lifted.
. "$(dirname "$0")/lib.sh"
export TOCSIN_DATA="$T/data"
"$TOCSIN" init >"$T/init" || { not_ok "init"; exit 1; }
ADMIN_PW=$(sed -n 's/^password: //p' "$T/init")
# This story runs on two answering threads, each with its own connection.
"$TOCSIN" user add boss --role leader --password-file /dev/stdin >/dev/null <<PW
a long enough password
PW
"$TOCSIN" setting set server.threads 2 --as boss >/dev/null
serve_start
signin() { # NAME PASSWORD: a cookie session in $T/jar.NAME, its CSRF token in $CSRF
    JAR="$T/jar.$1"
    CSRF=""
    http POST /api/v1/session "{\"name\":\"$1\",\"password\":\"$2\"}"
    CSRF=$(jq -r .csrf_token "$OUT")
}
signin admin "$ADMIN_PW"
for u in lead:leader zhou:officer aud:auditor; do
    http POST /api/v1/users "{\"name\":\"${u%%:*}\",\"role\":\"${u##*:}\",\"password\":\"a long enough password\"}"
done
http POST /api/v1/users '{"name":"xc","role":"department","department":"宣传部","display_name":"宣传部联络员","password":"a long enough password"}'
status 201 "the admin adds users through the API"
http GET /api/v1/users
jq -e '(.items | length) == 6' "$OUT" >/dev/null && ok "and lists them" || not_ok "users" "$OUT"
http POST /api/v1/users/xc/password '{"password":"another long password"}'
status 200 "the admin resets a password"
http POST /api/v1/users/xc/enable
status 200 "enabling an enabled user is harmless"

signin xc "another long password"
http POST /api/v1/incidents '{"title":"首页出现博彩暗链","category":"content-security/hidden-links","asset":"门户网站","description":"值班时发现首页底部有隐藏链接"}'
status 201 "a department reports an incident"
REF=$(jq -r .ref "$OUT")
jq -e '.status == "reported" and .owner_department == "宣传部"' "$OUT" >/dev/null &&
    ok "it is reported, owned by the department" || not_ok "report" "$OUT"

signin zhou "a long enough password"
http GET /api/v1/due
jq -e --arg r "$REF" '.items | map(select(.kind == "acknowledge" and .ref == $r)) | length == 1' "$OUT" >/dev/null &&
    ok "the office owes an acknowledgement" || not_ok "due" "$OUT"
http POST "/api/v1/incidents/$REF/status" '{"status":"triaged"}'
status 200 "the officer triages"
http POST "/api/v1/incidents/$REF/level" '{"level":"III","reason":"首页公众可见的违法信息"}'
status 200 "sets level III"
jq -e '.level == "III" and ([.reports[].recipient] | sort) == ["cac", "city-office"]' "$OUT" >/dev/null &&
    ok "which owes reports to the city office and the CAC" || not_ok "level" "$OUT"
CITY=$(jq '.reports[] | select(.recipient == "city-office") | .id' "$OUT")
http POST "/api/v1/incidents/$REF/assign" '{"department":"宣传部","person":"xc"}'
status 200 "assigns the owner"
http POST "/api/v1/incidents/$REF/flags" '{"flag":"sabotage","value":true}'
status 200 "flags deliberate sabotage"
jq -e '.flags.sabotage and ([.tasks[].code] | index("police-contact") != null)' "$OUT" >/dev/null &&
    ok "which adds the police contact task" || not_ok "flag" "$OUT"
http POST "/api/v1/incidents/$REF/status" '{"status":"responding"}'
http POST "/api/v1/incidents/$REF/tasks" '{"title":"检查其他栏目","due":"2030-01-01T00:00:00Z","department":"宣传部","mandatory":true}'
status 201 "adds a task"
TASK=$(jq .id "$OUT")
http POST "/api/v1/incidents/$REF/evidence" '{"text":"10:05 发现首页底部隐藏链接 12 条"}'
status 201 "adds a note as evidence"
http POST "/api/v1/incidents/$REF/evidence/verify"
jq -e '.ok and (.items | length) == 1' "$OUT" >/dev/null && ok "evidence verifies" || not_ok "verify" "$OUT"
http PUT "/api/v1/incidents/$REF/reports/$CITY" '{"text":"网络安全事件报告（首报）\n报送单位：示范单位\n事件：首页出现暗链"}'
status 200 "rewrites the first report"
http POST "/api/v1/incidents/$REF/reports/$CITY/sent" '{"to":"市网络安全应急办公室","via":"phone"}'
status 200 "marks it sent"
jq -e --argjson id "$CITY" '.reports[] | select(.id == $id) | .sent_via == "phone" and .late == 0' "$OUT" >/dev/null &&
    ok "on time" || not_ok "sent" "$OUT"

signin xc "another long password"
http POST "/api/v1/tasks/$TASK/done" '{"note":"其他栏目无异常"}'
status 200 "the department finishes its task"

signin zhou "a long enough password"
http GET "/api/v1/incidents/$REF"
for id in $(jq '.tasks[] | select(.mandatory == 1 and .done_at == null) | .id' "$OUT"); do
    http POST "/api/v1/tasks/$id/done" '{"note":"完成"}'
done
http POST "/api/v1/incidents/$REF/statements" '{"text":"我单位门户网站已清除违规链接，恢复正常。"}'
status 201 "drafts a statement"
SID=$(jq .id "$OUT")
http POST "/api/v1/incidents/$REF/statements/$SID/submit"
status 200 "submits it"
APP=$(jq .approval "$OUT")
http POST "/api/v1/incidents/$REF/statements/$SID/release"
status 409 "it cannot be released before approval"

signin lead "a long enough password"
http GET "/api/v1/approvals?pending=1"
jq -e --argjson a "$APP" '.items | map(select(.id == $a and .kind == "statement")) | length == 1' "$OUT" >/dev/null &&
    ok "the leader sees it waiting" || not_ok "approvals" "$OUT"
http POST "/api/v1/approvals/$APP/decide" '{"decision":"approve"}'
status 200 "and approves"

signin zhou "a long enough password"
http POST "/api/v1/incidents/$REF/statements/$SID/release"
status 200 "then it is released"
for s in contained recovered closed; do
    http POST "/api/v1/incidents/$REF/status" "{\"status\":\"$s\"}"
done
status 200 "the incident is closed"
http PUT "/api/v1/incidents/$REF/assessment" '{"cause":"内容管理系统插件漏洞","nature":"蓄意植入暗链","impact":"首页约 3 小时含暗链","responsibility":"插件未及时更新","handling":"清除链接，升级插件","improvements":"建立插件更新台账"}'
status 200 "the assessment is written"
http POST "/api/v1/incidents/$REF/assessment/complete"
status 200 "and completed"
http GET "/api/v1/incidents/$REF/assessment"
jq -e '.complete == true' "$OUT" >/dev/null && ok "the assessment is complete" || not_ok "assessment" "$OUT"
http GET "/api/v1/incidents?status=assessed"
jq -e --arg r "$REF" '.items[0].ref == $r' "$OUT" >/dev/null && ok "the list filters by status" || not_ok "filter" "$OUT"

# An orange warning.
http POST /api/v1/warnings '{"colour":"orange","category":"content-security/hidden-links","scope":"全市政府网站","items":"发现针对政府网站的暗链植入活动","measure":"立即排查首页和栏目页的隐藏链接","deadline":"2030-01-01T00:00:00Z","issuer":"网络安全和信息化领导小组办公室"}'
status 201 "the officer drafts an orange warning"
WRN=$(jq -r .ref "$OUT")
http POST "/api/v1/warnings/$WRN/publish"
status 409 "it cannot be published unapproved"
http POST "/api/v1/warnings/$WRN/submit"
status 200 "it is submitted"
signin lead "a long enough password"
http POST "/api/v1/warnings/$WRN/approve" '{"reason":"同意"}'
status 200 "the leader approves"
signin zhou "a long enough password"
http POST "/api/v1/warnings/$WRN/publish"
status 200 "it is published"
jq -e '.status == "published" and (.tasks | length) == 3' "$OUT" >/dev/null && ok "with its three tasks" || not_ok "publish" "$OUT"
http GET /api/v1/warnings
jq -e --arg w "$WRN" '.items[0].ref == $w' "$OUT" >/dev/null && ok "the warning list shows it" || not_ok "warnings" "$OUT"
http POST "/api/v1/warnings/$WRN/lift" '{"reason":"排查完毕"}'
status 200 "and it is lifted"
http GET "/api/v1/warnings/$WRN"
jq -e '.status == "lifted" and .lift_reason == "排查完毕"' "$OUT" >/dev/null && ok "recorded as lifted, with why" || not_ok "lift" "$OUT"

signin aud "a long enough password"
http GET "/api/v1/audit?action=warning.lift&limit=5"
jq -e '(.items | length) == 1 and .items[0].actor == "zhou"' "$OUT" >/dev/null &&
    ok "the auditor finds the lifting in the audit log" || not_ok "audit list" "$OUT"
http GET /api/v1/audit/verify
jq -e '.ok == true and .entries > 30' "$OUT" >/dev/null && ok "and the chain verifies" || not_ok "audit verify" "$OUT"
serve_stop
