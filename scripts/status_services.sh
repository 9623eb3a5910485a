#!/bin/sh
# Shows both Parley apps as pm2 sees them (status, pid, uptime, restarts, memory) next to their health.
set -eu

usage() {
  cat <<'USAGE'
Usage: scripts/status_services.sh [--help]

Prints, for the backend and the frontend: pm2 status, pid, uptime, restarts,
memory and the live health check (HTTP status of /health and /healthz), then
whether the monitor is paused and its last log line.

Changes nothing (it does not even start a pm2 daemon). Exit status: 0 when
both apps are healthy, 1 otherwise.
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

pm2_snapshot
if _dpid=$(pm2_daemon_pid); then daemon="running (pid $_dpid)"; else daemon="not running"; fi
echo "Parley at $ROOT"
echo "pm2 daemon: $daemon, PM2_HOME=$PM2_HOME"
echo
printf '%-9s %-16s %-8s %-8s %-9s %-8s %-6s %s\n' APP PM2-STATUS PID UPTIME RESTARTS MEMORY HTTP HEALTH-URL
healthy=0
for app in backend frontend; do
  app_info "$(app_pm2_name "$app")" || true
  code=$(app_http_code "$app")
  if [ "$code" = 200 ]; then healthy=$((healthy + 1)); fi
  if [ "$APP_STATUS" = online ]; then up=$(human_duration "$APP_UPTIME"); else up=-; fi
  printf '%-9s %-16s %-8s %-8s %-9s %-8s %-6s %s\n' "$app" "$APP_STATUS" "$APP_PID" "$up" "$APP_RESTARTS" \
    "$((APP_MEMORY / 1048576))M" "$code" "$(app_check_url "$app")"
done
echo
if [ -f "$STOP_MARKER" ]; then
  echo "monitor: paused ($(head -n 1 "$STOP_MARKER")); start_services.sh resumes it"
fi
if [ -f "$LOG_DIR/monitor.log" ]; then
  echo "last monitor check: $(tail -n 1 "$LOG_DIR/monitor.log")"
else
  echo "last monitor check: none yet ($LOG_DIR/monitor.log does not exist; is the cron job installed?)"
fi
echo "logs: $LOG_DIR/backend.log $LOG_DIR/frontend.log $LOG_DIR/monitor.log"
[ "$healthy" = 2 ]
