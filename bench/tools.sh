#!/bin/sh
# Real attack tools against a test site on loopback (issue: access-log
# detection): sqlmap (--level 3, with its own user agent and with
# --random-agent), wapiti, wfuzz (its traversal lists), dirb and gobuster,
# each in turn against nginx serving a small portal, and 5,000 ordinary
# requests; each tool's access log through tocsin logscan --hits.
# For each tool it prints the payload requests and the share named by an
# attack rule (in the query, and in the headers the log holds), and whether
# the tool's client was raised as a scanner.
# A request is a payload when a parameter value, the User-Agent or the
# Referer differs from the one the tool started from (the site's own links'
# values; the tool's first request's headers) and contains a character other
# than letters, digits, '.', '_', '-' and space. That rule is fixed here.
# Goals: >= 95 % of payload requests named, in the query and in the headers;
# every tool's client raised as a scanner; no alarm on the ordinary requests.
# Usage: bench/tools.sh [SECONDS-PER-TOOL]   (needs sqlmap wapiti wfuzz dirb
#        gobuster: apt-get install sqlmap wapiti wfuzz dirb gobuster)
#        TOOLS="sqlmap wfuzz" runs only those; KEEP=DIR keeps the logs and hits.
set -eu
cd "$(dirname "$0")/.."
LIMIT=${1:-240}
TOOLS=${TOOLS:-"sqlmap sqlmap-random-agent wapiti wfuzz dirb gobuster ordinary"}
for t in sqlmap wapiti wfuzz dirb gobuster nginx curl jq; do
    command -v $t >/dev/null || { echo "bench/tools.sh: $t is not installed" >&2; exit 2; }
done
make -s tocsin >/dev/null
W=$(mktemp -d /tmp/tocsin-tools-XXXXXX)
trap 'nginx -c "$W/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$W"' EXIT

# The site: pages with links carrying parameters, a form, a search.
S="$W/site"
mkdir -p "$S/news" "$S/tmp" "$W/logs"
cat >"$S/index.html" <<'EOF'
<!doctype html><html><head><meta charset="utf-8"><title>示范区门户网站</title></head><body>
<a href="/news/show.php?id=1">新闻</a> <a href="/news/list.php?cat=2&page=1">列表</a>
<a href="/search.php?q=%E6%94%BF%E5%8A%A1">搜索</a> <a href="/view.php?file=about.html">关于</a>
<form action="/login.php" method="get"><input name="user" value="guest"><input name="pass" value="x"><input type="submit"></form>
<form action="/search.php" method="get"><input name="q" value="news"><input type="submit"></form>
</body></html>
EOF
for p in news/show.php news/list.php search.php view.php login.php about.html; do
    printf '<html><body><p>page %s</p><a href="/">home</a></body></html>\n' "$p" >"$S/$p"
done
user=""
[ "$(id -u)" -eq 0 ] && user="user root;"
for try in 1 2 3 4 5 6 7 8 9 10; do
    PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
    cat >"$W/nginx.conf" <<CONF
$user
worker_processes 1;
pid $W/nginx.pid;
error_log $W/error.log;
events { worker_connections 1024; }
http {
    default_type text/html;
    access_log $W/access.log combined;
    client_body_temp_path $S/tmp/body;
    proxy_temp_path $S/tmp/proxy;
    fastcgi_temp_path $S/tmp/fcgi;
    uwsgi_temp_path $S/tmp/uwsgi;
    scgi_temp_path $S/tmp/scgi;
    server { listen 127.0.0.1:$PORT; root $S; }
}
CONF
    nginx -c "$W/nginx.conf" 2>/dev/null && break
done
URL="http://127.0.0.1:$PORT"
curl -fsS -o /dev/null "$URL/" || { echo "bench/tools.sh: nginx did not start" >&2; exit 2; }

run_tool() { # name command…: the tool's requests go to logs/NAME.log
    name=$1
    shift
    case " $TOOLS " in *" $name "*) ;; *) return 0 ;; esac
    : >"$W/access.log"
    echo "running $name…" >&2
    timeout "$LIMIT" "$@" >"$W/$name.out" 2>&1 </dev/null || true
    sleep 0.3
    cp "$W/access.log" "$W/logs/$name.log"
}
run_tool sqlmap sqlmap -u "$URL/news/show.php?id=1" --batch --level 3 --risk 1 --threads 4 \
    --output-dir "$W/sqlmap" --flush-session
run_tool sqlmap-random-agent sqlmap -u "$URL/news/list.php?cat=2&page=1" --batch --level 3 \
    --risk 1 --threads 4 --random-agent --output-dir "$W/sqlmap2" --flush-session
