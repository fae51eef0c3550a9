#!/bin/sh
# Website monitoring against a real nginx on loopback serving the page corpus
# of tests/data/pages: every attacked page caught (printed per class), no
# benign page or evolution alarming, hostile servers bounded, TLS checks, and
# monitors run by tocsin serve: failures confirmed over retries, recovery,
# events, pages kept as evidence.
. "$(dirname "$0")/lib.sh"
P="$TOCSIN_ROOT/tests/data/pages"
mkdir -p "$T/www"
export TOCSIN_DATA="$T/data"

# TLS: a certificate for 127.0.0.1 expiring in 5 days, and one for another name.
openssl req -x509 -newkey rsa:2048 -nodes -days 5 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
TLS_CERT="$T/cert.pem" TLS_KEY="$T/key.pem"
nginx_start "$P" || { not_ok "nginx starts"; exit 1; }

# ---- detection over the corpus ----------------------------------------------------
run check "$WEB/benign/portal.html" --save-baseline "$T/base.json" --no-cloak
expect 0 "a baseline is learned from the clean portal page"
grep -v '^#' "$P/expect.txt" | sed '/^$/d' >"$T/expect"
: >"$T/classes"
while read -r cls page kind base; do
    b=""
    [ -n "$base" ] && b="--baseline $T/base.json"
    # shellcheck disable=SC2086
    "$TOCSIN" check "$WEB/$page" $b --json >"$T/o.json" 2>"$ERR"
    if jq -e --arg k "$kind" '[.findings[].kind] | index($k)' "$T/o.json" >/dev/null; then
        echo "$cls 1" >>"$T/classes"
        ok "$cls: $page gives $kind"
    else
        echo "$cls 0" >>"$T/classes"
        not_ok "$cls: $page gives $kind" "$T/o.json"
    fi
done <"$T/expect"
echo "# detection per class:"
awk '{n[$1]++; d[$1]+=$2} END {for (c in n) printf "#   %-16s %d/%d\n", c, d[c], n[c]}' \
    "$T/classes" | sort

# Benign pages: no finding, neither alone nor (for the portal's evolutions)
# against the baseline; cloaking checked too, since nginx serves every agent alike.
fp=0 nb=0
for f in "$P"/benign/*.html; do
    page=benign/$(basename "$f")
    nb=$((nb + 1))
    run check "$WEB/$page" --json
    if [ "$rc" -eq 0 ] && [ "$(jq '.findings | length' "$OUT")" = 0 ]; then
        ok "benign $page raises nothing"
    else
        fp=$((fp + 1))
        not_ok "benign $page raises nothing" "$OUT"
    fi
    case "$page" in */portal*.html)
        nb=$((nb + 1))
        run check "$WEB/$page" --baseline "$T/base.json" --no-cloak --json
        if [ "$rc" -eq 0 ]; then ok "$page is within the portal's normal churn"; else
            fp=$((fp + 1))
            not_ok "$page is within the portal's normal churn" "$OUT"
        fi
        ;;
    esac
done
echo "# false alarms: $fp of $nb benign checks"

# The GBK page is read as GBK, from <meta> and from the header.
run check "$WEB/benign/portal-gbk.html" --keyword 东江市人民政府 --no-cloak
expect 0 "a GBK page is decoded (its Chinese keyword is found)"
run check "$WEB/gbk-header.html" --keyword 政务要闻 --no-cloak
expect 0 "the charset of the Content-Type header is used"

