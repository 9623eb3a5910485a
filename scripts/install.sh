#!/bin/sh
# Installs everything Parley needs on a machine that has only Node 20 and npm:
# pnpm, the workspace's dependencies (better-sqlite3 is compiled from source) and the generated Prisma clients.
set -eu

usage() {
  cat <<'USAGE'
Usage: scripts/install.sh [--help]

Installs pnpm (if missing), all workspace dependencies and the generated
Prisma clients. Safe to run repeatedly; a second run takes a few seconds.
USAGE
}
case "${1:-}" in -h|--help) usage; exit 0 ;; esac

ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"
. "$ROOT/scripts/lib/env.sh"

if ! command -v pnpm >/dev/null 2>&1 || ! pnpm --version 2>/dev/null | grep -q '^10\.'; then
  echo "[install] installing pnpm 10"
  if ! npm install -g pnpm@10.34.8 >/dev/null 2>&1; then
    # No write access to the global prefix (a normal user on a lab server): install into the project.
    npm install --no-save --prefix "$ROOT/.tools" pnpm@10.34.8 >/dev/null
  fi
fi

echo "[install] installing dependencies"
# confirmModulesPurge=false: when node_modules must be recreated (e.g. after a pnpm upgrade), pnpm otherwise
# asks for confirmation and, without a terminal (cron, `ssh host cmd`), aborts the install.
pnpm install --frozen-lockfile --reporter=append-only --config.confirmModulesPurge=false

echo "[install] generating the Prisma client"
pnpm run db:generate
