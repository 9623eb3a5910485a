# Shared environment for Parley's shell scripts; sourced, never run.
# node-gyp must build better-sqlite3 against the local Node headers: this machine class cannot download them.
if [ -z "${npm_config_nodedir:-}" ] && [ -d /usr/include/node ]; then
  npm_config_nodedir=/usr
  export npm_config_nodedir
fi
# Prisma's CLI wants its native schema engine for generate; generation never runs it, any executable will do.
: "${PRISMA_SCHEMA_ENGINE_BINARY:=/bin/false}"
export PRISMA_SCHEMA_ENGINE_BINARY
PRISMA_HIDE_UPDATE_MESSAGE=1
export PRISMA_HIDE_UPDATE_MESSAGE
# A project-local pnpm (see install.sh) comes first on PATH.
PATH="${ROOT}/.tools/node_modules/.bin:${ROOT}/node_modules/.bin:${PATH}"
export PATH
