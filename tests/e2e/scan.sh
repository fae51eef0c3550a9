#!/bin/sh
# tocsin scan: integrity baselines (every kind of change, bad baselines, hostile
# trees) and webshell scanning over the project's own samples.
. "$(dirname "$0")/lib.sh"
DATA="$(cd "$(dirname "$0")/../data/webshell" && pwd)"

W="$T/www"
mkdir -p "$W/news/2026" "$W/img" "$W/static"
echo '<html>首页</html>' >"$W/index.html"
echo 'news' >"$W/news/2026/a.html"
head -c 5000 /dev/urandom >"$W/img/logo.png"
ln -s ../index.html "$W/static/home.html"
ln -s /etc/passwd "$W/static/outside"
printf 'odd' >"$W/$(printf 'name\nwith newline')"
printf 'gbk' >"$W/$(printf '\325\376\270\256.html')" # 政府 in GBK: not UTF-8

run scan "$W" --baseline "$T/b"
expect 0 "a new baseline is created and exits 0"
has "$OUT" "baseline $T/b created" "it says the baseline was created"
has "$T/b" "static/outside" "symlinks are recorded as symlinks"
lacks "$T/b" "root:x:0:0" "a symlink out of the root is not followed"
has "$T/b" "name%0Awith newline" "a name with a newline is escaped on one line"
has "$T/b" "%D5%FE%B8%AE.html" "a name that is not UTF-8 is escaped byte by byte"

run scan "$W" --baseline "$T/b"
expect 0 "an unchanged tree exits 0"
has "$OUT" "0 changes" "and reports no changes"
has "$OUT" "(0 files read again)" "unchanged files are not read again"
run scan "$W" --baseline "$T/b" --full
has "$OUT" "(5 files read again)" "--full reads every file again"
touch "$W/img/logo.png"
run scan "$W" --baseline "$T/b"
expect 0 "a file touched but not changed is no change"
has "$OUT" "(1 files read again)" "only the touched file is read again"
touch -r "$W/news/2026/a.html" "$T/ref"
printf 'wens\n' >"$W/news/2026/a.html"
touch -r "$T/ref" "$W/news/2026/a.html"
run scan "$W" --baseline "$T/b"
expect 1 "new content of the same size under the old mtime is found"
has "$OUT" "content" "as changed content (its ctime moved)"

echo 'defaced' >"$W/index.html"
rm "$W/news/2026/a.html"
echo '<?php @eval($_POST[1]);?>' >"$W/news/s.php"
chmod 0777 "$W/img/logo.png"
chown 1234:1234 "$W/img" 2>/dev/null
rm "$W/static/home.html" && mkdir "$W/static/home.html"
ln "$W/img/logo.png" "$T/hardlink-outside"
run --json scan "$W" --baseline "$T/b"
expect 1 "a changed tree exits 1"
c() { jq -r --arg p "$1" '.changes[] | select(.path == $p) | .change' "$OUT"; }
same "$(c index.html)" "content" "changed content is found"
same "$(c news/2026/a.html)" "removed" "a removed file is found"
same "$(c news/s.php)" "added" "an added file is found"
same "$(c img/logo.png)" "mode,links" "changed permissions and a new hard link are found"
same "$(c img)" "owner" "a changed owner is found"
same "$(c static/home.html)" "type" "a symlink replaced by a directory is found"
same "$(jq -r '.changes[] | select(.path == "index.html") | .before.sha256' "$OUT")" \
    "$(printf '<html>首页</html>\n' | sha256sum | cut -d' ' -f1)" \
    "the change carries the SHA-256 the file had"

run scan "$W" --baseline "$T/b" --update
expect 1 "--update still reports what it found"
has "$OUT" "baseline updated" "and says the baseline was updated"
run scan "$W" --baseline "$T/b"
expect 0 "after --update the tree matches again"

# Damaged baselines are refused with the reason.
head -c 300 "$T/b" >"$T/trunc"
run scan "$W" --baseline "$T/trunc"
expect 2 "a truncated baseline is refused"
has "$ERR" "truncated" "naming it truncated"
sed 's/^f 0644/f 0600/' "$T/b" >"$T/altered"
run scan "$W" --baseline "$T/altered"
expect 2 "an altered baseline is refused"
has "$ERR" "was altered" "naming it altered"
grep -v '^f ' "$T/b" >"$T/dropped"
run scan "$W" --baseline "$T/dropped"
expect 2 "a baseline with lines removed is refused"
printf 'not a baseline\n' >"$T/junk"
run scan "$W" --baseline "$T/junk"
expect 2 "a file that is not a baseline is refused"
has "$ERR" "not a tocsin baseline" "saying what it is not"
mkdir -p "$T/other"
run scan "$T/other" --baseline "$T/b"
expect 2 "the baseline of another directory is refused"

