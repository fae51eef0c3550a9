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
_tn=0

ok() { _tn=$((_tn + 1)); echo "ok $_tn - $1"; }
not_ok() {
    _tn=$((_tn + 1))
    echo "not ok $_tn - $1"
    shift
    for f in "$@"; do [ -f "$f" ] && awk '{print "#   " $0}' "$f"; done
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

# wait_for 'shell condition' [tenths]: polls until true (default at most 10 s).
wait_for() {
    i=0
    while ! eval "$1" && [ $i -lt "${2:-100}" ]; do sleep 0.1; i=$((i + 1)); done
    eval "$1"
}

# dbsum DIR: a digest of everything the database holds, to show nothing changed.
dbsum() {
    sqlite3 "$1/tocsin.db" .dump | sha256sum | cut -d' ' -f1
}

# serve_start: starts `tocsin serve` on a free loopback port with $TOCSIN_DATA,
# waits (at most 10 s) until it answers, and sets $BASE and $SERVER_PID.
serve_start() {
    rm -f "$T/port"
    TOCSIN_QUIET=1 "$TOCSIN" serve --listen 127.0.0.1:0 --port-file "$T/port" \
        >"$T/serve.out" 2>"$T/serve.err" &
    SERVER_PID=$!
    trap 'kill $SERVER_PID 2>/dev/null; [ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT
    i=0
    while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    BASE="http://127.0.0.1:$(cat "$T/port" 2>/dev/null)"
    curl -s -o /dev/null --max-time 5 "$BASE/healthz"
}

# serve_stop: SIGTERM, then wait (at most 10 s); $stop_rc is the server's exit status.
serve_stop() {
    kill -TERM "$SERVER_PID" 2>/dev/null
    i=0
    while kill -0 "$SERVER_PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    wait "$SERVER_PID" 2>/dev/null
    stop_rc=$?
}

# http METHOD PATH [JSON] [curl options…]: the answer's body in $OUT, headers in
# $HDR, status in $code. Sends the cookie jar $JAR and, when $CSRF is set, the header.
http() {
    m=$1 p=$2
    shift 2
    body=""
    if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then body=$1; shift; fi
    set -- -s --max-time 10 -X "$m" -o "$OUT" -D "$HDR" -w '%{http_code}' "$@"
    [ -n "${JAR:-}" ] && set -- "$@" -b "$JAR" -c "$JAR"
    [ -n "${CSRF:-}" ] && set -- "$@" -H "X-CSRF-Token: $CSRF"
    [ -n "$body" ] && set -- "$@" -H 'Content-Type: application/json' --data-binary "$body"
    code=$(curl "$@" "$BASE$p")
}
HDR="$T/.hdr"

# status WANT WHAT: the last http call answered WANT.
status() {
    if [ "$code" = "$1" ]; then ok "$2"; else not_ok "$2 (HTTP $code, wanted $1)" "$OUT"; fi
}

# nginx_start ROOT: nginx from Debian on a free loopback port serving ROOT,
# with the probe tests' special places: cloaking by agent and referer, an
# endless redirect, a slow drip, a 500, and files from $T (big, bomb, deep).
# Sets $WEB (http://127.0.0.1:PORT) and $WEB_PORT; with $TLS_CERT and
# $TLS_KEY set, also https on $WEBS_PORT. Stopped on exit.
nginx_start() {
    _root=$1
    mkdir -p "$T/nginx/logs" "$T/nginx/tmp"
    _user=""
    [ "$(id -u)" -eq 0 ] && _user="user root;"
    for _try in 1 2 3 4 5 6 7 8 9 10; do
        WEB_PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
        WEBS_PORT=$((WEB_PORT + 1))
        _tls=""
        if [ -n "${TLS_CERT:-}" ]; then
            _tls="server { listen 127.0.0.1:$WEBS_PORT ssl; ssl_certificate $TLS_CERT;
                   ssl_certificate_key $TLS_KEY; root $_root; }"
        fi
        cat >"$T/nginx/nginx.conf" <<CONF
$_user
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/logs/error.log;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log ${NGINX_ACCESS_LOG:-off};
    client_body_temp_path $T/nginx/tmp/body;
    proxy_temp_path $T/nginx/tmp/proxy;
    fastcgi_temp_path $T/nginx/tmp/fastcgi;
    uwsgi_temp_path $T/nginx/tmp/uwsgi;
    scgi_temp_path $T/nginx/tmp/scgi;
    map \$http_user_agent \$crawler { default 0; ~*(baiduspider|sogou|360spider|googlebot) 1; }
    server {
        listen 127.0.0.1:$WEB_PORT;
        root $_root;
        location = /cloak-ua.html {
            if (\$crawler) { rewrite ^ /attack/cloak-crawler.html break; }
            rewrite ^ /benign/portal.html break;
        }
        location = /cloak-referer.html {
            if (\$http_referer ~* baidu) { return 302 http://localhost:$WEB_PORT/attack/gamble.html; }
            rewrite ^ /benign/portal.html break;
        }
        location = /loop { return 302 /loop; }
        location = /500 { return 500; }
        location = /slow.html { limit_rate 10; rewrite ^ /benign/portal.html break; }
        location = /gbk-header.html { charset gbk; source_charset gbk; default_type "text/html; charset=gbk"; rewrite ^ /benign/portal-gbk.html break; }
        location /t/ { alias $T/www/; }
        location = /t/bomb.html { alias $T/www/bomb.gz; default_type text/html; add_header Content-Encoding gzip; }
        location = /t/binary.bin { alias $T/www/binary.bin; default_type application/octet-stream; }
    }
    $_tls
}
CONF
        if /usr/sbin/nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" 2>"$T/nginx/start.err"; then
            WEB="http://127.0.0.1:$WEB_PORT"
            trap 'kill $(cat "$T/nginx/nginx.pid" 2>/dev/null) 2>/dev/null; [ -n "${SERVER_PID:-}" ] && kill $SERVER_PID 2>/dev/null; [ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT
            return 0
        fi
    done
    echo "nginx did not start:" >&2
    cat "$T/nginx/start.err" >&2
    return 1
}
