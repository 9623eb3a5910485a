#!/bin/sh
# Starts Parley under pm2 (backend + frontend server) and waits until both answer their health checks.
# Safe to run again at any time: an app that is healthy and up to date is left alone (same pid);
# an app whose code, .env or pm2 definition changed is restarted; a missing one is started.
set -eu

usage() {
  cat <<'USAGE'
Usage: scripts/start_services.sh [--restart] [--skip-install] [--skip-build] [--help]

Starts the Parley backend (BACKEND_PORT, default 8000) and frontend server
(FRONTEND_PORT, default 3000) under pm2, then waits for GET /health and
GET /healthz to answer 200.

Steps: install dependencies if pnpm-lock.yaml or the Prisma schema changed
(scripts/install.sh); build the web client if its sources are newer than the
build; apply database migrations; start each app that is not running, restart
each app whose code, .env or definition changed, leave healthy up-to-date apps
alone. Re-enables monitor_services.sh after stop_services.sh.

  --restart       restart both apps even if nothing changed
  --skip-install  never run scripts/install.sh
  --skip-build    never build the web client
  -h, --help      show this help

Exits non-zero, printing the end of the app's log, when an app does not become
healthy within START_TIMEOUT_SECONDS (default 90). Settings: environment, then
.env at the repository root (see SERVER_SETUP.md).
USAGE
}

FORCE_RESTART="" SKIP_INSTALL="" SKIP_BUILD=""
for arg in "$@"; do
  case $arg in
    -h | --help) usage; exit 0 ;;
    --restart) FORCE_RESTART=yes ;;
    --skip-install) SKIP_INSTALL=yes ;;
    --skip-build) SKIP_BUILD=yes ;;
    *) echo "unknown option: $arg" >&2; usage >&2; exit 2 ;;
  esac
done

ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"
. "$ROOT/scripts/lib/env.sh"
. "$ROOT/scripts/ops/lib.sh"
load_config

acquire_lock 600 || die "another start, stop or monitor run has held $LOCK_PATH for 10 minutes"
# The operator wants Parley running again: the monitor may act from now on.
rm -f "$STOP_MARKER"

# ------------------------------------------------------------------------------------------ 1. install
needs_install() {
  [ -x "$ROOT/node_modules/.bin/pm2" ] || return 0
  command -v pnpm >/dev/null 2>&1 || return 0
  # pnpm keeps a copy of the lockfile it installed; a pulled lockfile that differs means new dependencies.
  cmp -s "$ROOT/pnpm-lock.yaml" "$ROOT/node_modules/.pnpm/lock.yaml" || return 0
  _client=$(find "$ROOT/apps/server/src/db/generated" -name client.ts 2>/dev/null | head -n 1)
  [ -n "$_client" ] || return 0
  [ -z "$(find "$ROOT/prisma/schema.prisma" -newer "$_client")" ] || return 0
  return 1
}
if [ -z "$SKIP_INSTALL" ] && needs_install; then
  say "installing dependencies (scripts/install.sh)"
  sh "$ROOT/scripts/install.sh" || die "installation failed (output above)"
fi
[ -x "$PM2_BIN" ] || die "dependencies are missing: run $ROOT/scripts/install.sh"

# ------------------------------------------------------------------------------------------ 2. build
WEB_INDEX="$ROOT/apps/web/dist/index.html"
BUILT=""
web_build_stale() {
  [ -f "$WEB_INDEX" ] || return 0
  [ -n "$(find "$ROOT/apps/web" "$ROOT/packages" "$ROOT/pnpm-lock.yaml" \
    \( -name node_modules -o -name dist \) -prune -o -type f -newer "$WEB_INDEX" -print 2>/dev/null | head -n 1)" ]
}
if [ -z "$SKIP_BUILD" ] && web_build_stale; then
  say "building the web client (output in $LOG_DIR/build.log)"
  _t0=$(date +%s)
  if ! pnpm --filter @parley/web build >"$LOG_DIR/build.log" 2>&1; then
    tail -n 30 "$LOG_DIR/build.log" >&2
    die "the web client did not build (full output: $LOG_DIR/build.log)"
  fi
  say "built in $(($(date +%s) - _t0))s"
  BUILT=yes
fi
[ -f "$WEB_INDEX" ] || die "no web build at $WEB_INDEX (run without --skip-build)"

