#!/usr/bin/env bash
# Runs the suite on PostgreSQL: creates a throwaway database, runs pytest, drops it.
# Skips (exit 0, with a clear message) only when no PostgreSQL server answers.
set -euo pipefail
PYTEST="$1"; shift || true
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
if ! pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; then
  echo "SKIPPED PostgreSQL run: no server answers on $PGHOST:$PGPORT" >&2
  exit 0
fi
DB="regie_ci_$$_$(date +%s)"
export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB"
cleanup() {
  psql -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres \
    -c "DROP DATABASE IF EXISTS \"$DB\"" -c "DROP DATABASE IF EXISTS \"test_$DB\"" >/dev/null 2>&1 || true
}
trap cleanup EXIT
psql -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -c "CREATE DATABASE \"$DB\"" >/dev/null
echo "PostgreSQL run on database $DB"
"$PYTEST" "$@"
