#!/bin/sh
# Stops Parley's backend and frontend cleanly and pauses monitor_services.sh until the next start.
set -eu

usage() {
  cat <<'USAGE'
Usage: scripts/stop_services.sh [--help]

Stops the Parley backend and frontend server under pm2. Each app gets SIGINT
and finishes in-flight work (the backend closes WebSockets with 1001 and the
database); pm2 kills it only after kill_timeout (SHUTDOWN_TIMEOUT_MS + 5 s).
The apps are removed from pm2's list; when no other app is left in this
PM2_HOME, the pm2 daemon is stopped too, so nothing of Parley keeps running.

Also pauses monitor_services.sh (cron) so it does not start Parley again;
scripts/start_services.sh resumes it.
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

acquire_lock 600 || die "another start, stop or monitor run has held $LOCK_PATH for 10 minutes"
# Before anything else, so a cron run that follows cannot bring Parley back.
printf 'stopped by %s at %s\n' "$(id -un 2>/dev/null || echo unknown)" "$(now_iso)" >"$STOP_MARKER"

if ! pm2_daemon_pid >/dev/null; then
  say "pm2 is not running (PM2_HOME=$PM2_HOME): nothing to stop"
else
  pm2_snapshot
  pids=""
  for name in "$BACKEND_APP" "$FRONTEND_APP"; do
    if app_info "$name"; then
      say "stopping $name (pid $APP_PID)"
      [ "$APP_PID" = 0 ] || pids="$pids $APP_PID"
      # delete = graceful stop + forget the app, so pm2 cannot restart it behind our back.
      pm2_cli delete "$name" >/dev/null 2>&1 || warn "pm2 could not delete $name"
    fi
  done
  # The processes must really be gone (pm2 SIGKILLs after kill_timeout); make sure before reporting success.
  for pid in $pids; do
    _i=0
    while pid_alive "$pid" && [ "$_i" -lt 30 ]; do
      sleep 1
      _i=$((_i + 1))
    done
    if pid_alive "$pid"; then
      warn "pid $pid is still running after pm2 stopped it: killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  others=$(pm2_cli jlist 2>/dev/null | node -e '
    const t = require("fs").readFileSync(0, "utf8").split("\n").filter((l) => l.startsWith("[")).pop();
    console.log(t ? JSON.parse(t).length : 0)' || echo 1)
  if [ "$others" = 0 ]; then
    pm2_cli kill >/dev/null 2>&1 || warn "could not stop the pm2 daemon"
    say "pm2 daemon stopped"
  else
    say "pm2 daemon left running: it supervises $others other app(s) in $PM2_HOME"
  fi
fi

# Apps left running by a pm2 daemon that died, and daemons pm2 lost track of, are ours too.
strays=$(stop_stray_daemons)
if [ -n "$strays" ]; then say "stopped pm2 daemon pid $strays, left running after $PM2_HOME was deleted or recreated"; fi
for name in "$BACKEND_APP" "$FRONTEND_APP"; do
  orphans=$(stop_orphans "$name")
  if [ -n "$orphans" ]; then say "stopped $name pid $orphans, left running by a pm2 daemon that died"; fi
done

# Anything still answering on the ports is not ours, but the operator should know.
for app in backend frontend; do
  if app_port_open "$app"; then
    warn "note: port $(app_port "$app") is still in use by a process pm2 did not start (keep_alive.sh? another copy?)"
  fi
done
say "stopped; monitor_services.sh is paused until scripts/start_services.sh runs"
