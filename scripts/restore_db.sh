#!/bin/sh
# Replaces Parley's SQLite database with a backup made by backup_db.sh. Parley must be stopped.
set -eu

usage() {
  cat <<'USAGE'
Usage: scripts/restore_db.sh BACKUP_FILE [--help]

Restores BACKUP_FILE (from scripts/backup_db.sh) as Parley's SQLite database.
Parley must be stopped first (scripts/stop_services.sh); the script refuses
while anything answers on the backend port or pm2 runs the backend.

The backup is integrity-checked before anything changes. The current database
is kept next to it as parley.db.before-restore-<time> (its WAL folded in
first), and stale -wal/-shm files are removed so they cannot be replayed into
the restored file. Then start again with scripts/start_services.sh, which also
applies any migrations the backup predates.
USAGE
}
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  '') usage >&2; exit 2 ;;
esac
[ $# -eq 1 ] || { usage >&2; exit 2; }
BACKUP_FILE=$1
case $BACKUP_FILE in /*) ;; *) BACKUP_FILE="$(pwd)/$BACKUP_FILE" ;; esac

ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
. "$ROOT/scripts/lib/env.sh"
. "$ROOT/scripts/ops/lib.sh"
load_config

[ "$DB_KIND" = sqlite ] || die "DATABASE_URL points to PostgreSQL: restore it with pg_restore / psql"
[ -f "$BACKUP_FILE" ] || die "no backup file at $BACKUP_FILE"

acquire_lock 600 || die "another start, stop or monitor run holds $LOCK_PATH"
pm2_snapshot
if app_info "$BACKEND_APP" && [ "$APP_STATUS" != stopped ] && [ "$APP_STATUS" != errored ]; then
  die "pm2 runs the backend ($APP_STATUS, pid $APP_PID): run scripts/stop_services.sh first"
fi
if app_port_open backend; then
  die "something answers on the backend port $BACKEND_PORT (keep_alive.sh? another copy?): stop it first"
fi
if [ -n "$(orphan_pids "$BACKEND_APP")" ]; then
  die "a backend left by a dead pm2 daemon is still running: run scripts/stop_services.sh first"
fi

out=$(node "$ROOT/scripts/ops/sqlite-tool.cjs" restore "$BACKUP_FILE" "$DB_FILE") || die "restore failed (message above)"
printf '%s\n' "$out" | sed "s/^/[$SCRIPT_NAME] /"
say "done; start Parley with scripts/start_services.sh"
