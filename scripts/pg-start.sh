#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1:${PGPORT:-55432} for the
# tests and prints the DSN to put in CONTEST_TEST_POSTGRES. Needs Debian's
# postgresql package (run as root: initdb runs as the postgres user).
set -euo pipefail
PORT=${PGPORT:-55432}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DIR=${PGDIR:-/tmp/contest-pg}
if runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
  echo "postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"
  exit 0
fi
rm -rf "$DIR"; mkdir -p "$DIR"; chown postgres:postgres "$DIR"
runuser -u postgres -- "$BIN/initdb" -D "$DIR/data" -A trust -U postgres --no-sync >"$DIR/initdb.log" 2>&1
runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" \
  -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" -l "$DIR/log" -w start >/dev/null
echo "postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=disable"
