#!/bin/sh
# Exports the research data (JSONL or CSV) from Parley's database, streamed, without the web page.
set -eu

usage() {
  cat <<'USAGE'
Usage: scripts/export.sh [--format jsonl|csv] [--study ID] [--condition NAME]
                         [--from DATE] [--to DATE] [--pseudonymize] [--out FILE]

Writes the collected conversations of every study (or of --study ID) to FILE,
or to standard output. The records are those of GET /api/research/export and
are described in docs/export-schema.json (schemaVersion in every record).

  --format jsonl   one record per line: participants first, then one
                   conversation per line with its messages, feedback and events
  --format csv     one row per message (formulas neutralised for spreadsheets)
  --study ID       only this study (default: everything)
  --condition NAME only participants in this condition
  --from DATE      conversations started on or after DATE (2026-05-01 or an
  --to DATE        ISO date-time), and before DATE
  --pseudonymize   replace participant ids by HMAC-SHA256 pseudonyms keyed with
                   EXPORT_SALT (set it once in .env to keep them stable)
  --out FILE       write FILE (mode 600; complete or not there at all)

DATABASE_URL and EXPORT_SALT are read like the backend reads them: the
environment first, then .env in the Parley folder. Safe while Parley runs.
USAGE
}
case "${1:-}" in -h|--help) usage; exit 0 ;; esac

ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
. "$ROOT/scripts/lib/env.sh"
command -v node >/dev/null 2>&1 || { echo "export: node is not on PATH" >&2; exit 1; }
[ -d "$ROOT/apps/server/node_modules" ] || { echo "export: dependencies are missing: run scripts/install.sh" >&2; exit 1; }

# tsx runs the backend's TypeScript (and Prisma's generated client) as the backend does.
exec node --import "$(node -p "require('url').pathToFileURL(require.resolve('tsx', { paths: [process.argv[1]] })).href" "$ROOT")" \
  "$ROOT/scripts/research/export.ts" "$@"