# ------------------------------------------------------------------------------------------ 3. migrate
# The backend also migrates at start; doing it here first stops an upgrade with a clear message before
# any running app is touched.
if [ "$DB_KIND" = sqlite ]; then
  say "applying database migrations to $DB_FILE"
  _out=$(DATABASE_URL="file:$DB_FILE" pnpm --silent db:migrate 2>&1) || {
    printf '%s\n' "$_out" >&2
    die "database migration failed"
  }
else
  say "applying database migrations (PostgreSQL)"
  _out=$(pnpm --silent db:migrate 2>&1) || {
    printf '%s\n' "$_out" >&2
    die "database migration failed"
  }
fi
printf '%s\n' "$_out" | tail -n 1 | sed "s/^/[$SCRIPT_NAME]   /"

# ------------------------------------------------------------------------------------------ 4. start or restart
# A pm2 daemon left running after .pm2 was deleted keeps restarting its own copies: stop it first.
strays=$(stop_stray_daemons)
if [ -n "$strays" ]; then say "stopped pm2 daemon pid $strays, left running after $PM2_HOME was deleted or recreated"; fi
pm2_snapshot
for app in backend frontend; do
  name=$(app_pm2_name "$app")
  # Absent or stopped for good: whatever listens on the port is not this app. (While pm2 is restarting
  # an app, its own process may already be listening.)
  if ! app_info "$name" || [ "$APP_STATUS" = stopped ] || [ "$APP_STATUS" = errored ]; then
    # Left running by a pm2 daemon that died: ours, but unsupervised; stop it so pm2 can start it properly.
    orphans=$(stop_orphans "$name")
    if [ -n "$orphans" ]; then say "$app: stopped pid $orphans, left running by a pm2 daemon that died"; fi
    # Never start a second copy next to something that already serves this port.
    if app_port_open "$app"; then
      warn "port $(app_port "$app") is already in use by a process this pm2 (PM2_HOME=$PM2_HOME) does not manage:"
      if command -v ss >/dev/null 2>&1; then ss -ltnp "sport = :$(app_port "$app")" >&2 || true; fi
      die "stop that process, or choose another port (BACKEND_PORT / FRONTEND_PORT)"
    fi
  fi
done

start_or_restart() { # $1: backend|frontend
  _app=$1
  _name=$(app_pm2_name "$_app")
  _want=$(expected_release "$_name")
  if ! app_info "$_name"; then
    say "$_app: starting"
    pm2_start_app "$_name"
    return
  fi
  _why=""
  if [ -n "$FORCE_RESTART" ]; then _why="--restart given"
  elif [ "$APP_STATUS" != online ]; then _why="pm2 status was $APP_STATUS"
  elif [ "$APP_RELEASE" != "$_want" ]; then _why="code, .env or definition changed"
  elif [ "$_app" = frontend ] && [ -n "$BUILT" ]; then _why="new web build"
  elif ! app_healthy "$_app"; then _why="it failed its health check"
  fi
  if [ -z "$_why" ]; then
    say "$_app: already running and up to date (pid $APP_PID, up $(human_duration "$APP_UPTIME")): left alone"
    return
  fi
  say "$_app: restarting ($_why)"
  # delete + start (not `pm2 restart`) so that a changed definition in ecosystem.config.cjs takes effect.
  # delete stops gracefully: SIGINT, then SIGKILL only after kill_timeout.
  pm2_cli delete "$_name" >/dev/null
  pm2_start_app "$_name"
}
start_or_restart backend
start_or_restart frontend

# ------------------------------------------------------------------------------------------ 5. wait for health
failed=""
for app in backend frontend; do
  WAIT_FAILURE=""
  if wait_healthy "$app" "$START_TIMEOUT_SECONDS"; then
    say "$app: healthy at $(app_check_url "$app")"
  else
    warn "$app: not healthy at $(app_check_url "$app") (HTTP $(app_http_code "$app"))${WAIT_FAILURE:+: $WAIT_FAILURE}"
    warn "last lines of $(app_log "$app"):"
    tail -n 40 "$(app_log "$app")" 2>/dev/null | sed 's/^/    /' >&2 || true
    failed="$failed $app"
  fi
done
if [ -n "$failed" ]; then
  die "not healthy:$failed. Logs: $LOG_DIR; status: scripts/status_services.sh"
fi

pm2_snapshot
app_info "$BACKEND_APP" || true
_bpid=$APP_PID
app_info "$FRONTEND_APP" || true
say "Parley is up: open http://<this-host>:$FRONTEND_PORT (backend pid $_bpid, frontend pid $APP_PID; logs in $LOG_DIR)"
