#!/bin/sh
# Consistent online backup of Parley's SQLite database (safe while Parley runs), timestamped, with retention.
set -eu

usage() {
  cat <<'USAGE'
Usage: scripts/backup_db.sh [--dir DIR] [--keep N] [--help]

Writes a consistent copy of the SQLite database (SQLite's VACUUM INTO, safe
while Parley is running and writing) to DIR/parley-YYYYMMDDTHHMMSSZ.db,
verifies it (integrity check, row counts), then deletes the oldest backups so
that N remain.

  --dir DIR   where backups go (default BACKUP_DIR, else <data dir>/backups)
  --keep N    how many backups to keep (default BACKUP_KEEP, else 14)

Daily at 03:15 from cron:
  15 3 * * * PATH=/usr/local/bin:/usr/bin:/bin /path/to/parley/scripts/backup_db.sh >>/path/to/parley/logs/backup.log 2>&1
Copy the backup folder to another machine as well: a backup on the same disk
does not survive that disk. Restore with scripts/restore_db.sh.
For PostgreSQL (DATABASE_URL=postgresql://...) use pg_dump instead.
USAGE
}

DIR_ARG="" KEEP_ARG=""
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --dir) [ $# -ge 2 ] || { usage >&2; exit 2; }; DIR_ARG=$2; shift 2 ;;
    --keep) [ $# -ge 2 ] || { usage >&2; exit 2; }; KEEP_ARG=$2; shift 2 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
. "$ROOT/scripts/lib/env.sh"
. "$ROOT/scripts/ops/lib.sh"
load_config
if [ -n "$DIR_ARG" ]; then BACKUP_DIR=$DIR_ARG; fi
if [ -n "$KEEP_ARG" ]; then BACKUP_KEEP=$KEEP_ARG; fi
case $BACKUP_KEEP in '' | *[!0-9]* | 0) die "--keep / BACKUP_KEEP must be a whole number of at least 1" ;; esac

[ "$DB_KIND" = sqlite ] || die "DATABASE_URL points to PostgreSQL: back it up with pg_dump (see SERVER_SETUP.md)"
[ -f "$DB_FILE" ] || die "no database at $DB_FILE (has Parley been started?)"
mkdir -p "$BACKUP_DIR"

# Names sort by time, which retention relies on; a second backup within the same second waits for the next one.
while :; do
  dest="$BACKUP_DIR/parley-$(date -u +%Y%m%dT%H%M%SZ).db"
  [ -e "$dest" ] || [ -e "$dest.partial" ] || break
  sleep 1
done
say "backing up $DB_FILE"
out=$(node "$ROOT/scripts/ops/sqlite-tool.cjs" backup "$DB_FILE" "$dest") || die "backup failed; nothing was written to $dest"
printf '%s\n' "$out" | sed "s/^/[$SCRIPT_NAME] /"

# Retention: names sort by time; keep the newest BACKUP_KEEP. Half-written *.partial files from a crashed run go too.
rm -f "$BACKUP_DIR"/parley-*.db.partial
count=$(find "$BACKUP_DIR" -maxdepth 1 -name 'parley-*.db' -type f | wc -l | tr -d ' ')
if [ "$count" -gt "$BACKUP_KEEP" ]; then
  find "$BACKUP_DIR" -maxdepth 1 -name 'parley-*.db' -type f | sort | head -n "$((count - BACKUP_KEEP))" |
    while IFS= read -r old; do
      rm -f "$old"
      say "removed old backup $old"
    done
fi
say "done; $(find "$BACKUP_DIR" -maxdepth 1 -name 'parley-*.db' -type f | wc -l | tr -d ' ') backup(s) in $BACKUP_DIR (keeping $BACKUP_KEEP)"
