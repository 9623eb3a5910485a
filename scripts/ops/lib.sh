# Shared functions for Parley's operations scripts (start, stop, monitor, status, keep-alive, backup).
# Sourced, never run, after scripts/lib/env.sh; the caller sets ROOT to the repository root.
# POSIX sh: every script runs under `set -eu`, so functions never end on a failing test by accident.
# shellcheck shell=sh disable=SC2034 # the variables set here are read by the scripts that source this file

SCRIPT_NAME=${SCRIPT_NAME:-$(basename -- "$0" .sh)}
BACKEND_APP=parley-backend
FRONTEND_APP=parley-frontend

say() { printf '[%s] %s\n' "$SCRIPT_NAME" "$*"; }
warn() { printf '[%s] %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() {
  warn "error: $*"
  exit 1
}
now_iso() { date -u +%Y-%m-%dT%H:%M:%SZ; }

# Loads ports, folders and limits (environment > .env > default) from scripts/ops/config.cjs, the same
# resolver ecosystem.config.cjs uses, so the scripts and pm2 always agree.
load_config() {
  command -v node >/dev/null 2>&1 ||
    die "node is not on PATH ($PATH). Under cron, set PATH in the crontab (see SERVER_SETUP.md)."
  _cfg=$(node "$ROOT/scripts/ops/config.cjs" --shell) || die "fix the setting named above (in the environment or in $ROOT/.env)"
  eval "$_cfg"
  export PM2_HOME LOG_DIR PARLEY_DATA_DIR BACKEND_PORT FRONTEND_PORT
  # pm2 otherwise prints a banner and asks the internet for a newer version, from the CLI and daily from the daemon.
  PM2_DISCRETE_MODE=1
  PM2_DISABLE_VERSION_CHECK=1
  export PM2_DISCRETE_MODE PM2_DISABLE_VERSION_CHECK
  PM2_BIN="$ROOT/node_modules/.bin/pm2"
  ECOSYSTEM="$ROOT/ecosystem.config.cjs"
  STOP_MARKER="$PM2_HOME/parley.stopped"
  mkdir -p "$LOG_DIR" "$PM2_HOME"
}

# ---------------------------------------------------------------------------------------------- locking
# start, stop and monitor take one lock, so a cron run never fights an operator's start or stop.
# flock releases automatically when the process dies; without flock, a directory lock records its pid.
LOCK_HELD=""
acquire_lock() { # $1: seconds to wait (0: give up at once). Returns 1 when the lock is busy.
  _wait=$1
  LOCK_PATH="$PM2_HOME/parley-ops.lock"
  if command -v flock >/dev/null 2>&1; then
    exec 9>>"$LOCK_PATH"
    if [ "$_wait" -gt 0 ]; then flock -w "$_wait" 9 || return 1; else flock -n 9 || return 1; fi
    LOCK_HELD=flock
    return 0
  fi
  _deadline=$(($(date +%s) + _wait))
  while ! mkdir "$LOCK_PATH.d" 2>/dev/null; do
    _holder=$(cat "$LOCK_PATH.d/pid" 2>/dev/null || true)
    if [ -n "$_holder" ] && ! kill -0 "$_holder" 2>/dev/null; then
      rm -rf "$LOCK_PATH.d" # the holder died without cleaning up
      continue
    fi
    [ "$(date +%s)" -lt "$_deadline" ] || return 1
    sleep 1
  done
  echo $$ >"$LOCK_PATH.d/pid"
  LOCK_HELD=dir
  trap 'release_lock' EXIT
  trap 'exit 130' INT TERM
}
release_lock() {
  if [ "$LOCK_HELD" = dir ]; then rm -rf "$LOCK_PATH.d"; fi
  LOCK_HELD=""
}

# ---------------------------------------------------------------------------------------------- pm2
# fd 9 (the flock) is closed for pm2: a daemon it spawns would otherwise inherit the lock and hold it forever.
pm2_cli() {
  [ -x "$PM2_BIN" ] || die "pm2 is not installed: run $ROOT/scripts/install.sh"
  "$PM2_BIN" "$@" 9>&-
}

