#!/bin/sh
# The plan itself (A-1): a revision recorded by a leader with its document in
# the object store and what caused it; incidents opened afterwards record it.
. "$(dirname "$0")/lib.sh"
export TOCSIN_DATA="$T/data"
"$TOCSIN" init >"$T/init" || { not_ok "init"; exit 1; }
PW="a long enough password"
echo "$PW" | "$TOCSIN" user add zhou --role officer --password-file /dev/stdin >/dev/null
echo "$PW" | "$TOCSIN" user add lead --role leader --password-file /dev/stdin >/dev/null

run incident open --title 旧预案下的事件 --category other --as zhou
OLD=$(cat "$OUT")
printf '网络与信息安全应急预案（2027年修订）\n第一章 总则……\n' >"$T/plan.txt"
run plan revise 2027-01 --title 网络与信息安全应急预案（修订） --effective +0m --approved-by 领导小组 \
    --document "$T/plan.txt" --cites "$OLD" --note 根据演练发现补充值班要求 --as zhou
expect 2 "an officer does not revise the plan"
run plan revise 2027-01 --title 网络与信息安全应急预案（修订） --effective +0m --approved-by 领导小组 \
    --document "$T/plan.txt" --cites "$OLD" --note 根据演练发现补充值班要求 --as lead
expect 0 "a leader records a revision"
run plan revise 2027-01 --title x --effective +0m --approved-by 领导小组 --as lead
expect 2 "a version is recorded once"
run plan revise 2027-02 --title x --effective +0m --approved-by 领导小组 --document /nonexistent --as lead
expect 2 "a document that cannot be read is refused"
sleep 1
run incident open --title 新预案下的事件 --category other --as zhou
NEW=$(cat "$OUT")
run plan list
jq -e --arg o "$OLD" '.[0].version == "2027-01" and .[0].cites == [$o] and .[0].incidents == 1 and
    .[0].recorded_by == "lead" and (.[0].document | length) == 64 and .[1].version == "2023-02-08"
    and .[1].incidents == 1' "$OUT" >/dev/null &&
    ok "each version with its document, citations and the incidents it governed" ||
    not_ok "list" "$OUT"
doc=$(jq -r '.[0].document' "$OUT")
[ "$doc" = "$(sha256sum "$T/plan.txt" | cut -d' ' -f1)" ] &&
    ok "the document is kept in the object store by its SHA-256" || not_ok "document hash"
run incident show "$NEW" --json --as zhou
jq -e '.plan_version == "2027-01"' "$OUT" >/dev/null && ok "a new incident records the new version" ||
    not_ok "new incident" "$OUT"
run incident show "$OLD" --json --as zhou
jq -e '.plan_version == "2023-02-08"' "$OUT" >/dev/null && ok "an earlier one keeps its version" ||
    not_ok "old incident" "$OUT"
run audit verify
expect 0 "the revision is in the audit chain"