# ---- what a check reports ------------------------------------------------------------
run check "$WEB/benign/portal.html" --keyword 此文字不在页面 --no-cloak --json
expect 1 "a missing keyword is a finding"
has "$OUT" '"category":"information-destruction/tampering"' "…of tampering"
run check "$WEB/500" --no-cloak
expect 1 "a 500 is a finding"
has "$OUT" "equipment-failure/software" "…of a software failure"
run check "http://127.0.0.1:9/" --no-cloak --timeout 2
expect 1 "a site that refuses connections is down"
has "$OUT" "equipment-failure/facility" "…as a facility failure"
run check "$WEB/benign/portal.html" --expect-ip 10.1.2.3 --no-cloak --json
expect 1 "an address outside --expect-ip is DNS hijacking"
has "$OUT" '"network-attack/dns-hijack"' "…with its category"
has "$OUT" '"dns_answers":"127.0.0.1"' "…and every answer of the resolver"
run check "$WEB/benign/portal.html" --expect-ip 10.1.2.3,127.0.0.1 --no-cloak
expect 0 "an expected address is fine"
run check "$WEB/attack/code-hidden-iframe.html" --allow malware-host.example --no-cloak --json
lacks "$OUT" "hidden-frame" "an allowed domain's frame is not malicious code"
run check "$WEB/benign/scripts.html" --allow gd.gov.cn --no-cloak --json
has "$OUT" "cdn.bootcdn.net" "with an allow list, other script domains are reported"
printf '东江新区\n' >"$T/words.txt"
run check "$WEB/benign/portal.html" --words "$T/words.txt" --no-cloak --json
has "$OUT" '"key":"东江新区"' "an organisation's own word list is used"
run check "$WEB/attack/pii-ids.html" --no-cloak
has "$OUT" "440301********1234" "resident ID numbers are shown masked"
lacks "$OUT" "440301199001011233" "…never whole"
run check "$WEB/attack/tamper-defaced.html" --save-baseline "$T/bad.json" --no-cloak
expect 1 "no baseline is saved of a page with findings"
[ ! -e "$T/bad.json" ] && ok "…and no file is written" || not_ok "…and no file is written"

# ---- TLS -----------------------------------------------------------------------------
run check "https://127.0.0.1:$WEBS_PORT/benign/portal.html" --ca "$T/cert.pem" --no-cloak --json
expect 1 "a certificate expiring in 5 days is a finding"
has "$OUT" "expires in 4 days" "…saying when"
jq -e '.timings_ms.tls > 0' "$OUT" >/dev/null && ok "the TLS handshake is timed" ||
    not_ok "the TLS handshake is timed" "$OUT"
run check "https://localhost:$WEBS_PORT/benign/portal.html" --ca "$T/cert.pem" --no-cloak --json
has "$OUT" "certificate is not valid" "a certificate for another name is a finding"
run check "https://127.0.0.1:$WEBS_PORT/benign/portal.html" --no-cloak --json
has "$OUT" "certificate is not valid" "an untrusted certificate is a finding"
has "$OUT" '"status":200' "…and the page is still judged"

# ---- hostile servers -------------------------------------------------------------------
head -c 6000000 /dev/zero | tr '\0' 'a' >"$T/www/big.html"
head -c 100000000 /dev/zero | gzip -9 >"$T/www/bomb.gz"
head -c 100000 /dev/urandom >"$T/www/binary.bin"
awk 'BEGIN { printf "<html><body>"; for (i = 0; i < 200000; i++) printf "<div>"; print "x" }' \
    >"$T/www/deep.html"
awk 'BEGIN { printf "<html><body>"; for (i = 0; i < 100000; i++) printf "<a href=\"http://x%d.example/\" style=\"display:none\">%d</a><b><i><table><tr><td>", i, i; }' \
    >"$T/www/broken.html"
head -c 200000 /dev/urandom >"$T/www/garbage.html"
(printf '<html><head><meta charset="gbk"></head><body>'; head -c 50000 /dev/urandom) \
    >"$T/www/badgbk.html"
