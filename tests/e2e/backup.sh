#!/bin/sh
# Backups with verified restore (G-2, H-4): a tree backed up, altered and
# restored byte-identical to the backed-up state; damaged, truncated and
# re-packed archives refused; sealed archives and wrong keys; a dump command
# that fails halfway; a destination that fills up; retention; the second
# destination; tocsin's own data directory restored into a fresh place and
# opened; the backup an incident asks for, run by tocsin serve; the API.
. "$(dirname "$0")/lib.sh"
export TOCSIN_DATA="$T/data"
"$TOCSIN" init >"$T/init" || { not_ok "init"; exit 1; }
PW="a long enough password"
for u in zhou:officer lead:leader; do
    echo "$PW" | "$TOCSIN" user add "${u%%:*}" --role "${u##*:}" --password-file /dev/stdin >/dev/null
done
echo "$PW" | "$TOCSIN" user add xc --role department --department 宣传部 --password-file /dev/stdin >/dev/null
q() { sqlite3 "$TOCSIN_DATA/tocsin.db" "$1"; }
# tree_sum DIR: every entry's type, mode, size and content (or link target), sorted
tree_sum() {
    (cd "$1" && find . -mindepth 1 -printf '%y %m %s %p -> %l\n' | LC_ALL=C sort &&
        find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha256sum | cut -d' ' -f1
}

# The web root: nested pages, an empty directory, a link, odd names, a
# restricted file and a binary of a few MB.
W="$T/www"
mkdir -p "$W/news/2026/11" "$W/empty" "$W/静态"
printf '<html><body>政务公开</body></html>\n' >"$W/index.html"
printf 'notice %s\n' 1 2 3 >"$W/news/2026/11/notice.html"
printf 'tab\tand newline\n' >"$W/静态/名 字.txt"
printf 'odd' >"$W/news/a	tab"
printf 'odd' >"$W/news/back\\slash"
printf 'secret config' >"$W/config.php" && chmod 640 "$W/config.php"
ln -s index.html "$W/home.html"
head -c 3000000 /dev/urandom >"$W/news/video.bin"
BEFORE=$(tree_sum "$W")

run backup add www --path "$W" --dest "$T/arch" --as xc
expect 2 "a department may not define backups"
run backup add www --path "$W" --dest "$T/arch" --as lead
expect 2 "…nor may a leader"
run backup add www --path www --dest "$T/arch" --as zhou
expect 2 "a relative path is refused"
run backup add etc --path /etc --dest "$T/arch" --as zhou
expect 2 "a system directory is refused"
run backup add both --path "$W" --command true --dest "$T/arch" --as zhou
expect 2 "a job keeps a directory or a command, not both"
run backup add www --path "$W" --as zhou
expect 2 "a job names its destination"
run backup add 'we b' --path "$W" --dest "$T/arch" --as zhou
expect 2 "a job's name is a plain word"
run backup add www --path "$W" --dest "$T/arch" --every 0 --as zhou
expect 0 "an officer defines a backup of the web root"
run backup add www --path "$W" --dest "$T/arch" --as zhou
expect 2 "…once"

run backup run www
expect 0 "the web root is backed up"
A1=$(cat "$OUT")
[ "$(q "SELECT state || ' ' || (verified_at IS NOT NULL) || ' ' || files FROM backup_runs WHERE id = $A1")" = "good 1 $(find "$W" -type f | wc -l)" ] &&
    ok "…verified by a test restore before it counts as good ($A1)" ||
    not_ok "run state" "$OUT" "$ERR"
ARCH=$(q "SELECT path FROM backup_runs WHERE id = $A1")
[ -f "$ARCH" ] && [ "$(stat -c %a "$ARCH")" = 600 ] && ok "…an archive readable only by tocsin's user" || not_ok "archive $ARCH"
[ "$(sha256sum <"$ARCH" | cut -d' ' -f1)" = "$(q "SELECT sha256 FROM backup_runs WHERE id = $A1")" ] &&
    ok "…whose SHA-256 is recorded" || not_ok "sha256"
ls -A "$T/arch" | grep -q '^\.tmp' && not_ok "a temporary file is left" || ok "…and no temporary file is left"

# Alter the tree, then restore: byte-identical to the state backed up.
printf 'HACKED' >"$W/index.html"
rm -r "$W/news/2026"
printf '<?php eval($_POST[x]);' >"$W/shell.php"
chmod 777 "$W/config.php"
[ "$(tree_sum "$W")" != "$BEFORE" ] && ok "the tree is altered" || not_ok "alter"
run backup restore www --to "$T/back"
expect 0 "the backup is restored into a new directory"
same "$(tree_sum "$T/back")" "$BEFORE" "…byte-identical to the backed-up state, modes and links included"
cmp -s "$T/back/news/video.bin" "$T/back/news/video.bin" && [ -L "$T/back/home.html" ] &&
    ok "…the binary and the link as they were" || not_ok "binary or link"
mkdir "$T/emptydir"
run backup restore www "$A1" --to "$T/emptydir"
expect 0 "an empty directory may be the target"
same "$(tree_sum "$T/emptydir")" "$BEFORE" "…and gets the same tree"
run backup restore www --to "$T/back"
expect 2 "a target that is not empty is refused"
has "$ERR" "not empty" "…saying why"
run backup restore www --to "$T/nowhere/deeper"
expect 2 "a target whose parent does not exist is refused"

# The unsealed archive is a plain tar.zst: standard tools restore it too.
mkdir "$T/plain"
zstd -dc "$ARCH" | tar -xf - -C "$T/plain" 2>/dev/null
same "$(tree_sum "$T/plain/files")" "$BEFORE" "tar and zstd restore an unsealed archive without tocsin"
[ -f "$T/plain/tocsin-manifest.tsv" ] && ok "…with the manifest beside the files" || not_ok "manifest"

# Damage: one bit, a cut, a re-packed archive with one file changed.
cp "$ARCH" "$T/good.tzst"
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=1; open(p,'wb').write(b)" "$ARCH"
run backup verify www "$A1"
expect 1 "a flipped bit is found (exit 1)"
has "$ERR" "damaged" "…and named"
[ "$(q "SELECT state FROM backup_runs WHERE id = $A1")" = damaged ] && ok "…and the archive recorded as damaged" || not_ok "state"
run backup restore www "$A1" --to "$T/r-damaged"
expect 1 "restore refuses the damaged archive"
[ ! -e "$T/r-damaged" ] && ! ls -A "$T" | grep -q 'r-damaged.tocsin-restore' &&
    ok "…leaving nothing behind" || not_ok "leftovers" "$ERR"
run backup restore www --to "$T/r-none"
expect 2 "with no good archive left, restore says so"
cp "$T/good.tzst" "$ARCH"
run backup verify www "$A1"
expect 0 "the intact archive verifies (exit 0)"
head -c 100000 "$T/good.tzst" >"$ARCH"
run backup verify www "$A1"
expect 1 "a truncated archive is refused"
has "$ERR" "truncated" "…as truncated"
mkdir "$T/repack"
zstd -dc "$T/good.tzst" >"$T/repack/a.tar"
python3 - "$T/repack/a.tar" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = b.find('政务公开'.encode())
b[i:i + 12] = '已被篡改'.encode()
open(p, 'wb').write(b)
PY
zstd -q "$T/repack/a.tar" -o "$T/repack/a.tar.zst"
run backup restore --file "$T/repack/a.tar.zst" --to "$T/r-repack"
expect 1 "a re-packed archive with one file changed is refused by its manifest alone"
has "$ERR" "files/index.html differs from the manifest" "…naming the file"
[ ! -e "$T/r-repack" ] && ok "…and nothing restored" || not_ok "r-repack exists"
run backup restore --file "$T/good.tzst" --to "$T/r-file"
expect 0 "an archive restores without the database (--file)"
same "$(tree_sum "$T/r-file")" "$BEFORE" "…to the same tree"

# Sealed archives.
run backup keygen "$T/key"
expect 0 "a key is made"
[ "$(stat -c %a "$T/key")" = 600 ] && ok "…readable by its owner only" || not_ok "key mode"
run backup keygen "$T/key"
expect 2 "an existing key is never overwritten"
"$TOCSIN" backup keygen "$T/key2" 2>/dev/null
cp "$T/key" "$T/openkey" && chmod 644 "$T/openkey"
run backup add sealed --path "$W" --dest "$T/arch" --key "$T/openkey" --as zhou
expect 2 "a key others can read is refused"
run backup add sealed --path "$W" --dest "$T/arch" --key "$T/key" --every 0 --as zhou
expect 0 "a sealed job"
run backup run sealed
expect 0 "…runs"
S1=$(cat "$OUT")
SARCH=$(q "SELECT path FROM backup_runs WHERE id = $S1")
zstd -t "$SARCH" >/dev/null 2>&1 && not_ok "a sealed archive is readable zstd" || ok "…and its archive is sealed"
run backup restore --file "$SARCH" --to "$T/r-s1"
expect 2 "a sealed archive without its key: usage error"
has "$ERR" "give its key file" "…asking for it"
run backup restore --file "$SARCH" --key "$T/key2" --to "$T/r-s2"
expect 2 "a wrong key is refused"
has "$ERR" "wrong key" "…as the wrong key"
run backup restore --file "$SARCH" --key "$T/key" --to "$T/r-s3"
expect 0 "the right key restores it"
same "$(tree_sum "$T/r-s3")" "$(tree_sum "$W")" "…to the tree as it now is"
cp "$SARCH" "$T/sealed.bak"
# every bit of one byte flipped: writing a fixed byte would leave it unchanged when it was that byte
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[5000]^=0xff; open(p,'wb').write(b)" "$SARCH"
run backup verify sealed
expect 1 "an altered sealed archive fails authentication"
cp "$T/sealed.bak" "$SARCH"
q "UPDATE backup_runs SET state = 'good' WHERE id = $S1"
truncate -s -40 "$SARCH"
run backup verify sealed
expect 1 "a sealed archive cut short is refused"

# A dump command: streamed into the archive; a failure halfway counts for nothing.
run backup add db --command 'printf "CREATE TABLE t;\n"; printf "INSERT 1;\n"' --dest "$T/arch" --every 0 --as zhou
expect 0 "a job for a database dump"
run backup run db
expect 0 "…runs the command"
run backup restore db --to "$T/r-db"
expect 0 "…and restores"
[ "$(cat "$T/r-db/db.dump")" = "$(printf 'CREATE TABLE t;\nINSERT 1;')" ] &&
    ok "…the dump's exact output" || not_ok "dump" "$T/r-db/db.dump"
run backup add half --command 'printf "CREATE TABLE"; echo "connection lost" >&2; exit 3' --dest "$T/arch" --as zhou
expect 0 "a dump that will fail halfway"
N=$(ls -A "$T/arch" | wc -l)
run backup run half
expect 2 "…fails the run"
has "$ERR" "exited with status 3: connection lost" "…with the command's status and message"
[ "$(q "SELECT state FROM backup_runs r JOIN backup_jobs j ON j.id = r.job_id WHERE j.name = 'half'")" = failed ] &&
    ok "…recorded as failed, never good" || not_ok "half state"
same "$(ls -A "$T/arch" | wc -l)" "$N" "…and no archive is kept"
run due --as zhou
has "$OUT" "备份失败：half" "the failed backup is due at once"
run checklist add 每日检查 --schedule daily --auto backups-good --as zhou
run checklist run 每日检查 --as zhou
R=$(cat "$OUT")
run checklist show "$R" --json
jq -e '[.items[] | select(.auto == "backups-good")][0].result == "fail"' "$OUT" >/dev/null &&
    ok "the automatic check 'backups good' fails" || not_ok "auto check" "$OUT"

# A destination that fills up.
mkdir "$T/small"
if mount -t tmpfs -o size=1m tmpfs "$T/small" 2>/dev/null; then
    run backup add full --path "$W" --dest "$T/small" --as zhou
    run backup run full
    expect 2 "a destination that fills up fails the run"
    has "$ERR" "No space left" "…saying so"
    same "$(ls -A "$T/small" | wc -l)" 0 "…and leaves no partial archive"
    [ "$(q "SELECT state FROM backup_runs r JOIN backup_jobs j ON j.id = r.job_id WHERE j.name = 'full'")" = failed ] &&
        ok "…recorded as failed" || not_ok "full state"
    umount "$T/small"
else
    echo "# skipped: cannot mount a small tmpfs here"
fi

# Retention and the second destination.
run backup add kept --path "$W/静态" --dest "$T/arch2" --copy "$T/offsite" --keep 2 --every 0 --as zhou
for i in 1 2 3 4; do "$TOCSIN" backup run kept >/dev/null 2>&1; done
same "$(q "SELECT group_concat(state, ',') FROM (SELECT state FROM backup_runs r JOIN backup_jobs j ON j.id = r.job_id WHERE j.name = 'kept' ORDER BY r.id)")" \
    "expired,expired,good,good" "retention keeps the newest two good archives"
same "$(ls "$T/arch2" | wc -l) $(ls "$T/offsite" | wc -l)" "2 2" "…and removes only the expired files, here and in the copy"
KP=$(q "SELECT copy_path || ' ' || sha256 FROM backup_runs r JOIN backup_jobs j ON j.id = r.job_id WHERE j.name = 'kept' ORDER BY r.id DESC LIMIT 1")
[ "$(sha256sum <"${KP%% *}" | cut -d' ' -f1)" = "${KP##* }" ] &&
    ok "the second destination holds the same archive" || not_ok "copy $KP"

# tocsin's own data directory: restored into a fresh place and opened.
run backup list --json
jq -e '[.[] | select(.name == "tocsin" and .kind == "self")] | length == 1' "$OUT" >/dev/null &&
    ok "tocsin's own data directory is a job from the start" || not_ok "self job" "$OUT"
run backup run tocsin
expect 0 "…and is backed up"
run backup restore tocsin --to "$T/fresh"
expect 0 "…restored into a fresh place"
TOCSIN_DATA="$T/fresh" "$TOCSIN" user list >"$OUT" 2>"$ERR"
has "$OUT" "zhou" "…which opens, with its users"
TOCSIN_DATA="$T/fresh" "$TOCSIN" audit verify >"$OUT" 2>&1
[ $? -eq 0 ] && ok "…and an intact audit chain" || not_ok "fresh audit" "$OUT"

# H-4: opening an incident on the portal queues its backup; serve runs it.
run backup add portal --path "$W" --dest "$T/arch3" --asset 门户网站 --on-incident --every 0 --as zhou
expect 0 "a job for the portal, taken when an incident opens"
run incident open --title 门户网站首页被篡改 --category information-destruction/tampering --asset 门户网站 --as zhou
INC=$(cat "$OUT")
same "$(q "SELECT state || ' ' || reason FROM backup_runs r JOIN backup_jobs j ON j.id = r.job_id WHERE j.name = 'portal'")" \
    "queued incident $INC" "opening $INC queues the portal's backup"
run incident show "$INC" --as zhou --json
has "$OUT" "已安排立即备份" "…and its timeline says so"
run incident open --title 演练 --category information-destruction/tampering --asset 门户网站 --drill --as zhou
same "$(q "SELECT count(*) FROM backup_runs r JOIN backup_jobs j ON j.id = r.job_id WHERE j.name = 'portal'")" 1 \
    "a drill incident takes no real backup"
serve_start
wait_for "[ \"\$(q \"SELECT state FROM backup_runs r JOIN backup_jobs j ON j.id = r.job_id WHERE j.name = 'portal'\")\" = good ]" 200 &&
    ok "tocsin serve runs the queued backup" || not_ok "serve backup" "$T/serve.err"
signin() { JAR="$T/jar.$1"; CSRF=""
    http POST /api/v1/session "{\"name\":\"$1\",\"password\":\"$PW\"}"
    CSRF=$(jq -r .csrf_token "$OUT"); }
signin xc
http GET /api/v1/backups
status 403 "a department may not see the backups"
signin lead
http GET /api/v1/backups
status 200 "a leader sees them"
jq -e '[.items[] | select(.name == "portal")][0].last.state == "good"' "$OUT" >/dev/null &&
    ok "…with each job's last run" || not_ok "list" "$OUT"
http POST /api/v1/backups/www/run
status 403 "…but may not start one"
signin zhou
http POST /api/v1/backups/www/run
status 202 "an officer asks for a run"
RUN=$(jq -r .archive "$OUT")
wait_for "[ \"\$(q \"SELECT state FROM backup_runs WHERE id = $RUN\")\" = good ]" 200 &&
    ok "…which serve makes and verifies" || not_ok "api run" "$T/serve.err"
http GET /api/v1/backups/www
jq -e --argjson id "$RUN" '.archives[0].id == $id and .archives[0].state == "good"' "$OUT" >/dev/null &&
    ok "the job shows its archives" || not_ok "show" "$OUT"
http GET /api/v1/backups/nosuch
status 404 "an unknown job is not found"
serve_stop
same "$stop_rc" 0 "serve stops cleanly"

run audit verify
expect 0 "every backup, verification and restore is in the audit chain"
[ "$(q "SELECT count(*) FROM audit WHERE action IN ('backup.run', 'backup.restore', 'backup.verify')")" -gt 10 ] &&
    ok "…recorded there" || not_ok "audit rows"
