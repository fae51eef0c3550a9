#!/bin/sh
# tocsin logscan over the labelled corpus of tests/data/logs: every rule class
# detected in its attack file, no benign line flagged; the behaviour
# detectors; formats; gzip and standard input; bad input of every kind.
. "$(dirname "$0")/lib.sh"
L="$TOCSIN_ROOT/tests/data/logs"
export TOCSIN_CACHE="$T/cache"

# Recall per rule class: each line of attack/CLASS.log must be flagged by a
# rule of that class (the rule id's first word).
total=0
found=0
for f in "$L"/attack/*.log; do
    c=$(basename "$f" .log)
    n=$(wc -l <"$f")
    h=$("$TOCSIN" logscan --hits "$f" 2>/dev/null |
        jq -r --arg c "$c" 'select(any(.rules[]; startswith($c + "-"))) | .line' | sort -u | wc -l)
    total=$((total + n))
    found=$((found + h))
    echo "# recall $c: $h/$n"
    [ "$h" -eq "$n" ] && ok "every $c attack is detected as $c" ||
        not_ok "$c: $h of $n detected"
done
echo "# recall over all classes: $found/$total"
# False alarms: not one benign line may be flagged.
fa=0
nb=0
for f in "$L"/benign/*.log; do
    nb=$((nb + $(wc -l <"$f")))
    "$TOCSIN" logscan --hits "$f" >"$T/fa" 2>/dev/null
    k=$(wc -l <"$T/fa")
    fa=$((fa + k))
    [ "$k" -eq 0 ] || sed "s|^|# false alarm in $(basename "$f"): |" "$T/fa"
done
echo "# false alarms: $fa of $nb benign lines"
same "$fa" 0 "no benign look-alike is flagged ($nb lines)"
ls "$T"/cache/logwatch-*.hsdb >/dev/null 2>&1 && ok "the compiled rules are cached" ||
    not_ok "no compiled rules in the cache"
# Only the newest compiled rule sets are kept.
for i in 1 2 3 4 5 6 7 8 9; do
    mkdir -p "$T/set$i"
    printf '[x-%s]\ncategory = network-attack/scanning\nfield = path\npattern = ^/x%s$\ndescription = d\n' \
        "$i" "$i" >"$T/set$i/a.rules"
    "$TOCSIN" logscan --list-rules --rules "$T/set$i" >/dev/null
done
same "$(ls "$T"/cache/logwatch-*.hsdb | wc -l | tr -d ' ')" 8 "the cache keeps the 8 newest rule sets"

# Exit statuses and the JSON interface.
run logscan "$L/benign/search.log"
expect 0 "benign traffic: exit 0"
has "$OUT" "0 detections" "and says so"
cat "$L"/attack/sqli.log "$L"/attack/xss.log >"$T/two.log"
run logscan --json "$T/two.log"
expect 1 "attacks: exit 1"
same "$(jq .lines "$OUT")" "$(wc -l <"$T/two.log" | tr -d ' ')" "every line is counted"
same "$(jq .skipped "$OUT")" 0 "none skipped"
same "$(jq -r '[.detections[] | select(.rule == "sqli-union-select")][0].category' "$OUT")" \
    "network-attack/injection" "a detection names the plan's category"
same "$(jq '[.detections[] | has("rule", "category", "client", "count", "samples")] | all' "$OUT")" \
    true "each detection has rule, category, client, count and samples"
run logscan "$T/missing.log"
expect 2 "a missing file: exit 2"
has "$ERR" "missing.log" "naming it"
run logscan "$T/two.log" --format '$remote_addr $$'
expect 2 "a log_format with an empty variable: exit 2"

# Many detections: first a line per rule, its clients and requests as in --json.
for i in 1 2 3; do
    echo "198.51.100.7 - - [27/Nov/2026:09:00:0$i +0800] \"GET /.git/config HTTP/1.1\" 404 162 \"-\" \"Mozilla/5.0\""
done >"$T/again.log"
run logscan "$L"/attack/*.log "$T/again.log"
"$TOCSIN" logscan --json "$L"/attack/*.log "$T/again.log" |
    jq -r '.detections | group_by(.rule) | .[] | "\(.[0].rule) \(length) \(map(.count) | add)"' |
    sort >"$T/sum.json"
awk '/^by rule:$/ {on = 1; next} /^$/ {on = 0} on {print $2, $4, $6}' "$OUT" | sort >"$T/sum.text"
[ "$(wc -l <"$T/sum.text")" -gt 40 ] && cmp -s "$T/sum.json" "$T/sum.text" &&
    ok "many detections are summed up per rule first, as --json counts them" ||
    not_ok "the summary per rule differs from --json" "$T/sum.text" "$T/sum.json"
has "$OUT" "by rule and client:" "then each detection"

# --hits numbers lines across the whole input.
printf '%s\n' "$(head -1 "$L/benign/site.log")" >"$T/a.log"
head -1 "$L/attack/sqli.log" >"$T/b.log"
run logscan --hits "$T/a.log" "$T/b.log"
same "$(jq -c '[.line, .category]' "$OUT")" '[2,"network-attack/injection"]' \
    "--hits numbers lines across files"

# Aggregation: one client's 50,000 probes are one detection with a count.
awk 'BEGIN { for (i = 0; i < 50000; i++)
    printf "198.51.100.9 - - [27/Nov/2026:09:%02d:%02d +0800] \"GET /.git/config?n=%d HTTP/1.1\" 404 162 \"-\" \"Mozilla/5.0\"\n",
        int(i / 1000) % 60, int(i / 20) % 60, i }' >"$T/probe.log"
run logscan --json "$T/probe.log"
same "$(jq -r '[.detections[] | select(.rule == "sensitive-vcs")] | "\(length) \(.[0].count) \(.[0].samples | length)"' "$OUT")" \
    "1 50000 3" "50,000 probes are one detection counting 50,000, with 3 samples"

# A plain file is read by the workers a chunk at a time (512 KiB); standard
# input in blocks here. Over 4 MiB of lines of every length, some of them too
# long, and a line starting exactly where each chunk does: every reading gives
# the same hits and counts, whatever the workers.
cat "$L"/attack/*.log "$L"/benign/*.log | LC_ALL=C awk '
    function out(l) { print l; bytes += length(l) + 1 }
    { line[n++] = $0 }
    END {
        s = 7
        chunk = 524288
        for (i = 0; i < 16000; i++) {
            s = (s * 1103515245 + 12345) % 2147483648
            l = line[s % n]
            pad = ""
            for (k = s % 97; k > 0; k--) pad = pad "p"
            sub(/ HTTP\/1\.[01]"/, (index(l, "?") ? "\\&" : "?") "pad=" pad "&", l)
            next_chunk = (int(bytes / chunk) + 1) * chunk
            if (bytes + length(l) + 1 > next_chunk - 200) {
                f = "203.0.113.98 - - [27/Nov/2026:10:00:00 +0800] \"GET /f?x="
                t = " HTTP/1.1\" 200 1 \"-\" \"-\""
                for (k = next_chunk - bytes - 1 - length(f) - length(t); k > 0; k--) f = f "x"
                out(f t)
            }
            out(l)
            if (i % 4000 == 1999) {
                long = ""
                for (k = 0; k < 70000 + i; k++) long = long "L"
                out("203.0.113.99 - - [27/Nov/2026:10:00:00 +0800] \"GET /" long " HTTP/1.1\" 200 1 \"-\" \"-\"")
            }
        }
    }' >"$T/mixed.log"
"$TOCSIN" logscan --hits - <"$T/mixed.log" >"$T/mixed.pipe" 2>"$T/mixed.err"
"$TOCSIN" logscan --json - <"$T/mixed.log" | jq -c '[.lines, .skipped]' >"$T/mixed.pipe.n"
same "$(cat "$T/mixed.pipe.n")" "[$(wc -l <"$T/mixed.log" | tr -d ' '),4]" \
    "standard input: every line read, the four too long skipped"
[ "$(wc -c <"$T/mixed.log")" -gt 4194304 ] && [ "$(wc -l <"$T/mixed.pipe")" -gt 1000 ] &&
    ok "the mixed log spans many chunks and has hits" || not_ok "the mixed log is too small"
for w in 1 2 3; do
    "$TOCSIN" logscan --hits --workers $w "$T/mixed.log" >"$T/mixed.$w" 2>/dev/null
    "$TOCSIN" logscan --json --workers $w "$T/mixed.log" | jq -c '[.lines, .skipped]' >"$T/mixed.$w.n"
    cmp -s "$T/mixed.pipe" "$T/mixed.$w" && cmp -s "$T/mixed.pipe.n" "$T/mixed.$w.n" &&
        ok "a plain file read by $w worker(s) gives the hits and counts of standard input" ||
        not_ok "$w worker(s): hits or counts differ from standard input's"
done

# Behaviour: brute force, scanning, floods — and their benign counterparts.
gen() { # client path method status count seconds_between
    awk -v c="$1" -v p="$2" -v m="$3" -v s="$4" -v n="$5" -v d="$6" 'BEGIN {
        for (i = 0; i < n; i++) { t = int(i * d)
            printf "%s - - [27/Nov/2026:10:%02d:%02d +0800] \"%s %s HTTP/1.1\" %s 512 \"-\" \"Mozilla/5.0\"\n",
                c, int(t / 60) % 60, t % 60, m, (p == "RANDOM" ? "/p" i ".html" : p), s } }'
}
gen 203.0.113.20 /login POST 200 25 3 >"$T/brute.log"
gen 10.1.1.1 /login POST 302 4 20 >>"$T/brute.log"
run logscan --json "$T/brute.log"
same "$(jq -r '[.detections[] | select(.rule == "brute-force-login")] | map("\(.client) \(.count)") | join(",")' "$OUT")" \
    "203.0.113.20 25" "25 sign-in POSTs in 75 s are brute force; 4 are not"
tac "$T/brute.log" >"$T/brute-rev.log"
run logscan --json "$T/brute-rev.log"
same "$(jq -r '[.detections[] | select(.rule == "brute-force-login")] | map("\(.client) \(.count)") | join(",")' "$OUT")" \
    "203.0.113.20 25" "times out of order stay in their window"
gen 203.0.113.21 /secure/ GET 401 30 1 >"$T/b401.log"
run logscan --json "$T/b401.log"
same "$(jq -r '[.detections[].rule] | join(",")' "$OUT")" "brute-force-login" "30 answers 401 are brute force too"
run logscan --json "$T/brute.log" --login /signin
same "$(jq '.detections | length' "$OUT")" 0 "--login replaces the sign-in paths"
gen 203.0.113.22 RANDOM GET 404 40 0.5 >"$T/scan.log"
gen 10.1.1.2 RANDOM GET 404 12 2 >>"$T/scan.log"
run logscan --json "$T/scan.log"
same "$(jq -r '[.detections[] | select(.rule == "scan-not-found")] | map(.client) | join(",")' "$OUT")" \
    "203.0.113.22" "40 missing pages in 20 s are a scan; 12 in 24 s are not"
gen 203.0.113.23 /index.html GET 200 400 0.02 >"$T/flood.log"
gen 10.1.1.3 /index.html GET 200 100 0.1 >>"$T/flood.log"
run logscan --json "$T/flood.log"
same "$(jq -r '[.detections[] | select(.rule == "flood-client")] | map(.client) | join(",")' "$OUT")" \
    "203.0.113.23" "400 requests in 8 s from one client are a flood; 100 in 10 s are not"
# An automated tool, however slowly: twelve payloads one every 20 s, or 120
# missing pages over 120 paths one every 2.5 s (too slow for scan-not-found);
# two payloads, or a few missing pages, are not a tool.
gen 203.0.113.24 "/news.php?id=1%27%20or%20%271%27=%271" GET 200 12 20 >"$T/tool.log"
gen 203.0.113.25 RANDOM GET 404 120 2.5 >>"$T/tool.log"
gen 10.1.1.4 "/news.php?id=1%27%20or%20%271%27=%271" GET 200 2 20 >>"$T/tool.log"
gen 10.1.1.5 RANDOM GET 404 15 10 >>"$T/tool.log"
run logscan --json "$T/tool.log"
same "$(jq -r '[.detections[] | select(.rule == "scan-tool")] | map(.client) | sort | join(",")' "$OUT")" \
    "203.0.113.24,203.0.113.25" "slow tools are named as scanners; a stray payload or a few 404s are not"
same "$(jq -r '[.detections[] | select(.rule == "scan-not-found")] | length' "$OUT")" 0 \
    "(too slow for the one-minute scan detector)"
# All traffic far above what was learned: 20 quiet minutes, then a burst.
awk 'BEGIN { for (m = 0; m < 20; m++) for (i = 0; i < 30; i++)
        printf "10.2.%d.%d - - [27/Nov/2026:11:%02d:%02d +0800] \"GET / HTTP/1.1\" 200 900 \"-\" \"Mozilla/5.0\"\n", m, i, m, i * 2
    for (i = 0; i < 7000; i++)
        printf "10.3.%d.%d - - [27/Nov/2026:11:21:%02d +0800] \"GET / HTTP/1.1\" 200 900 \"-\" \"Mozilla/5.0\"\n", int(i / 250), i % 250, int(i / 120) }' >"$T/ddos.log"
run logscan --json "$T/ddos.log"
same "$(jq -r '[.detections[].rule] | join(",")' "$OUT")" "flood-total" \
    "a minute far above the learned rate is a flood of all clients"

# An attack answered 2xx with a size far from the page's usual one.
gen 10.4.4.4 "/news/show.php?id=1" GET 200 10 5 >"$T/succ.log"
echo '203.0.113.30 - - [27/Nov/2026:10:05:00 +0800] "GET /news/show.php?id=1+union+select+1,user(),3 HTTP/1.1" 200 90210 "-" "Mozilla/5.0"' >>"$T/succ.log"
echo '203.0.113.31 - - [27/Nov/2026:10:05:01 +0800] "GET /news/show.php?id=1+union+select+1,user(),3 HTTP/1.1" 200 530 "-" "Mozilla/5.0"' >>"$T/succ.log"
run logscan --json --crs none "$T/succ.log"
same "$(jq -r '[.detections[] | "\(.client)=\(.possibly_successful)"] | sort | join(",")' "$OUT")" \
    "203.0.113.30=true,203.0.113.31=false" "an answer of unusual size marks the attack possibly successful"

# Formats: common, JSON lines, a custom nginx log_format, gzip, standard input.
sed -E 's/ "[^"]*" "[^"]*"$//' "$L/attack/sqli.log" >"$T/common.log"
run logscan --json "$T/common.log"
same "$(jq '[.skipped, (.detections | length > 0)]' -c "$OUT")" "[0,true]" "common format lines are read"
cat >"$T/json.log" <<'EOF'
{"time_iso8601":"2026-11-27T10:00:00+08:00","remote_addr":"203.0.113.40","request":"GET /index.php?id=1%27%20or%20%271%27=%271 HTTP/1.1","status":200,"body_bytes_sent":512,"http_user_agent":"Mozilla/5.0"}
{"time_iso8601":"2026-11-27T10:00:01+08:00","remote_addr":"203.0.113.41","request_method":"GET","request_uri":"/s?q=\u003cscript\u003ealert(1)\u003c/script\u003e","status":"200","http_user_agent":"Mozilla/5.0"}
{"time_iso8601":"2026-11-27T10:00:02+08:00","remote_addr":"10.0.0.1","request":"GET /news/ HTTP/1.1","status":200,"http_user_agent":"Mozilla/5.0"}
EOF
run logscan --json --crs none --format json "$T/json.log"
same "$(jq -r '[.detections[].rule] | sort | join(",")' "$OUT")" "sqli-boolean,xss-dom-access,xss-script-tag" \
    "nginx JSON lines, with \\u escapes, are read"
run logscan --json --crs none "$T/json.log"
same "$(jq -r '.detections | length' "$OUT")" 3 "auto tells JSON lines apart"
# A client field that is not an address (a forged header logged as the
# client) is shown with '?' for what is not printable ASCII.
printf '%s\n' '{"remote_addr":"\u0001ev\u00efl\n","request":"GET /.env HTTP/1.1","status":404}' >"$T/forged.log"
run logscan --json "$T/forged.log"
same "$(jq -r '.detections[0].client' "$OUT")" "?ev??l?" "a forged client is shown safely"
printf '%s\n' '203.0.113.50|27/Nov/2026:10:00:00 +0800|GET|/x.php?f=../../../etc/passwd|200|sqlmap/1.7' \
    '10.0.0.2|27/Nov/2026:10:00:01 +0800|GET|/index.html|200|Mozilla/5.0' >"$T/custom.log"
run logscan --json --crs none --format '$remote_addr|$time_local|$request_method|$request_uri|$status|$http_user_agent' "$T/custom.log"
same "$(jq -r '[.detections[].rule] | sort | join(",")' "$OUT")" \
    "lfi-sensitive-file,scanner-user-agent,traversal-dotdot" "a custom log_format is read"
gzip -c "$T/two.log" >"$T/two.log.gz"
run logscan --json "$T/two.log.gz"
same "$(jq .lines "$OUT")" "$(wc -l <"$T/two.log" | tr -d ' ')" "gzip is read"
"$TOCSIN" logscan --json - <"$T/two.log" >"$OUT" 2>"$ERR"
same "$(jq .lines "$OUT")" "$(wc -l <"$T/two.log" | tr -d ' ')" "'-' reads standard input"

# Bad input: nothing crashes or stalls, the rest of the file is analysed,
# skipped lines are counted.
{
    head -c 3000 /dev/urandom
    printf '\n'
    printf 'bad\000line with NUL\n'
    head -c 3000000 /dev/zero | tr '\0' 'A'
    printf '\n'
    printf '203.0.113.60 - - [27/Nov/2026:10:00:00 +0800] "GET /\377\376?x HTTP/1.1" 200 1 "-" "\300\300"\n'
    printf '203.0.113.61 - - [27/Nov/2026:10:00:00 +0800] "GET /unterminated HTTP/1.1 200 1 "-" "-\n'
    printf '203.0.113.62 - - [01/Jan/2020:00:00:00 +0800] "GET /old HTTP/1.1" 200 1 "-" "-"\n'
    head -1 "$L/attack/log4shell.log"
} >"$T/bad.log"
run logscan --json "$T/bad.log"
expect 1 "garbage does not stop the analysis"
same "$(jq -r '[.detections[].rule] | join(",")' "$OUT")" "log4shell-jndi" "the attack after the garbage is found"
sk=$(jq .skipped "$OUT")
[ "$sk" -ge 3 ] && ok "garbage lines are counted as skipped ($sk)" || not_ok "skipped: $sk"
has "$ERR" "skipped" "and the count is reported"
head -c 20000 "$T/two.log.gz" >"$T/cut.gz"
printf 'not gzip at all' | gzip -c | head -c 12 >"$T/trunc.gz"
cat "$T/two.log.gz" >"$T/corrupt.gz"
printf 'XXXX' | dd of="$T/corrupt.gz" bs=1 seek=40 conv=notrunc 2>/dev/null
run logscan --json "$T/corrupt.gz" "$L/attack/xss.log"
expect 2 "corrupt gzip: exit 2"
has "$ERR" "corrupt.gz" "naming the file"
same "$(jq '[.detections[].rule | select(startswith("xss"))] | length > 0' "$OUT")" true \
    "the files after it are still analysed"

# Rules: the organisation's own, and a broken one refused with its place.
mkdir -p "$T/rules"
cat >"$T/rules/local.rules" <<'EOF'
# our own
[local-old-admin]
category    = network-attack/scanning
field       = path
pattern     = ^/oldadmin/
severity    = low
description = requests for the retired admin path
EOF
echo '10.0.0.3 - - [27/Nov/2026:10:00:00 +0800] "GET /oldadmin/ HTTP/1.1" 404 1 "-" "-"' >"$T/old.log"
run logscan --json --rules "$T/rules" "$T/old.log"
same "$(jq -r '.detections[0].rule' "$OUT")" "local-old-admin" "--rules adds the organisation's rules"
printf '[bad]\ncategory = network-attack/nonsense\nfield = uri\npattern = x\ndescription = y\n' >"$T/rules/z.rules"
run logscan --rules "$T/rules" "$T/old.log"
expect 2 "a rule with a category the plan does not have is refused"
has "$ERR" "z.rules:1" "naming file and line"
printf '[bad]\ncategory = network-attack/scanning\nfield = uri\npattern = (unclosed\ndescription = y\n' >"$T/rules/z.rules"
run logscan --rules "$T/rules" "$T/old.log"
expect 2 "a pattern that does not compile is refused"
has "$ERR" "rule bad" "naming the rule"

# The Core Rule Set (Debian's modsecurity-crs, a dependency): loaded by
# default, each family named in tests/data/logs/crs/attack.log (one request
# per family and transformation, written here), none of the look-alikes of
# benign.log named (Chinese searches, news titles with SQL words, tracking
# parameters, an image as a data: URI) by anything.
run logscan --list-rules
n1=$(grep -c '^crs-' "$OUT")
run logscan --list-rules --paranoia 2
n2=$(grep -c '^crs-' "$OUT")
[ "$n1" -ge 70 ] && ok "the Core Rule Set's rules load by default ($n1)" || not_ok "only $n1 CRS rules"
[ "$n2" -gt "$n1" ] && ok "--paranoia 2 adds rules ($n2)" || not_ok "--paranoia 2: $n2 rules"
run logscan --hits "$L/crs/attack.log"
k=$(jq -r 'select(any(.rules[]; startswith("crs-"))) | .line' "$OUT" | sort -u | wc -l)
same "$k" "$(wc -l <"$L/crs/attack.log" | tr -d ' ')" "every CRS family's attack is named by a crs- rule"
for fam in 921 930 931 932 933 934 941 942 944; do
    jq -r '.rules[]' "$OUT" | grep -q "^crs-$fam" && ok "family $fam names its attack" ||
        not_ok "no crs-$fam hit"
done
run logscan --hits "$L/crs/benign.log"
same "$(wc -l <"$OUT" | tr -d ' ')" 0 "no look-alike is named"
[ -s "$OUT" ] && sed 's/^/# false alarm: /' "$OUT"
run logscan --hits --crs none "$L/crs/attack.log"
lacks "$OUT" "crs-" "--crs none: tocsin's own rules only"
run logscan --paranoia 5 "$L/crs/attack.log"
expect 2 "--paranoia beyond 4 is refused"
run logscan --crs "$T/no-such-crs" "$L/crs/attack.log"
expect 2 "a CRS directory given that does not exist is refused"
has "$ERR" "$T/no-such-crs" "naming it"
# A rules file with a broken rule: named with file and line, the rest loads.
mkdir -p "$T/crs"
cp "$TOCSIN_ROOT/tests/data/crs/words.data" "$T/crs/"
{
    cat "$TOCSIN_ROOT/tests/data/crs/rules.conf"
    printf 'SecRule ARGS "@rx (unclosed" "id:990999,msg:%s"\n' "'broken'"
    printf 'SecRule ARGS "@pmFromFile gone.data" "id:990998"\n'
} >"$T/crs/REQUEST-942-TEST.conf"
printf '10.0.0.9 - - [03/Dec/2026:10:00:00 +0800] "GET /?x=PHPinfo HTTP/1.1" 200 1 "-" "-"\n' >"$T/crs.log"
run logscan --hits --crs "$T/crs" "$T/crs.log"
expect 1 "with a broken rule, the others still load and name the request"
has "$OUT" "crs-990120" "the rule from the data file beside them"
has "$ERR" "REQUEST-942-TEST.conf:" "the broken rule is named with its file and line"
has "$ERR" "rule 990999" "and its id"
has "$ERR" "gone.data" "a missing data file is named"