# Prints the pid of this PM2_HOME's daemon; fails when none runs. Never starts one (any pm2 command would).
pm2_daemon_pid() {
  [ -f "$PM2_HOME/pm2.pid" ] || return 1
  _p=$(cat "$PM2_HOME/pm2.pid" 2>/dev/null || true)
  case $_p in '' | *[!0-9]*) return 1 ;; esac
  kill -0 "$_p" 2>/dev/null || return 1
  # After a reboot the pid in the file may belong to an unrelated process.
  if [ -r "/proc/$_p/cmdline" ] && ! tr '\0' ' ' <"/proc/$_p/cmdline" | grep -q PM2; then return 1; fi
  echo "$_p"
}

# Refreshes PM2_SNAPSHOT: one line per Parley app pm2 knows (see scripts/ops/pm2-list.cjs).
pm2_snapshot() {
  PM2_SNAPSHOT=""
  if pm2_daemon_pid >/dev/null; then
    PM2_SNAPSHOT=$(pm2_cli jlist 2>/dev/null | node "$ROOT/scripts/ops/pm2-list.cjs") || PM2_SNAPSHOT=""
  fi
}

# Sets APP_ID APP_PID APP_STATUS APP_RESTARTS APP_UPTIME APP_MEMORY APP_RELEASE APP_EXIT for pm2 app $1
# from the last snapshot. Returns 1 (APP_STATUS=absent) when pm2 does not know the app.
app_info() {
  _line=$(printf '%s\n' "$PM2_SNAPSHOT" | awk -v n="$1" '$1 == n { print; exit }')
  if [ -z "$_line" ]; then
    APP_ID="" APP_PID=0 APP_STATUS=absent APP_RESTARTS=0 APP_UPTIME=0 APP_MEMORY=0 APP_RELEASE=- APP_EXIT=-
    return 1
  fi
  # shellcheck disable=SC2086 # split the fields on purpose
  set -- $_line
  APP_ID=$2 APP_PID=$3 APP_STATUS=$4 APP_RESTARTS=$5 APP_UPTIME=$6 APP_MEMORY=$7 APP_RELEASE=$8 APP_EXIT=$9
}

# The release id ecosystem.config.cjs computes now for app $1 (code revision + .env + app definition).
expected_release() {
  node -e 'for (const a of require(process.argv[1]).apps) if (a.name === process.argv[2]) console.log(a.env.PARLEY_RELEASE)' \
    "$ECOSYSTEM" "$1"
}

# Starts app $1 from the ecosystem file; pm2's own output is shown only when it fails.
pm2_start_app() {
  _out=$(pm2_cli start "$ECOSYSTEM" --only "$1" 2>&1) || {
    printf '%s\n' "$_out" >&2
    return 1
  }
}

# True while process $1 exists and is not a zombie (a killed process whose parent has not reaped it yet).
pid_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  _state=$({ awk '{ print $3 }' "/proc/$1/stat"; } 2>/dev/null || echo R)
  [ "$_state" != Z ]
}

# Pids of processes that pm2 started from THIS PM2_HOME as app $1 but no longer supervises: when the pm2
# daemon dies (OOM killer, kill -9), its apps keep running with stdout on a dead pipe, unsupervised, and
# die at their next log line. pm2 puts PM2_HOME and the app name into each app's environment, which
# identifies them exactly even when a second instance runs from the same checkout. Linux (/proc) only.
orphan_pids() {
  [ -d /proc/self ] || return 0
  _daemon=$(pm2_daemon_pid || echo none)
  # grep -z: environ entries are NUL-separated; only the match is used, the environment is never printed.
  _matches=""
  for _f in $(grep -lzFx "PM2_HOME=$PM2_HOME" /proc/[0-9]*/environ 2>/dev/null || true); do
    if grep -qzFx "name=$1" "$_f" 2>/dev/null; then
      _p=${_f#/proc/}
      _matches="$_matches ${_p%/environ}"
    fi
  done
  for _p in $_matches; do
    pid_alive "$_p" || continue
    _ppid=$({ awk '{ print $4 }' "/proc/$_p/stat"; } 2>/dev/null || echo 0)
    # Children of the live daemon are supervised; children of a matched process (tsx's esbuild
    # service) go away with their parent.
    case " $_daemon $_matches " in *" $_ppid "*) continue ;; esac
    echo "$_p"
  done
}

