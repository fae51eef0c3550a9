# The foundation end to end: init, users, the audit chain, and bad input of
# every kind the foundation reads (command line, config, database).
. "$(dirname "$0")/lib.sh"
D="$T/data"

run --version
expect 0 "--version exits 0"
has "$OUT" "tocsin " "--version prints the version"

run --help
expect 0 "--help exits 0"
has "$OUT" "init" "--help lists the commands"

for c in init user audit incident warning approval assessment due asset setting; do
    run $c --help
    if [ "$rc" -eq 0 ] && grep -q "usage: tocsin $c" "$OUT"; then ok "tocsin $c --help"; else
        not_ok "tocsin $c --help (exit $rc)" "$OUT" "$ERR"; fi
done
run user add --help
has "$OUT" "usage: tocsin user add" "a subcommand's --help shows its usage"

run frobnicate
expect 2 "an unknown command exits 2"
has "$ERR" "unknown command 'frobnicate'" "the message names the unknown command"

run init --data "$D" --org "示范开发区管委会" --admin chief --bogus
expect 2 "init with an unknown option exits 2"
[ ! -e "$D" ] && ok "a refused init creates nothing" || not_ok "a refused init creates nothing"

run init --data "$D" --admin "Bad Name"
expect 2 "init with a bad admin name exits 2"
[ ! -e "$D" ] && ok "a bad admin name creates nothing" || not_ok "a bad admin name creates nothing"

run init --data "$D" --org "示范开发区管委会" --admin chief
expect 0 "init creates a data directory"
has "$OUT" "user: chief" "init names the admin"
grep -qE '^password: [A-Za-z0-9]{20}$' "$OUT" && ok "init prints a 20-character password" ||
    not_ok "init prints a 20-character password" "$OUT"
password=$(sed -n 's/^password: //p' "$OUT")
for f in tocsin.conf tocsin.db objects; do
    [ -e "$D/$f" ] && ok "init created $f" || not_ok "init created $f"
done
same "$(stat -c %a "$D")" "700" "the data directory is private (0700)"
same "$(stat -c %a "$D/tocsin.db")" "600" "the database is private (0600)"
has "$D/tocsin.conf" "listen = 127.0.0.1:8080" "the config has the default listen address"
has "$D/tocsin.conf" "timezone = Asia/Shanghai" "the config has the default time zone"
has "$D/tocsin.conf" "name = 示范开发区管委会" "the config has the organisation"

before=$(dbsum "$D")
run init --data "$D"
expect 2 "init refuses an existing data directory"
has "$ERR" "already holds a tocsin data directory" "the refusal says why"
same "$(dbsum "$D")" "$before" "the refused init changed nothing"

TOCSIN_DATA="$D" run user list
expect 0 "TOCSIN_DATA selects the data directory"
has "$OUT" "chief" "the admin is listed"

printf 'officer password 1\n' >"$T/pw"
run user add zhang --role officer --display 张三 --password-file "$T/pw" --data "$D"
expect 0 "user add with --data after the subcommand"
run --data "$D" user add li --role department --department 办公室 --json
expect 0 "user add with a generated password"
jq -e '.user == "li" and (.password | length) == 20' "$OUT" >/dev/null &&
    ok "--json gives the user and the one-time password" || not_ok "--json output" "$OUT"

run --data "$D" user list --json
jq -e 'map(select(.name == "zhang" and .role == "officer" and .display_name == "张三")) | length == 1' \
    "$OUT" >/dev/null && ok "user list --json shows the officer" || not_ok "user list --json" "$OUT"

before=$(dbsum "$D")
run --data "$D" user add wang --role superuser
expect 2 "an unknown role exits 2"
has "$ERR" "unknown role 'superuser'" "the message names the bad role"
run --data "$D" user add wang --role department
expect 2 "a department user without a department exits 2"
run --data "$D" user add zhang --role officer
expect 2 "a taken name exits 2"
has "$ERR" "user 'zhang' exists already" "the message names the taken user"
same "$(dbsum "$D")" "$before" "refused user commands changed nothing"

run --data "$D" user disable li
expect 0 "user disable"
run --data "$D" user list --json
jq -e '.[] | select(.name == "li") | .disabled == true' "$OUT" >/dev/null &&
    ok "the disabled user shows as disabled" || not_ok "disabled flag" "$OUT"

