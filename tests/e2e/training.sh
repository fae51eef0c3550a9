#!/bin/sh
# Training and publicity (P-4, G-3): sessions with attendees, the attendance
# rate per department, departments without training due by the year's end.
. "$(dirname "$0")/lib.sh"
export TOCSIN_DATA="$T/data"
"$TOCSIN" init >"$T/init" || { not_ok "init"; exit 1; }
PW="a long enough password"
echo "$PW" | "$TOCSIN" user add zhou --role officer --password-file /dev/stdin >/dev/null
for u in xc1:宣传部 xc2:宣传部 cw1:财务处; do
    echo "$PW" | "$TOCSIN" user add "${u%%:*}" --role department --department "${u##*:}" \
        --password-file /dev/stdin >/dev/null
done

run due --as zhou
has "$OUT" "全员培训：宣传部" "before any training every department is due"
run training add --topic 网络安全法与日常防护 --date +0m --trainer 市网信办讲师 --place 三楼会议室 --as zhou
expect 0 "a training session is recorded"
TR=$(cat "$OUT")
[ "$TR" = TRN-0001 ] && ok "…with its reference" || not_ok "ref '$TR'"
run training add --topic x --date +0m --trainer y --as xc1
expect 2 "a department does not record trainings"
run training attend "$TR" --user xc1 --person '李四@财务处' --as zhou
expect 0 "attendees: a user and a person named with their department"
run training attend "$TR" --user nobody --as zhou
expect 2 "an unknown user is refused"
run training attend "$TR" --person 王五 --as zhou
expect 2 "a person without a department is refused"
run training attend "$TR" --user xc1 --as zhou
run training show "$TR"
jq -e '.attendees == 2 and (.attendee_list | map(.person) | sort) == ["xc1", "李四"]' "$OUT" >/dev/null &&
    ok "each attendee once" || not_ok "show" "$OUT"
run training attendance
jq -e '[.departments[] | select(.department == "宣传部")][0] | .users == 2 and .attended == 1 and .rate == 0.5' "$OUT" >/dev/null &&
    ok "宣传部: one of its two users attended (50 %)" || not_ok "attendance" "$OUT"
jq -e '[.departments[] | select(.department == "财务处")][0].attended == 0' "$OUT" >/dev/null &&
    ok "财务处's rate counts users of tocsin only" || not_ok "attendance cw" "$OUT"
run due --as zhou
lacks "$OUT" "全员培训：宣传部" "a department that trained is no longer due"
lacks "$OUT" "全员培训：财务处" "…nor one whose staff member attended by name"
run training add --topic 网络安全宣传周进社区 --date +0m --trainer 宣传部 --publicity --as zhou
expect 0 "a publicity activity"
run training list --json
jq -e 'length == 2 and ([.[].kind] | sort) == ["publicity", "training"]' "$OUT" >/dev/null &&
    ok "both are listed" || not_ok "list" "$OUT"
run audit verify
expect 0 "every record is in the audit chain"
