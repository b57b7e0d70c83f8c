#!/usr/bin/env bash
# Start / stop a throwaway PostgreSQL cluster on 127.0.0.1 for tests and benchmarks.
#   source tools/pg.sh; pg_start; ...; pg_stop
# pg_start exports QUALDESK_TEST_PG_URL (a superuser URL to the "postgres" database).
set -u

_pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] || { echo "PostgreSQL binaries not found (apt-get install postgresql)" >&2; return 1; }
  echo "$d"
}

_pg_free_port() {
  python3 - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

pg_start() {
  local bin
  bin=$(_pg_bin) || return 1
  PGTMP=$(mktemp -d /tmp/qualdesk-pg.XXXXXX)
  export PGTMP
  chmod 755 "$PGTMP"
  local runas=()
  if [ "$(id -u)" = "0" ]; then
    chown postgres:postgres "$PGTMP"
    runas=(runuser -u postgres --)
  fi
  PGPORT_TEST=$(_pg_free_port)
  export PGPORT_TEST
  (cd / && "${runas[@]}" "$bin/initdb" -D "$PGTMP/data" -U postgres -A trust --no-sync >"$PGTMP/initdb.log" 2>&1) \
    || { cat "$PGTMP/initdb.log" >&2; return 1; }
  (cd / && "${runas[@]}" "$bin/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 \
     -o "-c listen_addresses=127.0.0.1 -p $PGPORT_TEST -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
     start >/dev/null) || { cat "$PGTMP/server.log" >&2; return 1; }
  export QUALDESK_TEST_PG_URL="postgresql://postgres@127.0.0.1:$PGPORT_TEST/postgres"
  export QUALDESK_TEST_PG_BIN="$bin"
  export QUALDESK_TEST_PG_DATA="$PGTMP/data"
  echo "PostgreSQL on 127.0.0.1:$PGPORT_TEST ($PGTMP)"
}

pg_stop() {
  [ -n "${PGTMP:-}" ] || return 0
  local bin runas=()
  bin=$(_pg_bin) || return 0
  [ "$(id -u)" = "0" ] && runas=(runuser -u postgres --)
  (cd / && "${runas[@]}" "$bin/pg_ctl" -D "$PGTMP/data" -m fast -w stop >/dev/null 2>&1) || true
  rm -rf "$PGTMP"
  unset PGTMP QUALDESK_TEST_PG_URL
}
