// Reads `pm2 jlist` on stdin and prints one line per Parley app, for the shell scripts:
//
//   <name> <pm_id> <pid> <status> <restarts> <uptime-seconds> <memory-bytes> <release> <exit-code>
//
// jlist carries each process's full environment (API keys included), so it is parsed here and never
// printed. Apps pm2 does not know are simply absent from the output.
'use strict';

const fs = require('node:fs');

const text = fs.readFileSync(0, 'utf8');
// pm2 may print notices before the JSON array; the array is the last line that starts with "[".
const line = text
  .split('\n')
  .filter((l) => l.startsWith('['))
  .pop();
let list = [];
if (line) {
  try {
    list = JSON.parse(line);
  } catch {
    process.stderr.write('pm2-list: could not parse pm2 jlist output\n');
    process.exit(2);
  }
}

const now = Date.now();
for (const proc of list) {
  const env = proc.pm2_env || {};
  if (!/^parley-/.test(proc.name)) continue;
  const online = env.status === 'online';
  const fields = [
    proc.name,
    proc.pm_id,
    online && proc.pid ? proc.pid : 0,
    // One word per field: pm2's "waiting restart" becomes waiting-restart.
    (env.status || 'unknown').replace(/\s+/g, '-'),
    env.restart_time ?? 0,
    online && env.pm_uptime ? Math.max(0, Math.round((now - env.pm_uptime) / 1000)) : 0,
    (proc.monit && proc.monit.memory) || 0,
    (env.env && env.env.PARLEY_RELEASE) || env.PARLEY_RELEASE || '-',
    env.exit_code ?? '-',
  ];
  process.stdout.write(`${fields.join(' ')}\n`);
}
