// Prints a shell command that runs one app exactly as ecosystem.config.cjs defines it for pm2 (same working
// directory, environment and node arguments), for keep_alive.sh on machines without pm2:
//
//   node app-command.cjs parley-backend   ->   cd '...' && NODE_ENV='production' PORT='8000' ... exec '/usr/bin/node' ...
//
// `exec` keeps the pid: the pid keep_alive.sh holds is the server's own.
'use strict';

const path = require('node:path');

const name = process.argv[2];
const ecosystem = require(path.join(__dirname, '..', '..', 'ecosystem.config.cjs'));
const app = ecosystem.apps.find((a) => a.name === name);
if (!app) {
  process.stderr.write(`app-command: no app named ${name} in ecosystem.config.cjs\n`);
  process.exit(2);
}
const q = (v) => `'${String(v).replace(/'/g, `'\\''`)}'`;
const env = Object.entries(app.env)
  .map(([k, v]) => `${k}=${q(v)}`)
  .join(' ');
process.stdout.write(`cd ${q(app.cwd)} && export ${env} && exec ${[app.script, ...app.args].map(q).join(' ')}\n`);