run_tool wapiti wapiti -u "$URL/" --flush-session -f txt -o "$W/wapiti.txt" \
    --max-scan-time "$LIMIT" -m "exec,file,sql,xss,crlf,redirect,ssrf,blindsql,permanentxss"
run_tool wfuzz wfuzz -z file,/usr/share/wfuzz/wordlist/vulns/dirTraversal.txt \
    -z file,/usr/share/wfuzz/wordlist/vulns/dirTraversal-nix.txt -m chain \
    "$URL/view.php?file=FUZZ"
run_tool dirb dirb "$URL/" /usr/share/dirb/wordlists/common.txt -S -r
run_tool gobuster gobuster dir -q -u "$URL/" -w /usr/share/dirb/wordlists/common.txt -t 4
# Ordinary visitors: the site's pages with ordinary parameters.
case " $TOOLS " in *" ordinary "*)
awk -v u="$URL" 'BEGIN { srand(5)
    split("/ /news/show.php?id= /news/list.php?cat=2&page= /search.php?q=%E6%94%BF%E5%8A%A1+ /view.php?file=about.html /about.html /search.php?q=news+", p, " ")
    for (i = 0; i < 5000; i++) { k = 1 + int(rand() * 7); s = p[k]; if (s ~ /=$|\+$/) s = s int(rand() * 500)
        printf "url = \"%s%s\"\noutput = \"/dev/null\"\n", u, s } }' >"$W/ordinary.curl"
: >"$W/access.log"
curl -s -K "$W/ordinary.curl" -A "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36" || true
sleep 0.3
cp "$W/access.log" "$W/logs/ordinary.log"
;;
esac

printf '%-20s %8s %9s %9s %8s %8s  %s\n' tool requests payloads named query headers scanner
for f in "$W"/logs/*.log; do
    name=$(basename "$f" .log)
    ./tocsin logscan --hits "$f" 2>/dev/null >"$W/$name.hits" || true
    ./tocsin logscan --json "$f" 2>/dev/null >"$W/$name.json" || true
    python3 - "$f" "$W/$name.hits" "$W/$name.json" "$name" <<'PY'
import json, re, sys, urllib.parse
log, hits, det, name = sys.argv[1:]
site = {"id": {"1"}, "cat": {"2"}, "page": {"1"}, "q": {"政务", "news"}, "file": {"about.html"},
        "user": {"guest"}, "pass": {"x"}}
plain = re.compile(r"^[A-Za-z0-9._\- ]*$")
line_re = re.compile(r'^(\S+) \S+ \S+ \[[^]]+\] "(\S+) (\S+)[^"]*" \d+ \S+ "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"')
behaviour = re.compile(r"^(brute-force|scan-|flood-)")
named = {}
for l in open(hits):
    h = json.loads(l)
    named[h["line"]] = [r for r in h["rules"] if not behaviour.match(r)]
first_ua = first_ref = None
n = pay = got = 0
q_pay = q_got = h_pay = h_got = 0
for i, l in enumerate(open(log, encoding="utf-8", errors="surrogateescape"), 1):
    m = line_re.match(l)
    if not m:
        continue
    n += 1
    client, method, uri, ref, ua = m.groups()
    if first_ua is None:
        first_ua, first_ref = ua, ref
    in_query = False
    qs = uri.split("?", 1)[1] if "?" in uri else ""
    for k, v in urllib.parse.parse_qsl(qs, keep_blank_values=True):
        if v not in site.get(k, set()) and not plain.match(v):
            in_query = True
    in_headers = (ua != first_ua and not plain.match(ua)) or (ref != first_ref and not plain.match(ref))
    if not (in_query or in_headers):
        continue
    pay += 1
    hit = bool(named.get(i))
    got += hit
    if in_query:
        q_pay += 1
        q_got += hit
    if in_headers:
        h_pay += 1
        h_got += hit
d = json.load(open(det)) if open(det).read().strip() else {"detections": []}
scan = sorted({x["rule"] for x in d["detections"] if x["category"] == "network-attack/scanning"})
alarms = sum(1 for v in named.values() if v)
pct = lambda a, b: "%.1f%%" % (100.0 * a / b) if b else "-"
extra = " (%d lines flagged)" % alarms if name == "ordinary" else ""
print("%-20s %8d %9d %9s %8s %8s  %s%s" % (name, n, pay, pct(got, pay), pct(q_got, q_pay),
                                           pct(h_got, h_pay), ",".join(scan) or "no", extra))
PY
done
if [ -n "${KEEP:-}" ]; then
    mkdir -p "$KEEP"
    cp "$W"/logs/*.log "$W"/*.hits "$KEEP"/
fi
