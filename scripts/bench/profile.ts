// Profiles the server under one load with V8's `--cpu-prof`, then prints where its CPU time went, by
// package, by function, and by Parley code path. The server runs exactly as in `pnpm bench` (pinned,
// production mode) and is stopped gracefully at the end so V8 writes the profile.
//
//   pnpm exec tsx scripts/bench/profile.ts write-path [rate=2000] [seconds=15]
//       send → ack at a fixed rate with AGENT_REPLIES=false (the write path alone)
//   pnpm exec tsx scripts/bench/profile.ts streaming [replies=1000] [tokens=250]
//       that many concurrent echo replies at 20 ms per token
//
// Findings are recorded in docs/performance.md. Open the .cpuprofile files in Chrome DevTools for more.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createChats, loginMany } from './lib/accounts.ts';
import { closeAll, connectMany } from './lib/client.ts';
import { brief, runOpenLoop } from './lib/open-loop.ts';
import { canPin } from './lib/processes.ts';
import { summarizeProfile } from './lib/profile-summary.ts';
import { Concurrency, ReplyTracker, trackReplies } from './lib/replies.ts';
import { startParley } from './lib/servers.ts';
import { sleep, summarize } from './lib/stats.ts';

const [mode = 'write-path', first, second] = process.argv.slice(2);
if (mode !== 'write-path' && mode !== 'streaming') {
  console.error('usage: profile.ts write-path [rate] [seconds] | streaming [replies] [tokens]');
  process.exit(2);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-profile-'));
const profiles = path.join(dir, 'profiles');
const echoDelayMs = 20;
const parley = await startParley({
  dir,
  pin: canPin(),
  heartbeatIntervalMs: 30_000,
  echoDelayMs,
  env: mode === 'write-path' ? { AGENT_REPLIES: 'false' } : {},
  cpuProfDir: profiles,
});
const count = mode === 'write-path' ? 1000 : Number(first ?? 1000);
const participants = await loginMany(parley.url, 'prof', count);
await createChats(parley.url, participants);
const sockets = await connectMany(parley.wsUrl, count, 1000, (i) => participants[i]!.token);
const started = performance.now();

if (mode === 'write-path') {
  const rate = Number(first ?? 2000);
  const seconds = Number(second ?? 15);
  console.log(JSON.stringify(brief(await runOpenLoop({ sockets, participants, rate, durationMs: seconds * 1000, prefix: 'prof' }))));
} else {
  const tokens = Number(second ?? 250);
  const trackers = participants.map((p) => new ReplyTracker(p.chatId!));
  const concurrency = new Concurrency();
  sockets.forEach((socket, i) => trackReplies(socket, [trackers[i]!], concurrency));
  for (let i = 0; i < count; i += 1) {
    sockets[i]!.send({ type: 'send', chatId: participants[i]!.chatId, clientMsgId: `long-${i}`, content: `/long ${tokens}` });
    if (i % 10 === 9) await sleep(10); // 1,000 starts a second, as in the benchmark
  }
  while (trackers.some((t) => !t.finished) && performance.now() - started < tokens * echoDelayMs * 4 + 30_000) await sleep(100);
  const intact = trackers.filter((t) => t.intact(tokens)).length;
  console.log(JSON.stringify({ intact, peakConcurrent: concurrency.peak, addedDelayMs: summarize(trackers.flatMap((t) => t.addedDelays(echoDelayMs))) }));
}
const loadSeconds = (performance.now() - started) / 1000;
await closeAll(sockets);
await parley.stop();
for (const file of fs.readdirSync(profiles)) {
  console.log(`\n${file}`);
  // The load phase only: its last seconds before the server stopped (plus the second closing took).
  console.log(summarizeProfile(JSON.parse(fs.readFileSync(path.join(profiles, file), 'utf8')), { lastSeconds: loadSeconds + 1 }));
}
console.log(`\nprofiles in ${profiles} (open in Chrome DevTools → Performance)`);
