# The plan core end to end: one incident from a department's report through
# triage, response, upward report, approved statement, closure and assessment;
# an orange warning through approval to lifting; and bad input of every kind,
# refused with exit 2 and a clear message, the database unchanged.
. "$(dirname "$0")/lib.sh"
export TOCSIN_DATA="$T/data"
"$TOCSIN" init --org 示范开发区管委会 >/dev/null || { not_ok "init"; exit 1; }
printf 'a long enough password\n' >"$T/pw"
for u in zhou:officer lead:leader aud:auditor; do
    "$TOCSIN" user add "${u%%:*}" --role "${u##*:}" --password-file "$T/pw" >/dev/null
done
"$TOCSIN" user add xc --role department --department 宣传部 --password-file "$T/pw" >/dev/null
"$TOCSIN" user add cw --role department --department 财务处 --password-file "$T/pw" >/dev/null

run asset add 门户网站 --kind portal --importance core --department 宣传部 --as zhou
expect 0 "the officer registers the portal as a core asset"
run asset add OA系统 --kind oa --importance core --department 办公室 --as zhou
expect 0 "and the OA system"

# A department reports.
run incident open --title "门户网站首页被篡改" --category information-destruction/tampering \
    --asset 门户网站 --as xc
expect 0 "a department reports an incident"
REF=$(cat "$OUT")
same "$REF" "INC-$(TZ=Asia/Shanghai date +%Y)-0001" "the report gets the first reference of the year"
run incident show "$REF" --json --as zhou
jq -e '.status == "reported" and .category == "information-destruction" and
       (.tasks | length) >= 6 and (.timeline | length) >= 1 and .level == null' "$OUT" >/dev/null &&
    ok "the report waits in 'reported' with its playbook" || not_ok "reported incident" "$OUT"
run due --json --as zhou
jq -e --arg r "$REF" 'map(select(.kind == "acknowledge" and .ref == $r)) | length == 1' "$OUT" \
    >/dev/null && ok "the office owes an acknowledgement (O-3)" || not_ok "acknowledge due" "$OUT"

# Triage: the officer acknowledges, the rules propose a level, the officer confirms.
run incident status "$REF" triaged --as zhou
expect 0 "the officer triages the report"
run incident assess "$REF" --impact 门户网站=tampered:40 --public --json --as zhou
expect 0 "the rules assess the impact"
jq -e '.proposed_level == "III" and .reasons[0].rule == "core-tampered-public"' "$OUT" >/dev/null &&
    ok "a publicly visible tampering of the portal is proposed as III, with the rule" ||
    not_ok "proposal" "$OUT"
run incident level "$REF" III --reason "首页篡改，公众可见" --as zhou
expect 0 "the officer confirms level III"
run incident status "$REF" responding --as zhou
expect 0 "the response starts"

# Evidence.
printf '<html><body>defaced</body></html>\n' >"$T/index.html"
run incident evidence "$REF" add --file "$T/index.html" --note "被篡改的首页" --as xc
expect 0 "the department adds the defaced page as evidence"
run incident evidence "$REF" add --text "10:05 值班员发现首页异常" --as zhou
expect 0 "the officer adds a note"

# Upward reports: level III owes the city office and the provincial CAC.
run incident show "$REF" --json --as zhou
jq -e '[.reports[] | select(.kind == "first") | .recipient] | sort == ["cac", "city-office"]' \
    "$OUT" >/dev/null && ok "level III owes first reports to the city office and the CAC (W-4)" ||
    not_ok "reports owed" "$OUT"
CITY=$(jq '.reports[] | select(.recipient == "city-office") | .id' "$OUT")
CAC=$(jq '.reports[] | select(.recipient == "cac") | .id' "$OUT")
run incident report "$REF" show "$CITY" --as zhou
has "$OUT" "网络安全事件报告（首报）" "the first report is generated in the official layout"
has "$OUT" "示范开发区管委会" "it names the reporting organisation"
run incident report "$REF" sent "$CITY" --to 市网络安全应急办公室值班室 --via phone --as zhou
expect 0 "the officer marks the city report sent"
run incident report "$REF" sent "$CITY" --to 再次 --via phone --as zhou
expect 2 "a report is marked sent only once"
run incident report "$REF" sent "$CAC" --to 省网信办 --via system --as zhou
expect 0 "and the CAC report"

