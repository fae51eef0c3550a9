#!/bin/sh
# Security checks (P-1) from the command line: a daily checklist with items
# a person checks and items tocsin fills from what it knows, a run, results,
# the failed item turned into a hazard, the schedule on the due list.
. "$(dirname "$0")/lib.sh"
export TOCSIN_DATA="$T/data"
"$TOCSIN" init >"$T/init" || { not_ok "init"; exit 1; }
PW="a long enough password"
echo "$PW" | "$TOCSIN" user add zhou --role officer --password-file /dev/stdin >/dev/null
echo "$PW" | "$TOCSIN" user add xc --role department --department 宣传部 --password-file /dev/stdin >/dev/null
q() { sqlite3 "$TOCSIN_DATA/tocsin.db" "$1"; }

run checklist add 每日安全检查 --schedule daily --as zhou \
    --item '机房门禁记录无异常' --expect '无未授权进入' \
    --item '防火墙策略未被改动' --expect '与基线一致' \
    --auto guard-intact --auto no-overdue-hazards
expect 0 "an officer defines a daily checklist"
run checklist add 坏清单 --schedule daily --auto everything-fine --as zhou
expect 2 "an unknown automatic check is refused"
run checklist add 坏清单 --schedule daily --item a --item b --expect x --as zhou
expect 2 "an --expect for some items only is refused"
run checklist add 坏清单 --schedule hourly --item a --as zhou
expect 2 "an unknown schedule is refused"
run checklist add 部门清单 --schedule daily --item a --as xc
expect 2 "a department does not define checklists"
run due --as zhou
has "$OUT" "安全检查：每日安全检查" "the checklist is due on its schedule"

# Something tocsin knows is wrong: a tampering the guard did not put right.
run event submit --source guard --category information-destruction/tampering --asset 门户网站 \
    --summary '网页文件被篡改，未处置' --as zhou
run checklist run 每日安全检查 --as zhou
expect 0 "a run starts"
RUN=$(cat "$OUT")
run checklist show "$RUN" --json
jq -e '.items[2].result == "fail" and .items[2].by == "tocsin" and .items[3].result == "pass"
    and .items[0].result == null' "$OUT" >/dev/null &&
    ok "the automatic items are filled at once: the guard's untreated change fails" ||
    not_ok "auto" "$OUT"
run checklist finish "$RUN" --as zhou
expect 2 "a run cannot finish with items unanswered"
run checklist record "$RUN" 1 pass --as zhou
run checklist record "$RUN" 2 fail --note '发现一条临时放行策略未撤销' --as zhou
expect 0 "results are recorded with a note"
run checklist record "$RUN" 9 pass --as zhou
expect 2 "there is no item 9"
run checklist record "$RUN" 1 maybe --as zhou
expect 2 "a result is pass, fail or na"
run checklist finish "$RUN" --as zhou
expect 0 "the run finishes"
has "$OUT" "fail" "…failed, as an item failed"
run checklist record "$RUN" 1 fail --as zhou
expect 2 "a finished run takes no more results"
run checklist hazard "$RUN" 1 --department 办公室 --severity low --deadline +7d --as zhou
expect 2 "an item that passed is no hazard"
run checklist hazard "$RUN" 2 --department 办公室 --severity medium --deadline +7d --as zhou
expect 0 "the failed item becomes a hazard in one step"
HZ=$(cat "$OUT")
run hazard show "$HZ" --as zhou
jq -e '.title == "安全检查未通过：防火墙策略未被改动" and (.description | contains("临时放行"))' "$OUT" >/dev/null &&
    ok "…carrying the item and its note" || not_ok "hazard" "$OUT"
run checklist hazard "$RUN" 2 --department 办公室 --severity medium --deadline +7d --as zhou
expect 2 "…once"
run due --as zhou --json
started=$(q "SELECT started_at FROM check_runs WHERE id = $RUN")
jq -e --argjson s "$started" '[.[] | select(.kind == "check")][0].due_ms == $s + 86400000' "$OUT" >/dev/null &&
    ok "after today's run the checklist is next due a day after it" || not_ok "next due" "$OUT"
run checklist list --json
jq -e '.[0].last_result == "fail" and .[0].items == 4' "$OUT" >/dev/null &&
    ok "the list shows the last run's result" || not_ok "list" "$OUT"
run audit verify
expect 0 "every step is in the audit chain"

# Through the API, a weekly checklist with a Chinese name.
serve_start
JAR="$T/jar"
http POST /api/v1/session "{\"name\":\"zhou\",\"password\":\"$PW\"}"
CSRF=$(jq -r .csrf_token "$OUT")
http POST /api/v1/checklists '{"name":"每周网站检查","schedule":"weekly","items":[{"text":"后台账号清单与登记一致","expected":"一致"},{"auto":"monitors-up"}]}'
status 201 "a checklist through the API"
http POST "/api/v1/checklists/$(printf '每周网站检查' | jq -sRr @uri)/runs"
status 201 "a run of it"
R2=$(jq -r .run "$OUT")
jq -e '.items[1].result == "pass" and .items[0].result == null' "$OUT" >/dev/null &&
    ok "…with the automatic item filled (no monitor is down)" || not_ok "api run" "$OUT"
http POST "/api/v1/check-runs/$R2/items/1" '{"result":"na","note":"本周无账号变动"}'
status 200 "a result through the API"
http POST "/api/v1/check-runs/$R2/finish"
jq -e '.result == "pass"' "$OUT" >/dev/null && ok "…and the run passes" || not_ok "api finish" "$OUT"
http POST "/api/v1/check-runs/$R2/items/1/hazard" '{"department":"办公室","severity":"low","deadline":"2030-01-01T00:00:00Z"}'
status 409 "an item that did not fail is no hazard"
serve_stop
