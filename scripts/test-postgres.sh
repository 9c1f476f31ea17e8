#!/usr/bin/env bash
# Runs the suite on PostgreSQL: creates a throwaway database, runs pytest, drops it.
# Skips (exit 0, with a clear message) only when no PostgreSQL server answers.
# Needs no PostgreSQL client tools: it talks to the server with the venv's psycopg.
set -euo pipefail
PYTEST="$1"; shift || true
PYTHON="$(dirname "$PYTEST")/python"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
DB="regie_ci_$$_$(date +%s)"

admin() {  # admin SQL on the maintenance database
  "$PYTHON" - "$1" <<'PY'
import os, sys
import psycopg
with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=5) as conn:
    conn.execute(sys.argv[1])
PY
}

if ! admin "SELECT 1" 2>/tmp/regie-pg-check.$$; then
  echo "SKIPPED PostgreSQL run: no server answers on $PGHOST:$PGPORT as $PGUSER" >&2
  sed 's/^/  /' /tmp/regie-pg-check.$$ >&2 || true
  rm -f /tmp/regie-pg-check.$$
  exit 0
fi
rm -f /tmp/regie-pg-check.$$
cleanup() {
  admin "DROP DATABASE IF EXISTS \"$DB\"" >/dev/null 2>&1 || true
  admin "DROP DATABASE IF EXISTS \"test_$DB\"" >/dev/null 2>&1 || true
}
trap cleanup EXIT
admin "CREATE DATABASE \"$DB\""
export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB"
echo "PostgreSQL run on database $DB"
"$PYTEST" "$@"
