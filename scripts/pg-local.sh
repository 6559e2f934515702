#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests (Debian's postgresql package) and prints
# the URL to use as TEST_DATABASE_URL. Idempotent: reuses a running cluster.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PGBIN" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
DIR=${PGLOCAL_DIR:-/tmp/censorscope-pg}
PORT=${PGLOCAL_PORT:-55432}
RUNAS=postgres
id "$RUNAS" >/dev/null 2>&1 || RUNAS=$(id -un)
as() { if [ "$(id -un)" = "$RUNAS" ]; then "$@"; else su "$RUNAS" -s /bin/bash -c "$(printf '%q ' "$@")"; fi; }
if ! as "$PGBIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
  if [ ! -f "$DIR/PG_VERSION" ]; then
    mkdir -p "$DIR"; chown "$RUNAS" "$DIR"
    as "$PGBIN/initdb" -D "$DIR" -U censorscope --auth=trust -E UTF8 >/dev/null
    cat >> "$DIR/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 256MB
CONF
  fi
  as "$PGBIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w start >/dev/null
fi
as "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U censorscope -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='censorscope'" | grep -q 1 \
  || as "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U censorscope censorscope
echo "postgres://censorscope@127.0.0.1:$PORT/censorscope"
