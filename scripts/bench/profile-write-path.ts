// Profiles the server's write path: Parley with AGENT_REPLIES=false under `--cpu-prof`, driven at a fixed
// send rate below saturation, then stopped gracefully so V8 writes the profile. Prints where the
// server's CPU time went, by package and by function. Used to decide what to optimise (docs/performance.md).
//
//   pnpm exec tsx scripts/bench/profile-write-path.ts [rate=1000] [seconds=15]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createChats, loginMany } from './lib/accounts.ts';
import { closeAll, connectMany } from './lib/client.ts';
import { brief, runOpenLoop } from './lib/open-loop.ts';
import { canPin } from './lib/processes.ts';
import { startParley } from './lib/servers.ts';
import { summarizeProfile } from './lib/profile-summary.ts';

const rate = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 15);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-profile-'));
const profiles = path.join(dir, 'profiles');
const parley = await startParley({ dir, pin: canPin(), heartbeatIntervalMs: 30_000, echoDelayMs: 20, env: { AGENT_REPLIES: 'false' }, cpuProfDir: profiles });
const participants = await loginMany(parley.url, 'prof', 1000);
await createChats(parley.url, participants);
const sockets = await connectMany(parley.wsUrl, participants.length, 1000, (i) => participants[i]!.token);
const result = await runOpenLoop({ sockets, participants, rate, durationMs: seconds * 1000, prefix: 'prof' });
console.log(JSON.stringify(brief(result)));
await closeAll(sockets);
await parley.stop();
for (const file of fs.readdirSync(profiles)) {
  console.log(`\n${file}`);
  // The load phase only: the last `seconds` before the server stopped (plus the second closing took).
  console.log(summarizeProfile(JSON.parse(fs.readFileSync(path.join(profiles, file), 'utf8')), { lastSeconds: seconds + 1 }));
}
console.log(`\nprofiles in ${profiles} (open in Chrome DevTools → Performance)`);
