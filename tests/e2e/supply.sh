#!/bin/sh
# The emergency-supplies store (G-1) from the command line: items added,
# a dispatch for an incident waiting for a leader's approval (no quantity
# changes before), approved and issued, returned; departments refused;
# quantities never negative; expiring items due; the API's view.
. "$(dirname "$0")/lib.sh"
export TOCSIN_DATA="$T/data"
"$TOCSIN" init >"$T/init" || { not_ok "init"; exit 1; }
PW="a long enough password"
for u in zhou:officer lead:leader; do
    echo "$PW" | "$TOCSIN" user add "${u%%:*}" --role "${u##*:}" --password-file /dev/stdin >/dev/null
done
echo "$PW" | "$TOCSIN" user add xc --role department --department 宣传部 --password-file /dev/stdin >/dev/null
q() { sqlite3 "$TOCSIN_DATA/tocsin.db" "$1"; }

run supply add --name 备用服务器 --kind hardware --quantity 2 --location 机房A柜 --as zhou
expect 0 "an officer adds an item"
SUP=$(cat "$OUT")
case "$SUP" in SUP-0001) ok "…and gets its reference" ;; *) not_ok "ref '$SUP'" "$OUT" ;; esac
run supply add --name 杀毒软件授权 --kind software --quantity 50 --location 信息中心 --expires +10d --as zhou
expect 0 "a licence that expires"
run supply add --name x --kind food --quantity 1 --location y --as zhou
expect 2 "an unknown kind is refused"
run supply add --name x --kind rescue --quantity -1 --location y --as zhou
expect 2 "a negative quantity is refused"
run supply add --name x --kind rescue --quantity 1 --location y --as xc
expect 2 "a department may not keep the store"

run incident open --title 门户网站服务器硬盘故障 --category equipment-failure/hardware --as zhou
INC=$(cat "$OUT")
run supply dispatch "$SUP" --quantity 1 --incident "$INC" --as xc
expect 2 "a department's dispatch request is refused"
run supply dispatch "$SUP" --quantity 3 --incident "$INC" --as zhou
expect 2 "more than the store holds is refused"
run supply dispatch "$SUP" --quantity 1 --as zhou
expect 2 "a dispatch names its incident"
run supply dispatch "$SUP" --quantity 1 --incident "$INC" --as zhou --reason 更换故障服务器
expect 0 "an officer requests one for the incident"
REQ=$(cat "$OUT")
[ "$(q "SELECT quantity FROM supplies WHERE ref = '$SUP'")" = 2 ] &&
    ok "…and nothing leaves the store before approval" || not_ok "quantity changed early"
run approval decide "$REQ" approve --as zhou
expect 2 "an officer cannot approve it"
run approval decide "$REQ" approve --as lead
expect 0 "a leader approves"
[ "$(q "SELECT quantity FROM supplies WHERE ref = '$SUP'")" = 1 ] &&
    ok "…and it is issued: one left" || not_ok "quantity after approval"
run incident show "$INC" --as zhou --json
grep -q '应急物资出库' "$OUT" && ok "the incident's timeline records the issue" || not_ok "timeline" "$OUT"

# Two requests for the last one: the second approval finds the store empty.
run supply dispatch "$SUP" --quantity 1 --incident "$INC" --as zhou
R1=$(cat "$OUT")
run supply dispatch "$SUP" --quantity 1 --incident "$INC" --as lead
R2=$(cat "$OUT")
run approval decide "$R1" approve --as lead
expect 0 "the first is approved"
run approval decide "$R2" approve --as lead
expect 2 "the second cannot be: the store is empty (nothing changed)"
[ "$(q "SELECT quantity FROM supplies WHERE ref = '$SUP'")" = 0 ] &&
    ok "the quantity never goes below zero" || not_ok "negative"
run approval decide "$R2" reject --reason 已无库存 --as lead
expect 0 "it is rejected instead"

D=$(q "SELECT id FROM supply_dispatches WHERE status = 'issued' ORDER BY id LIMIT 1")
run supply return "$D" --quantity 2 --as zhou
expect 2 "more than went out cannot come back"
run supply return "$D" --quantity 1 --as zhou
expect 0 "the dispatch is returned"
[ "$(q "SELECT quantity || ' ' || (SELECT status FROM supply_dispatches WHERE id = $D) FROM supplies WHERE ref = '$SUP'")" = "1 returned" ] &&
    ok "…and the quantity reconciled" || not_ok "return"
run supply return "$D" --quantity 1 --as zhou
expect 2 "a returned dispatch takes nothing more"
run supply show "$SUP"
jq -e '.quantity == 1 and .out == 1 and
    ([.dispatches[].status] | sort) == ["issued", "rejected", "returned"]' "$OUT" >/dev/null &&
    ok "the item shows its dispatches and what is still out" || not_ok "show" "$OUT"
run due --as zhou
has "$OUT" "杀毒软件授权" "an item expiring within 30 days is due"
run audit verify
expect 0 "every change is in the audit chain"

# Through the API: everyone sees the store; a department may not dispatch.
serve_start
signin() { JAR="$T/jar.$1"; CSRF=""
    http POST /api/v1/session "{\"name\":\"$1\",\"password\":\"$PW\"}"
    CSRF=$(jq -r .csrf_token "$OUT"); }
signin xc
http GET /api/v1/supplies
jq -e '(.items | length) == 2 and .items[0].ref == "SUP-0001"' "$OUT" >/dev/null &&
    ok "a department sees the store" || not_ok "list" "$OUT"
http POST "/api/v1/supplies/$SUP/dispatch" "{\"quantity\":1,\"incident\":\"$INC\"}"
status 403 "…but may not request from it"
signin zhou
http POST /api/v1/supplies '{"name":"应急电源","kind":"rescue","quantity":4,"location":"仓库"}'
status 201 "an officer adds an item through the API"
http POST /api/v1/supplies/SUP-0003/dispatch "{\"quantity\":2,\"incident\":\"$INC\"}"
status 201 "…and requests two of it"
jq -e '.approval > 0' "$OUT" >/dev/null && ok "…answering the approval to wait for" || not_ok "approval" "$OUT"
http POST /api/v1/supplies/SUP-0003/dispatch "{\"quantity\":-2,\"incident\":\"$INC\"}"
status 422 "a negative request is refused"
serve_stop