# Roots that are the system are refused.
run scan / --baseline "$T/root"
expect 2 "/ is refused"
has "$ERR" "system directory" "as a system directory"
run scan /etc/ssl --baseline "$T/root"
expect 2 "a directory beneath /etc is refused"
run scan "$T/missing" --baseline "$T/x"
expect 2 "a missing directory is an input error"
run scan "$W"
expect 2 "without --baseline or --data it is a usage error"

# Hostile trees: deep nesting, a large file, a file rewritten while scanned.
H="$T/hostile"
mkdir -p "$H"
d="$H"
i=0
while [ $i -lt 300 ]; do d="$d/d"; i=$((i + 1)); done
mkdir -p "$d" 2>/dev/null || python3 -c "import os; os.makedirs('$d')"
echo deep >"$d/f.html"
truncate -s 100M "$H/big.iso"
run scan "$H" --baseline "$T/h"
expect 0 "a tree nested 300 levels deep with a 100 MB file is scanned"
has "$ERR" "nested deeper than 256 levels" "and the too-deep part is named"
( i=0; while [ $i -lt 400 ]; do head -c 20000 /dev/urandom >"$H/busy.bin"; i=$((i + 1)); done ) &
busy=$!
bad=0
for k in 1 2 3 4 5 6 7 8 9 10; do
    "$TOCSIN" scan "$H" --baseline "$T/h" >/dev/null 2>"$T/busy.err"
    r=$?
    [ $r -le 1 ] || bad=$((bad + 1))
done
wait $busy
same "$bad" "0" "scans of a file rewritten while read never fail"

# Every file's SHA-256 in a new baseline is what sha256sum says: lengths at
# each way SHA-256's padding falls (small files are hashed two at a time on
# CPUs with SHA extensions; the one past 1 MiB by the hashing threads).
S="$T/sizes"
mkdir -p "$S"
for n in 0 1 55 56 63 64 65 119 120 127 128 129 1000 4096 65536 100001 1048576 1048577; do
    head -c $n /dev/urandom >"$S/f$n"
done
run scan "$S" --baseline "$T/s" --workers 2
expect 0 "a tree of files of every padding case is baselined"
files=$(awk '$1 == "f"' "$T/s" | wc -l)
same "$files" "18" "with every file in it"
bad=$(awk -v d="$S" '$1 == "f" {print $10 "  " d "/" $11}' "$T/s" | sha256sum -c --quiet 2>&1 | wc -l)
same "$bad" "0" "each file's SHA-256 in the baseline is sha256sum's"

# The protected store: --data keeps every file's content.
D="$T/data"
run scan "$W" --data "$D"
expect 0 "scan --data creates the baseline in the data directory"
n=$(find "$D/objects" -type f | wc -l)
[ "$n" -ge 5 ] && ok "every file's content is in the protected store ($n objects)" ||
    not_ok "the protected store has $n objects"
run scan "$W" --data "$D"
expect 0 "and checks against it"

# Webshells: every sample of every family is named, no benign look-alike is.
run --json scan --webshell "$DATA/bad"
expect 1 "webshell samples exit 1"
total=$(ls "$DATA/bad" | wc -l)
found=$(jq -r '.matches[].path' "$OUT" | sort -u | wc -l)
echo "# webshell detection: $found of $total samples"
same "$found" "$total" "every webshell sample matches a rule"
for f in $(ls "$DATA/bad"); do
    jq -e --arg p "$f" '.matches[] | select(.path == $p) | .excerpt | length > 0' "$OUT" \
        >/dev/null || not_ok "$f has no excerpt"
done
run --json scan --webshell "$DATA/good"
expect 0 "benign look-alikes exit 0"
same "$(jq '.matches | length' "$OUT")" "0" "no benign look-alike matches (false alarms: 0)"
run scan --webshell "$DATA/bad"
has "$OUT" "php_oneliner.php:1: php_exec_request_input (score 100): <?php @eval(\$_POST['cmd']);?>" \
    "the human form names file, line, rule, score and excerpt"
has "$OUT" "php_decoded_name.php:3: analysis:taint-code (score 100): request input reaches assert(); taint: \$_REQUEST[x] line 3 → assert(...) line 3" \
    "a taint finding gives the path from input to sink"
has "$OUT" 'decoded: base64_decode = "assert"' "and what a decoded name came to"
# The JSON explains each file: score, technique, line, and decoded or taint where they apply.
run --json scan --webshell "$DATA/bad"
same "$(jq -r '[.matches[] | select(.path == "php_decoded_name.php" and .technique == "taint-code")][0] | "\(.score) \(.line) \(.taint)"' "$OUT")" \
    '100 3 $_REQUEST[x] line 3 → assert(...) line 3' "--json gives score, line and taint"
