#!/bin/sh
# Makes the researcher password's hash for RESEARCHER_PASSWORD_HASH, with the backend's own scrypt code.
set -eu

usage() {
  cat <<'USAGE'
Usage: scripts/hash_password.sh [--save] [--env-file FILE] [--help]

Asks twice for the researcher's password (it is not shown while typing) and
prints the line to put into .env:
  RESEARCHER_PASSWORD_HASH=scrypt:N=32768,r=8,p=1:...

  --save           write the line into .env (replacing an existing one) instead
                   of printing it; the file stays readable by its owner only
  --env-file FILE  the file --save writes (default: .env in the Parley folder)

When standard input is not a terminal, the password is read from its first
line, once (for automation). Apply it with scripts/start_services.sh, which
restarts the backend when .env changed. Only the hash is stored, never the
password itself.
USAGE
}

SAVE="" ENV_FILE=""
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --save) SAVE=yes; shift ;;
    --env-file) [ $# -ge 2 ] || { usage >&2; exit 2; }; ENV_FILE=$2; shift 2 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
. "$ROOT/scripts/lib/env.sh"
command -v node >/dev/null 2>&1 || { echo "node is not on PATH" >&2; exit 1; }
[ -d "$ROOT/apps/server/node_modules" ] || { echo "dependencies are missing: run scripts/install.sh" >&2; exit 1; }
if [ -z "$ENV_FILE" ]; then ENV_FILE="$ROOT/.env"; fi
case $ENV_FILE in /*) ;; *) ENV_FILE="$(pwd)/$ENV_FILE" ;; esac

if [ -t 0 ]; then
  # Never leave the terminal without echo, whatever ends the script.
  trap 'stty echo 2>/dev/null || true' EXIT
  trap 'exit 130' INT TERM
  printf 'Researcher password: ' >&2
  stty -echo
  IFS= read -r password || password=""
  printf '\nThe same again: ' >&2
  IFS= read -r again || again=""
  stty echo
  printf '\n' >&2
  if [ "$password" != "$again" ]; then
    echo "hash_password: the two passwords differ; nothing was changed" >&2
    exit 1
  fi
else
  IFS= read -r password || true
fi

TSX_LOADER=$(node -p "require('url').pathToFileURL(require.resolve('tsx', { paths: [process.argv[1]] })).href" "$ROOT")
if [ -n "$SAVE" ]; then
  printf '%s\n' "$password" | node --import "$TSX_LOADER" "$ROOT/scripts/ops/researcher-password.ts" save "$ENV_FILE"
  echo "RESEARCHER_PASSWORD_HASH saved in $ENV_FILE; apply it with: sh scripts/start_services.sh" >&2
else
  printf '%s\n' "$password" | node --import "$TSX_LOADER" "$ROOT/scripts/ops/researcher-password.ts" print
fi
