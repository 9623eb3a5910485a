#!/bin/sh
# Keeps Parley's backend (and optionally the frontend server) running without pm2: a foreground loop that
# restarts an app when it exits or stops answering its health check. For machines where pm2 is unwanted.
set -eu

usage() {
  cat <<'USAGE'
Usage: scripts/keep_alive.sh [--with-frontend] [--help]

Runs the backend in the foreground without pm2 and keeps it running:
  - when it exits, it is started again after a pause that doubles from 1 s up
    to 60 s while it keeps crashing (reset after 60 s of uptime);
  - every KEEPALIVE_INTERVAL_SECONDS (10) its health URL is checked; after 3
    failures in a row it is stopped (SIGTERM, SIGKILL after the shutdown
    timeout) and started again.
--with-frontend also runs and watches the frontend server (needs a web build:
pnpm --filter @parley/web build).

App output is appended to logs/backend.log and logs/frontend.log; keep_alive's
own events (starts, exits, restarts) go to logs/keep_alive.log, to the app's
log, and to the terminal. Logs are rotated by size like the monitor does.
Ctrl-C or SIGTERM stops the apps gracefully, then exits.

Refuses to start while pm2 (this PM2_HOME) runs Parley or the port is in use:
use either pm2 (start_services.sh + monitor_services.sh) or this loop, not both.
To keep it running after logout: nohup scripts/keep_alive.sh >/dev/null 2>&1 &
USAGE
}

APPS=backend
for arg in "$@"; do
  case $arg in
    -h | --help) usage; exit 0 ;;
    --with-frontend) APPS="backend frontend" ;;
    *) echo "unknown option: $arg" >&2; usage >&2; exit 2 ;;
  esac
done

ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"
. "$ROOT/scripts/lib/env.sh"
. "$ROOT/scripts/ops/lib.sh"
load_config
INTERVAL=$KEEPALIVE_INTERVAL_SECONDS
KA_LOG="$LOG_DIR/keep_alive.log"

event() { # $1: app (or -), rest: message. Timestamped, to keep_alive.log, the app's log and the terminal.
  _app=$1
  shift
  _line="$(now_iso) keep_alive: $*"
  printf '%s\n' "$_line" >>"$KA_LOG"
  if [ "$_app" != - ]; then printf '%s\n' "$_line" >>"$(app_log "$_app")"; fi
  printf '%s\n' "$_line"
}

[ -d "$ROOT/node_modules" ] || die "dependencies are missing: run scripts/install.sh"
case " $APPS " in *" frontend "*)
  [ -f "$ROOT/apps/web/dist/index.html" ] || die "no web build: run pnpm --filter @parley/web build" ;;
esac
pm2_snapshot
for app in $APPS; do
  if app_info "$(app_pm2_name "$app")" && [ "$APP_STATUS" = online ]; then
    die "pm2 already runs $app (pid $APP_PID): use pm2 or keep_alive.sh, not both (scripts/stop_services.sh stops pm2's)"
  fi
  if app_port_open "$app"; then die "port $(app_port "$app") is already in use: is Parley already running?"; fi
done

# Per-app state lives in variables named <field>_<app>.
get() { eval "printf '%s' \"\${$1_$2}\""; }
put() { eval "$1_$2=\$3"; }
for app in $APPS; do
  put PID "$app" 0
  put STARTED "$app" 0
  put NEXT "$app" 0
  put DELAY "$app" 1
  put FAILS "$app" 0
  put CMD "$app" "$(node "$ROOT/scripts/ops/app-command.cjs" "$(app_pm2_name "$app")")"
done

start_app() {
  _cmd=$(get CMD "$1")
  sh -c "$_cmd" >>"$(app_log "$1")" 2>&1 </dev/null &
  put PID "$1" $!
  put STARTED "$1" "$(date +%s)"
  put FAILS "$1" 0
  event "$1" "started $1 (pid $!) on port $(app_port "$1")"
}