same "$(jq -r '[.matches[] | select(.path == "php_decoded_name.php" and .technique == "obfuscated-function-name")][0].decoded' "$OUT")" \
    'base64_decode = "assert"' "--json gives what was decoded"
same "$(jq -r .threshold "$OUT")" 60 "and the threshold a file's score is held to"
# Bad input: binary with a script's name, unterminated strings, invalid UTF-8 and
# GBK, a payload that decodes into itself, a file larger than the analysis reads:
# a clear result for each, in bounded time.
mkdir -p "$T/odd"
head -c 65536 /dev/urandom >"$T/odd/binary.php"
printf '<?php $a = "never closed {$_GET[1]} \n' >"$T/odd/unterminated.php"
printf '<?php $a = <<<EOT\nno end %s\n' "$(printf '\xc3\x28\xd5\xfe')" >"$T/odd/heredoc.php"
printf '<%% Response.Write "\xd6\xd0\xce\xc4" & Request("q") %%>' >"$T/odd/gbk.asp"
printf '<?php $x = "ZXZhbChiYXNlNjRfZGVjb2RlKCR4KSk7"; eval(base64_decode($x));' >"$T/odd/self.php"
{ printf '<?php /*'; head -c 9000000 /dev/zero | tr '\0' 'a'; printf '*/'; } >"$T/odd/huge.php"
start=$(date +%s)
run --json scan --webshell "$T/odd"
[ "$rc" -le 1 ] && ok "odd files give a result, not an error (exit $rc)" || not_ok "odd files: exit $rc"
[ $(($(date +%s) - start)) -lt 60 ] && ok "within bounded time" || not_ok "odd files took too long"
same "$(jq -r .files "$OUT")" 6 "every odd file was read"
mkdir -p "$T/rules"
printf 'rule site_marker { strings: $a = "hacked by" condition: $a }\n' >"$T/rules/site.yar"
echo 'hacked by nobody' >"$T/other/x.html"
run scan --webshell "$T/other" --rules "$T/rules"
expect 1 "a rule directory adds its rules"
printf 'rule broken { condition: nosuch }\n' >"$T/rules/bad.yar"
run scan --webshell "$T/other" --rules "$T/rules"
expect 2 "a broken rule file is an input error"
has "$ERR" "bad.yar" "naming the file"

# ClamAV's signatures join in when their databases are there.
mkdir -p "$T/clamdb" "$T/clamtree"
printf 'an innocent-looking file that a signature knows\n' >"$T/clamtree/known.txt"
echo "$(md5sum "$T/clamtree/known.txt" | cut -d' ' -f1):$(stat -c %s "$T/clamtree/known.txt"):Tocsin.Test.Known" \
    >"$T/clamdb/site.hdb"
run scan --webshell "$T/clamtree" --clamav "$T/clamdb"
expect 1 "a file a ClamAV signature knows is named"
has "$OUT" "clamav:Tocsin.Test.Known" "with the signature's name"
run scan --webshell "$T/clamtree" --clamav "$T/other"
expect 2 "a ClamAV directory without databases is an input error"
run scan --webshell "$DATA/good" --clamav "$T/clamdb"
expect 0 "the benign look-alikes stay clean with ClamAV too"

# An unreadable file is recorded without a hash and counted, the scan goes on
# (as an unprivileged user: root reads everything).
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
if [ "$(id -u)" != 0 ] || ! $NOBODY "$TOCSIN" --version >/dev/null 2>&1; then
    echo "ok - # SKIP unreadable files: needs root and a binary 'nobody' may run"
else
    U="$T/unread"
    mkdir -p "$U/tree" && echo secret >"$U/tree/locked.html" && echo open >"$U/tree/open.html"
    chmod 000 "$U/tree/locked.html"
    chmod 755 "$T" && chmod 777 "$U"
    $NOBODY "$TOCSIN" --json scan "$U/tree" --baseline "$U/b" >"$OUT" 2>"$ERR"
    same "$?" "0" "a tree with an unreadable file is still baselined"
    has "$ERR" "locked.html" "the unreadable file is named"
    $NOBODY "$TOCSIN" --json scan "$U/tree" --baseline "$U/b" >"$OUT" 2>"$ERR"
    same "$(jq .unreadable "$OUT")" "1" "and counted as unreadable"
    chmod 700 "$T"
fi

# A progress line on a terminal, nothing of it when standard error is a file.
rm -f "$T/p"
script -qec "'$TOCSIN' scan '$W' --baseline '$T/p'" /dev/null >"$T/tty.out" 2>&1
has "$T/tty.out" "scanning: " "on a terminal the scan shows its progress"
rm -f "$T/p"
run scan "$W" --baseline "$T/p"
lacks "$ERR" "scanning: " "and none when standard error is not a terminal"
