#!/bin/sh
# Installs everything the tests need on a fresh machine, then runs every test:
# type checks, unit and integration tests (vitest), and end-to-end tests in Chromium (Playwright).
set -eu

usage() {
  cat <<'USAGE'
Usage: scripts/test.sh [--help]

Installs pnpm, dependencies and Debian's Chromium if missing, then runs the type
checks, every vitest test (the backend suite twice: on SQLite and on the local
PostgreSQL server) and every Playwright end-to-end test. Exits non-zero
if anything fails. Environment: SKIP_E2E=1 skips the browser tests.
USAGE
}
case "${1:-}" in -h|--help) usage; exit 0 ;; esac

ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"
. "$ROOT/scripts/lib/env.sh"

sh scripts/install.sh

if [ "${SKIP_E2E:-0}" != 1 ] && [ ! -x /usr/bin/chromium ]; then
  echo "[test] installing Debian's Chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "[test] Chromium is missing and cannot be installed without root: apt-get install chromium" >&2
    exit 1
  fi
fi

# The backend suite also runs on PostgreSQL, and the multi-instance tests need Redis: start them if they are down.
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "[test] starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
fi
if command -v redis-cli >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "[test] starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no || true
fi

mkdir -p .tmp
echo "[test] type checks"
pnpm -r --workspace-concurrency=1 run typecheck

echo "[test] unit and integration tests"
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json || status=$?

echo "[test] the backend suite and the export script again, on PostgreSQL"
TEST_DATABASE=postgresql pnpm exec vitest run apps/server scripts/research --reporter=default --reporter=json --outputFile.json=.tmp/vitest-postgresql.json || status=$?

e2e_status=0
if [ "${SKIP_E2E:-0}" != 1 ]; then
  echo "[test] end-to-end tests"
  PLAYWRIGHT_JSON_OUTPUT_NAME=.tmp/playwright.json pnpm exec playwright test --reporter=list,json || e2e_status=$?
fi

node scripts/test-summary.mjs .tmp/vitest.json .tmp/vitest-postgresql.json .tmp/playwright.json
[ "$status" -eq 0 ] && [ "$e2e_status" -eq 0 ]