# Stops app $1: SIGTERM, then SIGKILL after the shutdown timeout. Returns once it is gone.
stop_app() {
  _pid=$(get PID "$1")
  [ "$_pid" != 0 ] || return 0
  kill -TERM "$_pid" 2>/dev/null || true
  _deadline=$(($(date +%s) + KILL_TIMEOUT_MS / 1000))
  while pid_alive "$_pid" && [ "$(date +%s)" -lt "$_deadline" ]; do sleep 0.2; done
  if pid_alive "$_pid"; then
    event "$1" "$1 (pid $_pid) ignored SIGTERM for $((KILL_TIMEOUT_MS / 1000)) s: killing it"
    kill -KILL "$_pid" 2>/dev/null || true
  fi
  _code=0
  wait "$_pid" 2>/dev/null || _code=$?
  put PID "$1" 0
  return 0
}

STOPPING=""
SLEEPER=""
on_signal() {
  STOPPING=yes
  if [ -n "$SLEEPER" ]; then kill "$SLEEPER" 2>/dev/null || true; fi
}
trap on_signal INT TERM
# Whatever ends this script (signal or error), the apps must not outlive it.
cleanup() {
  for app in $APPS; do stop_app "$app"; done
}
trap cleanup EXIT

event - "supervising: $APPS (check every ${INTERVAL}s; logs in $LOG_DIR)"
for app in $APPS; do start_app "$app"; done

last_check=$(date +%s)
last_rotate=$(date +%s)
while [ -z "$STOPPING" ]; do
  now=$(date +%s)
  for app in $APPS; do
    [ -z "$STOPPING" ] || break
    pid=$(get PID "$app")
    if [ "$pid" != 0 ] && ! pid_alive "$pid"; then
      code=0
      wait "$pid" 2>/dev/null || code=$?
      up=$((now - $(get STARTED "$app")))
      # Crash loops back off (1 s doubling to 60 s); an app that ran for a minute starts over at 1 s.
      if [ "$up" -ge 60 ]; then put DELAY "$app" 1; fi
      delay=$(get DELAY "$app")
      event "$app" "$app (pid $pid) exited with code $code after $(human_duration "$up"); restarting in ${delay}s"
      put PID "$app" 0
      put NEXT "$app" $((now + delay))
      next_delay=$((delay * 2))
      if [ "$next_delay" -gt 60 ]; then next_delay=60; fi
      put DELAY "$app" "$next_delay"
    elif [ "$pid" = 0 ] && [ "$now" -ge "$(get NEXT "$app")" ]; then
      start_app "$app"
    fi
  done

  if [ $((now - last_check)) -ge "$INTERVAL" ] && [ -z "$STOPPING" ]; then
    last_check=$now
    for app in $APPS; do
      pid=$(get PID "$app")
      # A freshly started app gets 30 s before its health counts.
      if [ "$pid" = 0 ] || [ $((now - $(get STARTED "$app"))) -lt 30 ]; then continue; fi
      if app_healthy "$app"; then
        put FAILS "$app" 0
        put DELAY "$app" 1
      else
        fails=$(($(get FAILS "$app") + 1))
        put FAILS "$app" "$fails"
        event "$app" "$app (pid $pid) failed its health check ($fails/3)"
        if [ "$fails" -ge 3 ]; then
          event "$app" "restarting $app (pid $pid): unhealthy"
          stop_app "$app"
          start_app "$app"
        fi
      fi
    done
  fi

  if [ $((now - last_rotate)) -ge 60 ]; then
    last_rotate=$now
    # The apps keep their log files open: copy-and-truncate, never rename.
    for f in "$LOG_DIR/backend.log" "$LOG_DIR/frontend.log" "$KA_LOG"; do rotate_log "$f" copytruncate || true; done
    compress_rotated
  fi

  sleep 1 &
  SLEEPER=$!
  wait "$SLEEPER" 2>/dev/null || true
  SLEEPER=""
done

event - "stopping: $APPS"
cleanup
trap - EXIT
event - "stopped"
