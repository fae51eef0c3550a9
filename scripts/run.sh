#!/bin/sh
# `make run`: tocsin on the embedded default (SQLite in ./var) with the whole
# job to look at: the demonstration portal in demo/site served by nginx on
# loopback, watched from outside by a monitor, its directory guarded, its
# access log (with a batch of attacks) followed, and a stand-in for the
# office's DingTalk group receiving the notifications. Ctrl-C stops it all.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DATA=${TOCSIN_DATA:-var}
case "$DATA" in /*) ;; *) DATA="$ROOT/$DATA" ;; esac
DEMO="$DATA/demo"
T() { ./tocsin --data "$DATA" "$@"; }

# The first free loopback port from $1 on.
free_port() {
    python3 - "$1" <<'PY'
import socket, sys
p = int(sys.argv[1])
while True:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        s.close()
        print(p)
        break
    except OSError:
        p += 1
PY
}

fresh=0
if [ ! -e "$DATA/tocsin.db" ]; then
    T init --org "示范开发区管委会"
    fresh=1
fi
mkdir -p "$DEMO/nginx/tmp" "$DEMO/notifications"
if [ "$fresh" = 1 ]; then
    # The duty officer of the demonstration; the walk-through acts as them.
    T user add zhiban --role officer --display 值班员 >/dev/null
    T user email zhiban zhiban@example.gov.cn >/dev/null
    T asset add 门户网站 --kind portal --importance core --department 办公室 --as admin >/dev/null
    T asset add OA系统 --kind oa --importance core --department 办公室 --as admin >/dev/null
    cat >>"$DATA/tocsin.conf" <<CONF

# Added by make run: the demonstration portal's web root and access log.
[guard]
protect = $ROOT/demo/site@门户网站
mode = restore

[logwatch]
logs = $DEMO/access.log@门户网站
CONF
    T notify channel add 演示群 --kind webhook --as admin \
        --config '{"url":"http://127.0.0.1:9/"}' >/dev/null
    for t in incident proposal warning; do
        T notify route add --trigger "$t" --channel 演示群 --as admin >/dev/null
    done
    T notify route add --trigger escalation --tier 1 --channel 演示群 --as admin >/dev/null
fi

pids=""
cleanup() {
    trap - INT TERM EXIT
    # some have ended already (the attack writer): their kill fails, harmlessly
    # shellcheck disable=SC2086
    kill $pids 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# The demonstration portal, served by nginx from demo/site.
WEB_PORT=$(free_port 18081)
user=""
[ "$(id -u)" -eq 0 ] && user="user root;"
cat >"$DEMO/nginx/nginx.conf" <<CONF
$user
worker_processes 1;
pid $DEMO/nginx/nginx.pid;
error_log $DEMO/nginx/error.log;
daemon off;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    charset utf-8;
    access_log $DEMO/access.log combined;
    client_body_temp_path $DEMO/nginx/tmp/body;
    proxy_temp_path $DEMO/nginx/tmp/proxy;
    fastcgi_temp_path $DEMO/nginx/tmp/fastcgi;
    uwsgi_temp_path $DEMO/nginx/tmp/uwsgi;
    scgi_temp_path $DEMO/nginx/tmp/scgi;
    server { listen 127.0.0.1:$WEB_PORT; root $ROOT/demo/site; }
}
CONF
/usr/sbin/nginx -c "$DEMO/nginx/nginx.conf" -e "$DEMO/nginx/error.log" &
pids="$pids $!"

# The stand-in for the office's group chat: every notification lands in
# $DEMO/notifications/http.jsonl.
HOOK_PORT=$(free_port 18091)
rm -f "$DEMO/notifications/http.port" "$DEMO/notifications/smtp.port"
python3 tests/tools/sink.py "$DEMO/notifications" --port "$HOOK_PORT" &
pids="$pids $!"
T notify channel edit 演示群 --as admin \
    --config "{\"url\":\"http://127.0.0.1:$HOOK_PORT/hook\"}" >/dev/null

# The monitor of the portal follows it to whichever port it got.
URL="http://127.0.0.1:$WEB_PORT/"
mon=$(sqlite3 "$DATA/tocsin.db" "SELECT id FROM monitors WHERE asset = '门户网站' ORDER BY id LIMIT 1")
if [ -z "$mon" ]; then
    T monitor add "$URL" --asset 门户网站 --interval 30 --retries 1 --as zhiban >/dev/null
elif [ "$(sqlite3 "$DATA/tocsin.db" "SELECT url FROM monitors WHERE id = $mon")" != "$URL" ]; then
    T monitor edit "$mon" --url "$URL" --relearn --as zhiban >/dev/null
fi

# The portal's web root is backed up daily and whenever an incident on it
# opens (H-4); tocsin's own data is the job 'tocsin'. Archives in $DATA/backups.
if [ -z "$(sqlite3 "$DATA/tocsin.db" "SELECT 1 FROM backup_jobs WHERE name = 'demo-site'")" ]; then
    T backup add demo-site --path "$ROOT/demo/site" --dest "$(cd "$DATA" && pwd)/backups" --asset 门户网站 \
        --on-incident --as zhiban >/dev/null
fi

T audit verify >/dev/null
admin=$(sqlite3 "$DATA/tocsin.db" "SELECT name FROM users WHERE role = 'admin' ORDER BY id LIMIT 1")
[ "$fresh" = 1 ] || echo "user: $admin"
echo "demo portal: $URL (web root demo/site, guarded; access log $DEMO/access.log)"
echo "notifications: $DEMO/notifications/http.jsonl"
echo "try: echo hacked > demo/site/index.html; ./tocsin --data $DATA triage list --as zhiban"

# A batch of attacks in the portal's access log, a few seconds after start.
(
    sleep 4
    now=$(LC_ALL=C date +'%d/%b/%Y:%H:%M:%S %z')
    sed "s|@TIME@|$now|" demo/attacks.log >>"$DEMO/access.log"
) &
pids="$pids $!"

./tocsin --data "$DATA" serve &
SERVE=$!
pids="$pids $SERVE"
wait "$SERVE"