printf 'a brand new password\n' | "$TOCSIN" --data "$D" user passwd zhang >"$OUT" 2>"$ERR"
rc=$?
expect 0 "user passwd reads the new password from standard input"
printf 'short\n' | "$TOCSIN" --data "$D" user passwd zhang >"$OUT" 2>"$ERR"
rc=$?
expect 2 "a too-short password is refused"

run --data "$D" audit verify
expect 0 "audit verify on an intact chain"
entries=$(sqlite3 "$D/tocsin.db" "SELECT count(*) FROM audit")
has "$OUT" "ok: $entries entries" "audit verify counts every entry"
run --data "$D" audit list --json
jq -e '[.[].action] | index("init") == 0 and (map(select(. == "user.add")) | length) == 3' "$OUT" \
    >/dev/null && ok "init and every user change are audited" || not_ok "audit actions" "$OUT"
lacks "$OUT" "$password" "no password reaches the audit log"
lacks "$OUT" "brand new password" "no changed password reaches the audit log"
run --data "$D" audit list --action user.disable
has "$OUT" "li" "audit list filters by action"

# Tampering behind tocsin's back, as an attacker with the file would.
cp -a "$D" "$T/tampered"
sqlite3 "$T/tampered/tocsin.db" "DROP TRIGGER audit_no_update;
    UPDATE audit SET details = '{\"role\":\"leader\"}' WHERE id = 3;"
run --data "$T/tampered" audit verify
expect 1 "audit verify finds an altered entry (exit 1)"
has "$OUT" "entry 3" "the altered entry is named"
run --data "$T/tampered" audit verify --json
jq -e '.ok == false and .bad_entry == 3' "$OUT" >/dev/null && ok "audit verify --json names it" ||
    not_ok "audit verify --json" "$OUT"

cp -a "$D" "$T/cut"
sqlite3 "$T/cut/tocsin.db" "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = (SELECT max(id) FROM audit);"
run --data "$T/cut" audit verify
expect 1 "audit verify finds a removed last entry"

# A broken config is named by file and line, and nothing runs on it.
cp -a "$D" "$T/badconf"
printf '[server]\nlisten = 127.0.0.1:8080\nworkers = 4\n' >"$T/badconf/tocsin.conf"
run --data "$T/badconf" user list
expect 2 "an unknown config key exits 2"
has "$ERR" "tocsin.conf:3: unknown key 'workers' in [server]" "the message names file, line and key"
printf '[server\n' >"$T/badconf/tocsin.conf"
run --data "$T/badconf" audit verify
expect 2 "a config syntax error exits 2"
has "$ERR" "tocsin.conf:1: syntax error" "the syntax error names its line"

# A damaged, missing or newer database.
cp -a "$D" "$T/corrupt"
rm -f "$T/corrupt/tocsin.db-wal" "$T/corrupt/tocsin.db-shm"
head -c 8192 /dev/urandom >"$T/corrupt/tocsin.db"
run --data "$T/corrupt" user list
expect 2 "a corrupt database exits 2"
has "$ERR" "not a database" "the message says the file is not a database"

cp -a "$D" "$T/nodb"
rm -f "$T/nodb/tocsin.db" "$T/nodb/tocsin.db-wal" "$T/nodb/tocsin.db-shm"
run --data "$T/nodb" user list
expect 2 "a missing database exits 2"
has "$ERR" "no tocsin database at $T/nodb/tocsin.db" "the message names the missing file"

cp -a "$D" "$T/newer"
sqlite3 "$T/newer/tocsin.db" "PRAGMA user_version = 99"
before=$(dbsum "$T/newer")
run --data "$T/newer" user list
expect 2 "a database from a newer tocsin exits 2"
has "$ERR" "schema version 99" "the message names the database's version"
same "$(dbsum "$T/newer")" "$before" "the newer database is left untouched"

run --data "$T/none" user list
expect 2 "a missing data directory exits 2"
has "$ERR" "tocsin init --data $T/none" "the message says how to create one"

# A data directory that cannot be written (a read-only mount stops root too).
mkdir "$T/ro"
if mount -t tmpfs -o size=8m tmpfs "$T/ro" 2>/dev/null; then
    cp -a "$D/." "$T/ro/"
    mount -o remount,ro "$T/ro"
    run --data "$T/ro" user list
    expect 2 "a read-only data directory exits 2"
    has "$ERR" "not writable" "the message says the directory is not writable"
    umount "$T/ro"
else
    echo "# skipped: cannot mount a read-only tmpfs here"
fi

run --data "$D" user list --colour
expect 2 "an unknown option exits 2"
has "$ERR" "unknown option '--colour'" "the message names the option"
