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

# Through the API: a revision, then its document and other files as raw bodies.
echo "$PW" | "$TOCSIN" user add xc --role department --department 宣传部 --password-file /dev/stdin >/dev/null
serve_start
signin() { JAR="$T/jar.$1"; CSRF=""
    http POST /api/v1/session "{\"name\":\"$1\",\"password\":\"$PW\"}"
    CSRF=$(jq -r .csrf_token "$OUT"); }
signin zhou
http POST /api/v1/plan/versions '{"version":"2027-06","title":"修订","effective":"2027-06-01T00:00:00Z","approved_by":"领导小组"}'
status 403 "an officer does not revise the plan through the API either"
signin lead
http POST /api/v1/plan/versions '{"version":"2027-06","title":"网络与信息安全应急预案（年中修订）","effective":"2027-06-01T00:00:00Z","approved_by":"领导小组","cites":["'"$NEW"'"],"note":"补充夜间值班要求"}'
status 201 "a leader records a revision through the API"
http POST /api/v1/plan/versions '{"version":"2027-06","title":"x","effective":"2027-06-01T00:00:00Z","approved_by":"领导小组"}'
status 409 "…once"
http POST /api/v1/plan/versions '{"version":"2027-07","title":"x","approved_by":"领导小组"}'
status 422 "…with its effective date required"
printf '第一章 总则（年中修订）\n' >"$T/plan2.txt"
http POST "/api/v1/plan/versions/2027-06/files?name=%E9%A2%84%E6%A1%88.txt" -H 'Content-Type: application/octet-stream' --data-binary @"$T/plan2.txt"
status 201 "its document is sent as the request's body"
fid=$(jq -r .id "$OUT")
http POST "/api/v1/plan/versions/2027-06/files?name=..%2Fetc%2Fpasswd" -H 'Content-Type: application/octet-stream' --data-binary @"$T/plan2.txt"
status 422 "a file name that is a path is refused"
http POST "/api/v1/plan/versions/2099-01/files?name=x.txt" -H 'Content-Type: application/octet-stream' --data-binary @"$T/plan2.txt"
status 404 "a file for a version that does not exist is refused"
http GET /api/v1/plan/versions
jq -e --arg n "$NEW" --arg h "$(sha256sum "$T/plan2.txt" | cut -d' ' -f1)" '.items[0].version == "2027-06" and
    .items[0].cites == [$n] and .items[0].document == $h and (.items[0].files | length) == 1 and
    .items[0].files[0].name == "预案.txt" and .items[0].files[0].added_by == "lead"' "$OUT" >/dev/null &&
    ok "…the version's first file is its document, listed with the version" || not_ok "api list" "$OUT"
signin xc
http GET "/api/v1/files/$fid"
status 200 "anyone signed in reads the plan's document"
cmp -s "$OUT" "$T/plan2.txt" && ok "…byte for byte" || not_ok "download" "$OUT"
http POST "/api/v1/plan/versions/2027-06/files?name=x.txt" -H 'Content-Type: application/octet-stream' --data-binary @"$T/plan2.txt"
status 403 "a department adds no file to the plan"
# a damaged object is refused, never sent
obj=$(sqlite3 "$TOCSIN_DATA/tocsin.db" "SELECT object FROM prep_files WHERE id = $fid")
f=$(find "$TOCSIN_DATA" -type f -name "*$obj*" | head -1)
if [ -n "$f" ]; then
    chmod u+w "$f" "$(dirname "$f")" 2>/dev/null
    printf 'tampered' >>"$f"
    http GET "/api/v1/files/$fid"
    [ "$code" != 200 ] && ok "a damaged file is refused (HTTP $code)" || not_ok "damaged file sent" "$OUT"
else
    not_ok "the document's object is in the store" ""
fi
http GET /api/v1/files/999
status 404 "a file that does not exist is 404"
serve_stop
[ "$(sqlite3 "$TOCSIN_DATA/tocsin.db" "SELECT count(*) FROM audit WHERE action = 'file.add' AND actor = 'lead'")" = 1 ] &&
    ok "keeping the file is audited" || not_ok "file audit" ""
run audit verify
expect 0 "the revision is in the audit chain"
