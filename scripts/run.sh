#!/bin/sh
# `make run`: tocsin on the embedded default, a data directory in ./var.
set -eu
cd "$(dirname "$0")/.."
DATA=${TOCSIN_DATA:-var}
if [ ! -e "$DATA/tocsin.db" ]; then
    ./tocsin init --data "$DATA" --org "示范单位"
else
    echo "using the data directory $DATA (created earlier; its admin password was shown then)"
fi
./tocsin --data "$DATA" user list
./tocsin --data "$DATA" audit verify
echo "next: ./tocsin --data $DATA user add NAME --role officer; ./tocsin --data $DATA audit list"
