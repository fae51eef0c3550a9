#!/bin/sh
# Coverage of access-log attack detection against the community engine
# (issue: access-log detection): the same requests, made from public payload
# lists (bench/payload_requests.py; never committed) and from ordinary portal
# traffic, through
#   tocsin logscan --hits, at --paranoia 1 (the default) and 2, as access-log
#     lines (one client per line, so that only attack rules speak)
#   libmodsecurity3 with Debian's CRS 3.3.4 (bench/modsec_replay.c) at paranoia
#     levels 1 and 2, given what the log holds: method, URI with its query,
#     User-Agent, Referer
# and prints, per family and placement, the share of attack requests each
# names, and the share of ordinary requests each flags.
# Goals: tocsin at level 1 names more attacks than CRS at level 1 with fewer
# false alarms (and <= 0.1 % on ordinary traffic); at level 2, more than CRS
# at level 2.
# Usage: bench/logwatch-coverage.sh PAYLOADS-ALL-THE-THINGS-DIR [SECLISTS-FUZZING-DIR]
#        (needs libmodsecurity-dev and modsecurity-crs: apt-get install
#        libmodsecurity-dev modsecurity-crs)
set -eu
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: bench/logwatch-coverage.sh PAYLOADS-DIR [SECLISTS-FUZZING-DIR]" >&2; exit 2; }
CRS=/usr/share/modsecurity-crs/rules
[ -d "$CRS" ] || { echo "bench/logwatch-coverage.sh: $CRS missing (apt-get install modsecurity-crs)" >&2; exit 2; }
make -s tocsin >/dev/null
W=$(mktemp -d /tmp/tocsin-bench-XXXXXX)
trap 'rm -rf "$W"' EXIT
cc -O2 -o "$W/modsec_replay" bench/modsec_replay.c -lmodsecurity
python3 bench/payload_requests.py "$W" "$@"

for set in attack benign; do
    # The log: one line per request, each from its own address.
    awk -F '\t' '{
        n++
        ua = $3 == "" ? "-" : $3; ref = $4 == "" ? "-" : $4
        gsub(/"/, "\\x22", ua); gsub(/"/, "\\x22", ref)
        printf "10.%d.%d.%d - - [03/Dec/2026:10:00:00 +0800] \"%s %s HTTP/1.1\" 200 512 \"%s\" \"%s\"\n",
            int(n / 65536) % 256, int(n / 256) % 256, n % 256, $1, $2, ref, ua
    }' "$W/$set.tsv" >"$W/$set.log"
    for pl in 1 2; do
        # lines named by a signature (behaviour detectors aside)
        ./tocsin logscan --hits --paranoia $pl "$W/$set.log" 2>/dev/null |
            jq -r 'select([.rules[] | select(test("^(brute-force|scan-not-found|flood-)") | not)] | length > 0) | .line' \
                >"$W/$set.tocsin$pl"
        cut -f1-4 "$W/$set.tsv" | "$W/modsec_replay" "$CRS" $pl | awk '$1 == 1 {print NR}' >"$W/$set.crs$pl"
    done
done

# Per family and placement: requests, then the share each named.
report() { # set
    awk -F '\t' -v W="$W" -v set="$1" '
        BEGIN {
            split("tocsin1 tocsin2 crs1 crs2", tools, " ")
            for (t in tools) { f = W "/" set "." tools[t]; while ((getline l < f) > 0) hit[tools[t], l] = 1 }
        }
        { n++; k = $5 "/" $6; total[k]++; all++
          for (t in tools) if (hit[tools[t], n]) { got[tools[t], k]++; gotall[tools[t]]++ } }
        END {
            printf "%-18s %6s %9s %9s %9s %9s\n", set, "n", "tocsin-1", "tocsin-2", "crs-1", "crs-2"
            for (k in total) {
                printf "%-18s %6d", k, total[k]
                for (i = 1; i <= 4; i++) printf " %8.1f%%", 100 * got[tools[i], k] / total[k]
                printf "\n"
            }
            printf "%-18s %6d", "all", all
            for (i = 1; i <= 4; i++) printf " %8.1f%%", 100 * gotall[tools[i]] / all
            printf "\n"
        }' "$W/$1.tsv" | { read -r head; echo "$head"; sort; }
}
report attack
report benign