# pm2 daemons of THIS PM2_HOME other than the one in pm2.pid: left behind when PM2_HOME was deleted or
# recreated under a running daemon. pm2 cannot reach them, but they keep restarting their apps.
stray_daemon_pids() {
  [ -d /proc/self ] || return 0
  _daemon=$(pm2_daemon_pid || echo none)
  for _f in $(grep -lzFx "PM2_HOME=$PM2_HOME" /proc/[0-9]*/environ 2>/dev/null || true); do
    _p=${_f#/proc/}
    _p=${_p%/environ}
    [ "$_p" != "$_daemon" ] || continue
    if pid_alive "$_p" && tr '\0' ' ' <"/proc/$_p/cmdline" 2>/dev/null | grep -q 'God Daemon'; then echo "$_p"; fi
  done
}

# Stops stray daemons (SIGTERM: a pm2 daemon then stops its apps itself). Prints their pids.
stop_stray_daemons() {
  _strays=$(stray_daemon_pids | tr '\n' ' ')
  [ -n "${_strays% }" ] || return 0
  # shellcheck disable=SC2086
  kill -TERM $_strays 2>/dev/null || true
  _deadline=$(($(date +%s) + KILL_TIMEOUT_MS / 1000 + 5))
  for _p in $_strays; do
    while pid_alive "$_p" && [ "$(date +%s)" -lt "$_deadline" ]; do sleep 0.2; done
    if pid_alive "$_p"; then kill -9 "$_p" 2>/dev/null || true; fi
  done
  echo "${_strays% }"
}

# Stops orphans of app $1 gracefully (SIGINT, like pm2), SIGKILL after KILL_TIMEOUT_MS. Prints their pids.
# Stray daemons go first: they would restart the orphans at once.
stop_orphans() {
  stop_stray_daemons >/dev/null
  _pids=$(orphan_pids "$1" | tr '\n' ' ')
  [ -n "${_pids% }" ] || return 0
  # shellcheck disable=SC2086
  kill -INT $_pids 2>/dev/null || true
  _deadline=$(($(date +%s) + KILL_TIMEOUT_MS / 1000))
  for _p in $_pids; do
    while pid_alive "$_p" && [ "$(date +%s)" -lt "$_deadline" ]; do sleep 0.2; done
    if pid_alive "$_p"; then kill -9 "$_p" 2>/dev/null || true; fi
  done
  echo "${_pids% }"
}

# ---------------------------------------------------------------------------------------------- health
app_pm2_name() { case $1 in backend) echo "$BACKEND_APP" ;; frontend) echo "$FRONTEND_APP" ;; *) die "unknown app $1" ;; esac; }
app_check_url() { case $1 in backend) echo "$BACKEND_CHECK_URL" ;; frontend) echo "$FRONTEND_CHECK_URL" ;; esac; }
app_port() { case $1 in backend) echo "$BACKEND_PORT" ;; frontend) echo "$FRONTEND_PORT" ;; esac; }
app_log() { echo "$LOG_DIR/$1.log"; }

# Prints the HTTP status of app $1's health URL (000: no answer within HEALTH_TIMEOUT_SECONDS).
app_http_code() { node "$ROOT/scripts/ops/probe.cjs" http "$(app_check_url "$1")" "$HEALTH_TIMEOUT_SECONDS"; }
app_healthy() { [ "$(app_http_code "$1")" = 200 ]; }
# Something (anything) accepts connections on app $1's port.
app_port_open() { node "$ROOT/scripts/ops/probe.cjs" port "$(app_check_url "$1")"; }