# Tasks: the playbook is worked; a department finishes its own.
run incident show "$REF" --json --as zhou
cp "$OUT" "$T/story.json"
BACKUP=$(jq '.tasks[] | select(.code == "backup") | .id' "$T/story.json")
run incident task "$REF" done "$BACKUP" --note 已完成整站备份 --as cw
expect 2 "another department cannot finish 宣传部's task"
run incident task "$REF" done "$BACKUP" --note 已完成整站备份 --as xc
expect 0 "宣传部 finishes its backup task"
for id in $(jq '.tasks[] | select(.mandatory == 1 and .done_at == null and .code != "backup") | .id' "$T/story.json"); do
    "$TOCSIN" incident task "$REF" done "$id" --note 完成 --as zhou >/dev/null || not_ok "task $id"
done

# A public statement needs a leader's approval.
run incident statement "$REF" draft --text "我单位门户网站已恢复正常访问。" --as zhou
expect 0 "the officer drafts a statement"
SID=$(cat "$OUT")
run incident statement "$REF" release "$SID" --as zhou
expect 2 "an unapproved statement is not released (H-6)"
has "$ERR" "only a statement a leader approved can be released" "the refusal says why"
run incident statement "$REF" submit "$SID" --as zhou
expect 0 "the statement is submitted"
APP=$(cat "$OUT")
run approval decide "$APP" approve --as zhou
expect 2 "an officer cannot approve"
run approval decide "$APP" approve --as lead
expect 0 "the leader approves"
run incident statement "$REF" release "$SID" --as zhou
expect 0 "the approved statement is released"

# Closing, then the assessment within 30 days.
run incident status "$REF" contained --as zhou
expect 0 "contained"
run incident status "$REF" recovered --as zhou
expect 0 "recovered"
run incident status "$REF" assessed --as zhou
expect 2 "'assessed' cannot be set by hand"
run incident status "$REF" closed --as zhou
expect 0 "closed"
run assessment show "$REF" --json --as zhou
jq -e '.complete == false' "$OUT" >/dev/null && ok "closing opens the assessment (H-7)" ||
    not_ok "assessment opened" "$OUT"
due=$(jq -r .due "$OUT")
closed=$("$TOCSIN" incident show "$REF" --json --as zhou | jq -r .closed_at)
gap=$(( $(date -d "$due" +%s) - $(date -d "$closed" +%s) ))
same "$gap" "2592000" "the assessment is due 30 days after closing"
run assessment complete "$REF" --as zhou
expect 2 "an incomplete assessment cannot be completed"
run assessment edit "$REF" --cause "内容管理系统弱口令" --nature "蓄意篡改" --impact "首页约 40 分钟显示篡改内容" \
    --responsibility "宣传部未按要求更换口令" --handling "恢复页面，更换口令" --improvements "启用双因素认证" --as zhou
expect 0 "the officer writes the assessment"
run assessment edit "$REF" --improvement "内容管理系统启用双因素认证" --department 宣传部 --due +14d --as zhou
expect 0 "an improvement becomes a tracked action"
run assessment edit "$REF" --commend 张三 --text "发现及时，处置得当" --as zhou
expect 0 "a commendation is recorded (G-5)"
run assessment complete "$REF" --as zhou
expect 0 "the assessment is completed"
run incident show "$REF" --json --as aud
jq -e '.status == "assessed" and (.statements[0].status == "released") and
       ([.reports[] | select(.kind == "final")] | length == 2) and (.evidence | length) == 2' \
    "$OUT" >/dev/null && ok "the auditor sees the whole story: assessed, released, final reports owed" ||
    not_ok "whole story" "$OUT"
run due --json --as xc
jq -e 'map(select(.what == "内容管理系统启用双因素认证")) | length == 1' "$OUT" >/dev/null &&
    ok "the department sees its improvement action as due" || not_ok "improvement due" "$OUT"
