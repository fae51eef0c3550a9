#!/bin/sh
# Runs every test of tocsin against one build: the cmocka unit tests, each fuzz
# harness over its corpus, the end-to-end scripts driving the real binary, and
# the web interface in a real browser.
# Prints what failed, and ends with the line "N passed, N failed".
# Usage: tests/run.sh BUILD_DIR    (build/release or build/asan)
set -u
cd "$(dirname "$0")/.."
BUILD=${1:?usage: tests/run.sh BUILD_DIR}
export TOCSIN="$PWD/$BUILD/tocsin"
export TOCSIN_ROOT="$PWD"
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() { # name status oks runs
    name=$1 status=$2 ok=$3 runs=$4
    bad=$((runs - ok))
    [ "$status" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
    passed=$((passed + ok))
    failed=$((failed + bad))
    if [ "$bad" -ne 0 ]; then
        echo "FAILED: $name (exit $status)"
        sed 's/^/    /' "$log"
    else
        echo "$name: $ok passed"
    fi
}

for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    "$t" >"$log" 2>&1
    status=$?
    count "unit $(basename "$t")" $status "$(grep -c '^\[       OK \]' "$log")" \
        "$(grep -c '^\[ RUN      \]' "$log")"
done

for h in "$BUILD"/replay/fuzz_*; do
    [ -x "$h" ] || continue
    n=$(basename "$h")
    "$h" "tests/fuzz/corpus/${n#fuzz_}" >"$log" 2>&1
    status=$?
    ok=0
    [ $status -eq 0 ] && ok=1
    count "fuzz replay $n" $status $ok 1
done

for s in tests/e2e/*.sh; do
    case "$s" in */lib.sh) continue ;; esac
    sh "$s" >"$log" 2>&1
    status=$?
    count "e2e $(basename "$s" .sh)" $status "$(grep -c '^ok ' "$log")" \
        "$(grep -c -E '^(not )?ok ' "$log")"
done

# The web interface in Debian's chromium, driven by playwright-core.
node tests/browser/ui.mjs >"$log" 2>&1
status=$?
count "browser ui" $status "$(grep -c '^ok ' "$log")" "$(grep -c -E '^(not )?ok ' "$log")"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
