#!/bin/sh
# `make run`: tocsin on the embedded default, a data directory in ./var, serving
# its API on the configured address (127.0.0.1:8080) until Ctrl-C.
set -eu
cd "$(dirname "$0")/.."
DATA=${TOCSIN_DATA:-var}
if [ ! -e "$DATA/tocsin.db" ]; then
    ./tocsin init --data "$DATA" --org "示范单位"
else
    admin=$(sqlite3 "$DATA/tocsin.db" "SELECT name FROM users WHERE role = 'admin' ORDER BY id LIMIT 1" 2>/dev/null || echo admin)
    echo "user: $admin"
    echo "(the data directory $DATA exists; its admin password was shown when it was created)"
fi
./tocsin --data "$DATA" audit verify
echo "sign in: curl -c jar -d '{\"name\":\"USER\",\"password\":\"PASSWORD\"}' http://127.0.0.1:PORT/api/v1/session"
exec ./tocsin --data "$DATA" serve