# Waits up to $2 seconds for app $1 to answer 200. Gives up early when pm2 reports that the app
# stopped for good (e.g. the backend's exit code 78 for an invalid setting) or is crash-looping.
wait_healthy() {
  _app=$1
  _deadline=$(($(date +%s) + $2))
  _name=$(app_pm2_name "$_app")
  pm2_snapshot
  app_info "$_name" || true
  _first_restarts=$APP_RESTARTS
  _n=0
  while :; do
    if app_healthy "$_app"; then return 0; fi
    [ "$(date +%s)" -lt "$_deadline" ] || return 1
    _n=$((_n + 1))
    if [ $((_n % 3)) -eq 0 ]; then
      pm2_snapshot
      if app_info "$_name"; then
        case $APP_STATUS in stopped | errored)
          WAIT_FAILURE="pm2 reports $_name $APP_STATUS (exit code $APP_EXIT)"
          return 1
          ;;
        esac
        if [ $((APP_RESTARTS - _first_restarts)) -ge 3 ]; then
          WAIT_FAILURE="$_name crashed and restarted $((APP_RESTARTS - _first_restarts)) times while starting"
          return 1
        fi
      fi
    fi
    sleep 1
  done
}

# ---------------------------------------------------------------------------------------------- logs
# Size-based rotation, run by monitor_services.sh every five minutes (pm2-logrotate would have to be
# downloaded into PM2_HOME as a pm2 module and run as one more process; this needs neither).
# <file> becomes <file>.1.gz, older ones shift up, at most LOG_KEEP are kept.
#   rename mode:       for files whose writer can reopen them (pm2 after `pm2 reloadLogs`, monitor.log);
#                      nothing is lost, lines written before the reopen land in <file>.1.
#   copytruncate mode: for writers that keep the file open forever (pm2's own log, keep_alive.sh children);
#                      they write with O_APPEND, so after truncation they continue at the new end.
ROTATED=""
rotate_log() { # $1 file, $2 rename|copytruncate. Returns 0 when rotated.
  _f=$1
  [ -f "$_f" ] || return 1
  _size=$(wc -c <"$_f" | tr -d ' ')
  [ "$_size" -gt "$LOG_MAX_BYTES" ] || return 1
  _i=$LOG_KEEP
  rm -f "$_f.$_i" "$_f.$_i.gz"
  while [ "$_i" -gt 1 ]; do
    _j=$((_i - 1))
    if [ -f "$_f.$_j.gz" ]; then mv -f "$_f.$_j.gz" "$_f.$_i.gz"; fi
    if [ -f "$_f.$_j" ]; then mv -f "$_f.$_j" "$_f.$_i"; fi
    _i=$_j
  done
  if [ "$2" = copytruncate ]; then
    cp -p "$_f" "$_f.1"
    : >"$_f"
  else
    mv -f "$_f" "$_f.1"
  fi
  ROTATED="$ROTATED $_f.1"
  return 0
}
# Compresses what rotate_log moved aside; call after the writers reopened their files.
compress_rotated() {
  if command -v gzip >/dev/null 2>&1; then
    for _r in $ROTATED; do
      if [ -f "$_r" ]; then gzip -f "$_r"; fi
    done
  fi
  ROTATED=""
}
# Rotates every log Parley writes under pm2; prints the names of the rotated files.
rotate_pm2_logs() {
  _reopen=""
  for _name in backend.log frontend.log; do
    if rotate_log "$LOG_DIR/$_name" rename; then _reopen=yes; fi
  done
  rotate_log "$LOG_DIR/monitor.log" rename || true
  rotate_log "$PM2_HOME/pm2.log" copytruncate || true
  if [ -n "$_reopen" ] && pm2_daemon_pid >/dev/null; then
    pm2_cli reloadLogs >/dev/null 2>&1 || true
    sleep 1 # let writes already in flight to the old file land before it is compressed
  fi
  _list=$ROTATED
  compress_rotated
  for _r in $_list; do printf '%s\n' "${_r##*/}"; done
}

# ---------------------------------------------------------------------------------------------- formatting
human_duration() { # seconds -> 3d4h, 2h5m, 4m10s, 12s
  _s=$1
  if [ "$_s" -ge 86400 ]; then
    echo "$((_s / 86400))d$((_s % 86400 / 3600))h"
  elif [ "$_s" -ge 3600 ]; then
    echo "$((_s / 3600))h$((_s % 3600 / 60))m"
  elif [ "$_s" -ge 60 ]; then
    echo "$((_s / 60))m$((_s % 60))s"
  else echo "${_s}s"; fi
}
