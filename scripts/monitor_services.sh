#!/bin/sh
# Cron health check (every five minutes): restarts only what is unhealthy, never starts a second copy,
# rotates the logs, and appends one line per check to logs/monitor.log.
set -eu

usage() {
  cat <<'USAGE'
Usage: scripts/monitor_services.sh [--help]

Checks the backend (GET /health) and the frontend (GET /healthz) and repairs
only what is unhealthy:
  - healthy                         -> nothing is touched ("ok")
  - pm2 is already restarting it    -> waits MONITOR_GRACE_SECONDS (20) for it ("recovered")
  - unhealthy but known to pm2      -> pm2 restart ("restarted")
  - unknown to pm2 / pm2 not running (e.g. after a reboot) -> started ("started")
  - still running from a pm2 daemon that died -> stopped gracefully and
    started again under pm2 ("started", noting the orphan's pid)
  - port served by something pm2 does not manage -> left alone, never a second
    copy ("unmanaged" when it is healthy, "FAILED" when it is not)
Afterwards it rotates logs over LOG_MAX_BYTES (20 MiB), keeping LOG_KEEP (5)
compressed generations.

One line per check goes to logs/monitor.log (also to the terminal when run by
hand). Overlapping runs are prevented with a lock: a run that finds the lock
taken logs "skipped" and exits. After stop_services.sh it only logs "paused".
Exit status: 0 when everything is healthy at the end, 1 otherwise.

Cron (crontab -e), with PATH so cron finds node:
  */5 * * * * PATH=/usr/local/bin:/usr/bin:/bin /path/to/parley/scripts/monitor_services.sh
USAGE
}
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  '') ;;
  *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
esac

ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"
. "$ROOT/scripts/lib/env.sh"
. "$ROOT/scripts/ops/lib.sh"
load_config
MONITOR_LOG="$LOG_DIR/monitor.log"

record() { # one line per check: <UTC time> <what> <result> <details>
  _line="$(now_iso) $*"
  printf '%s\n' "$_line" >>"$MONITOR_LOG"
  if [ -t 1 ]; then printf '%s\n' "$_line"; fi
}

if ! acquire_lock 0; then
  record "monitor skipped another start, stop or monitor run holds the lock"
  exit 0
fi
if [ -f "$STOP_MARKER" ]; then
  record "monitor paused $(head -n 1 "$STOP_MARKER" 2>/dev/null); run scripts/start_services.sh to resume"
  exit 0
fi

SNAPSHOT_TAKEN=""
snapshot_once() {
  if [ -z "$SNAPSHOT_TAKEN" ]; then
    pm2_snapshot
    SNAPSHOT_TAKEN=yes
  fi
}

check_app() { # $1: backend|frontend. Returns 1 when the app is still unhealthy at the end.
  _app=$1
  _name=$(app_pm2_name "$_app")
  # Health first, before any pm2 call: it is what users see, and it is cheap.
  _code=$(app_http_code "$_app")
  snapshot_once
  _known="" _orphans=""
  if app_info "$_name"; then _known=yes; else _orphans=$(orphan_pids "$_name" | tr '\n' ' '); fi
  _before="http=$_code pm2=$APP_STATUS"

  if [ "$_code" = 200 ] && [ -n "$_known" ]; then
    record "$_app ok http=200 pid=$APP_PID restarts=$APP_RESTARTS uptime=$(human_duration "$APP_UPTIME")"
    return 0
  fi
  if [ "$_code" = 200 ] && [ -z "$_orphans" ]; then
    record "$_app unmanaged http=200 healthy but not under pm2 (PM2_HOME=$PM2_HOME); left alone"
    return 0
  fi

  # pm2 restarts a crashed app by itself (with backoff), and a freshly started app needs a moment:
  # give either the grace period instead of restarting over pm2's shoulder.
  if [ -n "$_known" ] && [ "$MONITOR_GRACE_SECONDS" -gt 0 ]; then
    _settling=""
    case $APP_STATUS in
      launching | waiting-restart) _settling=yes ;;
      online) if [ "$APP_UPTIME" -lt "$MONITOR_GRACE_SECONDS" ]; then _settling=yes; fi ;;
    esac
    if [ -n "$_settling" ] && wait_healthy "$_app" "$MONITOR_GRACE_SECONDS"; then
      pm2_snapshot
      app_info "$_name" || true
      record "$_app recovered $_before -> http=200 pid=$APP_PID restarts=$APP_RESTARTS (no action: pm2 brought it back)"
      return 0
    fi
  fi

  _note=""
  if [ -n "$_orphans" ]; then
    # Our own app, left running by a pm2 daemon that died: unsupervised and logging into a dead pipe.
    # Stop it and start it again under pm2 rather than leave it to die at its next log line.
    _note=" (stopped orphan pid ${_orphans% } left by a dead pm2 daemon)"
    stop_orphans "$_name" >/dev/null
  elif [ -z "$_known" ] && app_port_open "$_app"; then
    record "$_app FAILED $_before port $(app_port "$_app") is held by a process pm2 does not manage; not starting a second copy"
    return 1
  fi

  # pm2's state changes from here on: the next check must take a fresh snapshot.
  SNAPSHOT_TAKEN=""
  if [ -n "$_known" ]; then
    _action=restarted
    pm2_cli restart "$_name" >/dev/null 2>&1 || true
  else
    _action=started
    pm2_start_app "$_name" >/dev/null 2>&1 || true
  fi
  WAIT_FAILURE=""
  if wait_healthy "$_app" "$START_TIMEOUT_SECONDS"; then
    pm2_snapshot
    app_info "$_name" || true
    record "$_app $_action $_before -> http=200 pid=$APP_PID restarts=$APP_RESTARTS$_note"
    return 0
  fi
  record "$_app FAILED $_before; $_action but still http=$(app_http_code "$_app")${WAIT_FAILURE:+ ($WAIT_FAILURE)}$_note; see $(app_log "$_app")"
  return 1
}

status=0
check_app backend || status=1
check_app frontend || status=1

rotated=$(rotate_pm2_logs | tr '\n' ' ')
if [ -n "$rotated" ]; then record "logs rotated $rotated"; fi
exit "$status"