for case in "big.html:larger than" "bomb.html:larger than" "binary.bin:" "deep.html:" \
    "broken.html:" "garbage.html:" "badgbk.html:"; do
    page=${case%%:*} want=${case#*:}
    start=$(date +%s)
    "$TOCSIN" check "$WEB/t/$page" --no-cloak --timeout 20 >"$OUT" 2>"$ERR"
    rc=$?
    took=$(($(date +%s) - start))
    if [ "$rc" -le 1 ] && [ "$took" -le 20 ] && { [ -z "$want" ] || grep -qF "$want" "$OUT"; }; then
        ok "hostile page $page is handled in ${took}s (exit $rc)"
    else
        not_ok "hostile page $page is handled (exit $rc, ${took}s)" "$OUT" "$ERR"
    fi
done
run check "$WEB/loop" --no-cloak
expect 1 "an endless redirect is cut"
has "$OUT" "redirect" "…naming the redirects"
start=$(date +%s)
run check "$WEB/slow.html" --timeout 2 --no-cloak
took=$(($(date +%s) - start))
[ "$rc" -eq 1 ] && [ "$took" -le 4 ] && ok "a slow drip is cut at the timeout (${took}s)" ||
    not_ok "a slow drip is cut at the timeout (exit $rc, ${took}s)" "$OUT"

# ---- bad input --------------------------------------------------------------------------
run check
expect 2 "check needs a URL"
run check ftp://127.0.0.1/
expect 2 "only http and https are checked"
has "$ERR" "not an http:// or https:// URL" "…saying so"
printf 'not json' >"$T/nb.json"
run check "$WEB/benign/portal.html" --baseline "$T/nb.json"
expect 2 "a broken baseline file is refused"
has "$ERR" "nb.json" "…naming it"
printf 're:(unclosed\n' >"$T/badwords.txt"
run check "$WEB/benign/portal.html" --words "$T/badwords.txt"
expect 2 "a word list with a broken regex is refused"
has "$ERR" "(unclosed" "…naming the entry"

# ---- monitors in tocsin serve --------------------------------------------------------------
"$TOCSIN" init --org 东江市 >"$T/init" || { not_ok "init"; exit 1; }
printf 'duty-pass-123\n' | "$TOCSIN" user add duty --role officer --password-file /dev/stdin \
    >/dev/null
printf 'audit-pass-123\n' | "$TOCSIN" user add aud --role auditor --password-file /dev/stdin \
    >/dev/null
cp "$P/benign/portal.html" "$T/www/index.html"
run monitor add "$WEB/t/index.html" --as aud
expect 2 "an auditor may not add monitors"
run monitor add "$WEB/t/index.html" --as duty --interval 0
expect 2 "an interval of 0 is refused"
run monitor add "http://user:secret@127.0.0.1:$WEB_PORT/" --as duty
expect 2 "a URL with a password is refused"
lacks "$ERR" "secret" "…without repeating it"
run monitor add "$WEB/t/index.html" --as duty --asset 门户网站 --interval 1 --retries 1 --no-cloak
expect 0 "a monitor is added"
run monitor add "$WEB/cloak-ua.html" --as duty --asset 门户网站 --interval 1
expect 0 "a second monitor, with cloaking checks"
printf 'lead-pass-123\n' | "$TOCSIN" user add lead --role leader --password-file /dev/stdin \
    >/dev/null
"$TOCSIN" setting set probe.retry_s 1 --as lead >/dev/null
"$TOCSIN" setting set probe.cloak_every 1 --as lead >/dev/null
serve_start
DB="$T/data/tocsin.db"
events() { sqlite3 "$DB" "SELECT category || ' ' || summary FROM events WHERE source = 'probe'"; }
# waited WHAT SECONDS SQL: the query's first row is not empty and not 0 in time.
waited() {
    if wait_for "[ -n \"\$(sqlite3 '$DB' \"$3\" | grep -v '^0$')\" ]" $(($2 * 10)); then
        ok "$1"
    else not_ok "$1" "$T/serve.err"; fi
}
waited "the page is learned" 15 "SELECT learn = 0 FROM monitors WHERE id = 1"
waited "cloaking is found by serve" 15 "SELECT count(*) FROM events WHERE summary LIKE '%cloaking%'"
cp "$P/attack/hidden-display.html" "$T/www/index.html"
waited "hidden links planted on the page become an event" 10 \
    "SELECT count(*) FROM events WHERE summary LIKE '%hidden links to outside%'"
mv "$T/www/index.html" "$T/www/gone.html"
waited "a page gone (404), after the retry, is an event" 15 \
    "SELECT count(*) FROM events WHERE summary LIKE '%answered 404%'"
mv "$T/www/gone.html" "$T/www/index.html"
waited "recovery clears the outage's event" 15 \
    "SELECT count(*) FROM events WHERE summary LIKE '%answered 404%' AND cleared_at IS NOT NULL AND instr(details, 'recovered') > 0"
cp "$P/benign/article.html" "$T/www/late.html"
run monitor add "$WEB/t/late.html" --as duty --interval 1 --retries 0 --no-cloak \
    --expect-ip 10.9.9.9
waited "a monitor added while serve runs is checked" 15 \
    "SELECT count(*) FROM probe_results WHERE monitor_id = 3"
waited "…and its resolver's answers compared (DNS hijacking)" 15 \
    "SELECT count(*) FROM events WHERE category = 'network-attack' AND instr(details, 'dns_answers') > 0"
run monitor add "http://127.0.0.1:9/" --as duty --interval 1 --retries 0 --no-cloak \
    --expect-ip 10.9.9.9
waited "a site down while its name resolves elsewhere is an attack, not a failure" 15 \
    "SELECT count(*) FROM events WHERE category = 'network-attack' AND summary LIKE '%does not answer%'"
serve_stop
[ "$stop_rc" -eq 0 ] && ok "serve stops cleanly with monitors running" ||
    not_ok "serve stops cleanly (exit $stop_rc)" "$T/serve.err"
events >"$T/events"
lacks "$T/events" "title changed" "the 404 page is not analysed as the page"
n=$(sqlite3 "$DB" "SELECT count(*) FROM probe_pages WHERE monitor_id = 1")
[ "$n" -ge 2 ] && ok "changed pages are kept as evidence ($n)" || not_ok "pages kept ($n)"
obj=$(sqlite3 "$DB" "SELECT object FROM probe_pages WHERE monitor_id = 1 ORDER BY id DESC LIMIT 1")
[ -n "$obj" ] && [ -n "$(find "$T/data" -name "$obj*" | head -1)" ] &&
    ok "…in the object store" || not_ok "…in the object store ($obj)"
sqlite3 "$DB" "SELECT details FROM probe_pages WHERE monitor_id = 1 LIMIT 1" >"$T/page.json"
jq -e '(.headers | test("Content-Type: text/html")) and .timings_ms.total >= 0' "$T/page.json" \
    >/dev/null && ok "…with the response's headers and timings" ||
    not_ok "…with the response's headers and timings" "$T/page.json"
d=$(sqlite3 "$DB" "SELECT details FROM events WHERE summary LIKE '%hidden links to outside%' LIMIT 1")
echo "$d" | jq -e '.finding.excerpt | test("88bet")' >/dev/null && ok "the event carries the evidence" ||
    not_ok "the event carries the evidence ($d)"
run monitor show 1 --json
expect 0 "monitor show"
jq -e '.uptime_percent["24h"] > 0 and .uptime_percent["24h"] < 100 and .latency_ms_24h.p50 != null' \
    "$OUT" >/dev/null && ok "uptime and latency percentiles are shown" ||
    not_ok "uptime and latency percentiles are shown" "$OUT"
run monitor list --json
[ "$(jq '.items | length' "$OUT")" = 4 ] && ok "monitor list" || not_ok "monitor list" "$OUT"
run monitor edit 1 --as duty --relearn --disable
expect 0 "monitor edit"
[ "$(sqlite3 "$DB" 'SELECT learn || enabled FROM monitors WHERE id = 1')" = 30 ] &&
    ok "…relearns and disables" || not_ok "…relearns and disables"
run monitor run 2
expect 1 "monitor run checks once and reports the cloaking"
has "$OUT" "cloaking" "…saying so"
run monitor rm 3 --as duty
expect 0 "monitor rm"
run monitor show 3
expect 2 "a removed monitor is gone"
"$TOCSIN" audit verify >/dev/null && ok "the audit chain holds the monitor changes" ||
    not_ok "audit verify"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action LIKE 'monitor.%'")" -ge 4 ] &&
    ok "monitor changes are audited" || not_ok "monitor changes are audited"
