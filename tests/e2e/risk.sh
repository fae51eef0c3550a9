#!/bin/sh
# Risk assessments (P-1) from the command line and the API: threats on the
# 5×5 matrix, earlier assessments kept, the review due, bad input refused.
. "$(dirname "$0")/lib.sh"
export TOCSIN_DATA="$T/data"
"$TOCSIN" init >"$T/init" || { not_ok "init"; exit 1; }
PW="a long enough password"
echo "$PW" | "$TOCSIN" user add zhou --role officer --password-file /dev/stdin >/dev/null
echo "$PW" | "$TOCSIN" user add xc --role department --department 宣传部 --password-file /dev/stdin >/dev/null

run risk assess 门户网站 --review +180d --as zhou \
    --threat 网页被篡改 --likelihood 4 --impact 4 --treatment 网页防篡改与外部监测 --owner 宣传部 \
    --threat 'DDoS 攻击' --likelihood 2 --impact 5 --treatment 运营商流量清洗 --owner 办公室
expect 0 "an officer assesses the portal"
R1=$(cat "$OUT")
[ "$R1" = RSK-0001 ] && ok "…and gets its reference" || not_ok "ref '$R1'"
run risk assess 门户网站 --review +180d --as zhou --threat x --likelihood 6 --impact 1 --treatment t --owner o
expect 2 "a likelihood outside 1-5 is refused"
run risk assess 门户网站 --review +180d --as zhou --threat x --likelihood 3 --treatment t --owner o
expect 2 "a threat without its impact is refused"
run risk assess 门户网站 --review +180d --as xc --threat x --likelihood 1 --impact 1 --treatment t --owner o
expect 2 "a department does not assess risks"
run risk show "$R1" --json
jq -e '.worst == "high" and .threats[0].threat == "网页被篡改" and .threats[0].score == 16 and
    .threats[1].level == "high" and .threats[1].level_zh == "高"' "$OUT" >/dev/null &&
    ok "each threat's level from the matrix, the worst first" || not_ok "show" "$OUT"
run risk assess 门户网站 --review +1d --as zhou \
    --threat 网页被篡改 --likelihood 2 --impact 4 --treatment 已部署防篡改 --owner 宣传部
R2=$(cat "$OUT")
run risk list --json
jq -e --arg r "$R2" 'length == 1 and .[0].ref == $r and .[0].worst == "medium"' "$OUT" >/dev/null &&
    ok "the list shows each asset's latest" || not_ok "list" "$OUT"
run risk list --asset 门户网站 --json
jq -e 'length == 2' "$OUT" >/dev/null && ok "…and the earlier ones are kept" || not_ok "history" "$OUT"
sqlite3 "$TOCSIN_DATA/tocsin.db" "UPDATE risk_assessments SET next_review_at = next_review_at - 2 * 86400000 WHERE ref = '$R2'"
run due --overdue --as zhou
has "$OUT" "复评风险：门户网站" "a review past its date is overdue"

serve_start
JAR="$T/jar"
http POST /api/v1/session "{\"name\":\"zhou\",\"password\":\"$PW\"}"
CSRF=$(jq -r .csrf_token "$OUT")
http POST /api/v1/risk-assessments '{"asset":"OA系统","review":"2030-01-01T00:00:00Z","threats":[{"threat":"弱口令","likelihood":5,"impact":4,"treatment":"强制复杂口令","owner":"办公室"}]}'
status 201 "an assessment through the API"
jq -e '.worst == "extreme" and .ref == "RSK-0003"' "$OUT" >/dev/null && ok "…extreme at 5 × 4" || not_ok "api" "$OUT"
http POST /api/v1/risk-assessments '{"asset":"OA系统","review":"2030-01-01T00:00:00Z","threats":[{"threat":"x","likelihood":"high","impact":4,"treatment":"t","owner":"o"}]}'
status 400 "a likelihood that is not a number is malformed"
http POST /api/v1/risk-assessments '{"asset":"OA系统","review":"2030-01-01T00:00:00Z","threats":[{"threat":"x","likelihood":1,"impact":1,"treatment":"t","owner":"o","colour":"red"}]}'
status 400 "an unknown field of a threat is malformed"
serve_stop
run audit verify
expect 0 "every assessment is in the audit chain"
