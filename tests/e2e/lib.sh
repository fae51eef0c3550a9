# Shared helpers of the end-to-end tests: each check prints "ok N - what" or
# "not ok N - what" (with the evidence), which tests/run.sh counts.
# $TOCSIN is the binary under test. Every test works in its own temporary
# directory, removed on exit.
set -u
: "${TOCSIN:?set TOCSIN to the tocsin binary}"
T=$(mktemp -d /tmp/tocsin-e2e-XXXXXX)
trap 'rm -rf "$T"' EXIT
OUT="$T/.out"
ERR="$T/.err"
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1))
    echo "not ok $n - $1"
    shift
    for f in "$@"; do [ -f "$f" ] && sed 's/^/#   /' "$f"; done
}

# run CMD…: runs tocsin with arguments, stdout in $OUT, stderr in $ERR, status in $rc.
run() {
    "$TOCSIN" "$@" >"$OUT" 2>"$ERR"
    rc=$?
}

# expect STATUS WHAT: the last run ended with STATUS.
expect() {
    if [ "$rc" -eq "$1" ]; then ok "$2"; else not_ok "$2 (exit $rc, wanted $1)" "$OUT" "$ERR"; fi
}

# has FILE TEXT WHAT: FILE contains TEXT (fixed string).
has() {
    if grep -qF -- "$2" "$1"; then ok "$3"; else not_ok "$3 (no '$2')" "$1"; fi
}

# lacks FILE TEXT WHAT
lacks() {
    if grep -qF -- "$2" "$1"; then not_ok "$3 (found '$2')" "$1"; else ok "$3"; fi
}

# same A B WHAT: two strings are equal.
same() {
    if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3 ('$1' != '$2')"; fi
}

# dbsum DIR: a digest of everything the database holds, to show nothing changed.
dbsum() {
    sqlite3 "$1/tocsin.db" .dump | sha256sum | cut -d' ' -f1
}