run incident show "$REF" --as zhou
has "$OUT" "timeline:" "incident show prints the whole story"
has "$OUT" "sha256" "with evidence hashes"

run incident evidence "$REF" verify --as aud
expect 0 "every evidence item verifies"
run audit verify
expect 0 "the audit chain verifies after the whole story"

# A tampered evidence object is found.
run incident show "$REF" --json --as zhou
obj=$(jq -r '.evidence[0].sha256' "$OUT")
printf 'altered' >"$TOCSIN_DATA/objects/$(printf %.2s "$obj")/$obj"
run incident evidence "$REF" verify --as aud
expect 1 "evidence verify finds the altered item (exit 1)"
has "$OUT" "BAD" "and names it"

# An orange warning: approval, publication, lifting.
run warning draft --colour orange --category network-attack/dos --scope "门户网站" \
    --items "监测到针对门户网站的攻击流量上升" --measure "启用流量清洗，安排值守" --deadline +24h \
    --issuer "网络安全和信息化领导小组办公室" --as zhou
expect 0 "the officer drafts an orange warning"
WRN=$(cat "$OUT")
before=$(dbsum "$TOCSIN_DATA")
run warning publish "$WRN" --as zhou
expect 2 "an orange warning is not published without approval"
same "$(dbsum "$TOCSIN_DATA")" "$before" "the refused publication changed nothing"
run warning submit "$WRN" --as zhou
expect 0 "it is submitted for approval"
run warning approve "$WRN" --as lead
expect 0 "the leader approves it"
run warning publish "$WRN" --as zhou
expect 0 "then it is published"
run warning show "$WRN" --json --as xc
jq -e '.status == "published" and (.tasks | length) == 3' "$OUT" >/dev/null &&
    ok "the published warning carries its W-6 tasks" || not_ok "warning tasks" "$OUT"
run warning lift "$WRN" --as zhou
expect 2 "lifting needs a reason"
run warning lift "$WRN" --reason "攻击流量已回落" --as zhou
expect 0 "the warning is lifted"

# Bad input: exit 2, one clear line, nothing changed.
before=$(dbsum "$TOCSIN_DATA")
run incident open --title x --category alien-invasion --as zhou
expect 2 "an unknown category exits 2"
has "$ERR" "unknown category 'alien-invasion'" "the message names the category"
run warning draft --colour orange --category other --scope s --items i --deadline +1h --issuer x --as zhou
expect 2 "a warning without measures exits 2"
has "$ERR" "--measure" "the message names the missing field"
run incident status "$REF" triaged --as zhou
expect 2 "an illegal transition exits 2"
has "$ERR" "cannot move" "the message says the move is not allowed"
run incident show INC-2026-9999 --as zhou
expect 2 "an unknown reference exits 2"
run incident level "$REF" I --reason x --as xc
expect 2 "a department cannot set a level"
has "$ERR" "may not" "the refusal names what the role may not do"
run warning draft --colour red --category other --scope s --items i --measure m --deadline +1h --issuer x --as aud
expect 2 "an auditor cannot draft a warning"
run incident open --title x --category other --as nobody
expect 2 "an unknown acting user exits 2"
run incident open --title x --category other
expect 2 "acting without --as exits 2"
run incident task "$REF" add --title t --due "next tuesday" --as zhou
expect 2 "a malformed time exits 2"
run incident open --title "x'); DROP TABLE incidents; --" --category other --level II --as zhou
expect 2 "a level without a reason exits 2"
same "$(dbsum "$TOCSIN_DATA")" "$before" "no refused command changed the database"

# Hostile text is stored and shown as data.
run incident open --title "x'); DROP TABLE incidents; -- <script>alert(1)</script>" --category other --as zhou
expect 0 "SQL and script text in a title is accepted as data"
R2=$(cat "$OUT")
run incident show "$R2" --json --as zhou
jq -e '.title == "x'"'"'); DROP TABLE incidents; -- <script>alert(1)</script>"' "$OUT" >/dev/null &&
    ok "and returned verbatim" || not_ok "verbatim title" "$OUT"
run audit verify
expect 0 "the audit chain still verifies"
