import fs from 'node:fs';
import { createChats, loginMany, type Participant } from '../lib/accounts.ts';
import { BenchSocket, closeAll, connectMany } from '../lib/client.ts';
import type { BenchContext, ScenarioResult } from '../lib/context.ts';
import { brief, runOpenLoop } from '../lib/open-loop.ts';
import { startBaseline, type ParleyServerProcess } from '../lib/servers.ts';
import { median, round, sleep, summarize } from '../lib/stats.ts';

export interface SlowReaderSizes {
  /** Other participants, active the whole time. */
  others: number;
  pingRate: number;
  sendRate: number;
  /** Length of each phase: without, then with the stuck reader. */
  phaseMs: number;
  /** Long replies streamed at once to the stuck reader (one per chat). */
  longReplies: number;
  tokens: number;
  /** Agent pace during this scenario: fast, so the stuck socket's buffer fills within a phase. */
  echoDelayMs: number;
}

/** The others' workload for one phase: open-loop pings (socket layer) and sends (write path). */
async function othersPhase(ctx: BenchContext, sockets: BenchSocket[], participants: Participant[], sizes: SlowReaderSizes, label: string, sampleRss: () => void) {
  const sends = runOpenLoop({ sockets, participants, rate: sizes.sendRate, durationMs: sizes.phaseMs, prefix: `${ctx.runId}-slow-${label}` });
  // runOpenLoop installed its handlers synchronously: chain the pong handling in front of them.
  const rtts: number[] = [];
  const t0 = performance.now() + 20;
  const interval = 1000 / sizes.pingRate;
  for (const socket of sockets) {
    const inner = socket.handler;
    socket.handler = (frame, at) => (frame.type === 'pong' ? rtts.push(at - (t0 + frame.t * interval)) : inner(frame, at));
  }
  const total = Math.round((sizes.pingRate * sizes.phaseMs) / 1000);
  let nextSample = performance.now();
  for (let i = 0; i < total; ) {
    const now = performance.now();
    while (i < total && t0 + i * interval <= now) {
      sockets[i % sockets.length]!.send({ type: 'ping', t: i });
      i += 1;
    }
    if (now >= nextSample) {
      sampleRss();
      nextSample += 250;
    }
    await sleep(Math.max(0, Math.min(5, t0 + i * interval - performance.now())));
  }
  const sendResult = await sends;
  return { pingRttMs: summarize(rtts), pongsMissing: total - rtts.length, sends: brief(sendResult) };
}

/** Lines the server logged after `offset` bytes of its log that say it cut off a stuck socket. */
function terminations(logFile: string, offset: number): { buffered: number; time: string }[] {
  return fs
    .readFileSync(logFile, 'utf8')
    .slice(offset)
    .split('\n')
    .filter((line) => line.includes('socket stopped reading'))
    .map((line) => JSON.parse(line) as { buffered: number; time: string });
}

/**
 * Scenario 4: a participant's socket stops reading while long replies stream to it. The server must
 * cut it off at its send-buffer limit (memory stays bounded) and the others must not notice.
 */
export async function slowReaderScenario(ctx: BenchContext, parley: ParleyServerProcess, sizes: SlowReaderSizes): Promise<ScenarioResult> {
  ctx.log(`slow reader: ${sizes.others} others (${sizes.pingRate} pings/s, ${sizes.sendRate} sends/s), ${sizes.longReplies} long replies to a stuck socket`);
  const phaseSeconds = sizes.phaseMs / 1000;

  // Baseline: the same stuck reader on a bare ws server without backpressure.
  const baseline = await startBaseline({ dir: ctx.dir, pin: ctx.pin, heartbeatIntervalMs: 600_000, echoDelayMs: sizes.echoDelayMs });
  const stuckBase = await BenchSocket.connect(baseline.wsUrl, 0);
  await sleep(500);
  const baseRssBefore = baseline.rss();
  for (let k = 0; k < sizes.longReplies; k += 1) stuckBase.send({ type: 'send', chatId: `c${k}`, clientMsgId: `l${k}`, content: `/long ${sizes.tokens}` });
  stuckBase.pauseReading();
  // Twice as long as Parley's phase: the kernel's socket buffers take the first megabytes.
  await sleep(sizes.phaseMs * 2);
  const baseGrowthMiB = round((baseline.rss() - baseRssBefore) / 2 ** 20, 1);
  stuckBase.ws.terminate();
  await baseline.stop();
  ctx.log(`  baseline (no backpressure): RSS grew ${baseGrowthMiB} MiB in ${phaseSeconds * 2} s`);

  await parley.setAgent({ provider: 'echo', echoDelayMs: sizes.echoDelayMs });
  const participants = await loginMany(parley.url, `${ctx.runId}-slow`, sizes.others);
  await createChats(parley.url, participants);
  const sockets = await connectMany(parley.wsUrl, sizes.others, 1000, (i) => participants[i]!.token);
  const [stuckUser] = await loginMany(parley.url, `${ctx.runId}-stuck`, 1);
  const rssA: number[] = [];
  const rssB: number[] = [];

  const before = await othersPhase(ctx, sockets, participants, sizes, 'a', () => rssA.push(parley.rss()));
  ctx.log(`  without: ping p99 ${before.pingRttMs.p99} ms, ack p99 ${before.sends.latencyMs.p99} ms`);

  const logOffset = fs.statSync(parley.logFile).size;
  const stuck = await BenchSocket.connect(parley.wsUrl, 0, stuckUser!.token);
  stuck.pauseReading();
  const stuckAtWall = Date.now();
  const chatIds: string[] = [];
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(parley.url + path, { method, headers: { authorization: `Bearer ${stuckUser!.token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return res.json() as Promise<any>;
  };
  for (let k = 0; k < sizes.longReplies; k += 1) {
    // A chat is reused until it has a message, so each long reply's message makes room for the next chat.
    const chat = (await api('POST', '/api/chats')).chat;
    chatIds.push(chat.id);
    await api('POST', `/api/chats/${chat.id}/messages`, { clientMsgId: `long-${k}`, content: `/long ${sizes.tokens}` });
  }
  const during = await othersPhase(ctx, sockets, participants, sizes, 'b', () => rssB.push(parley.rss()));
  // The others' phase is over; if the buffers have not filled yet, keep watching (up to 30 s) for the cut.
  const watchUntil = performance.now() + 30_000;
  while (terminations(parley.logFile, logOffset).length === 0 && performance.now() < watchUntil) {
    rssB.push(parley.rss());
    await sleep(250);
  }
  const cut = terminations(parley.logFile, logOffset);
  const cutAfterSeconds = cut.length ? round((Date.parse(cut[0]!.time) - stuckAtWall) / 1000, 1) : null;
  ctx.log(`  with: ping p99 ${during.pingRttMs.p99} ms, ack p99 ${during.sends.latencyMs.p99} ms; stuck socket cut off: ${cut.length ? `after ${cutAfterSeconds} s at ${cut[0]!.buffered} bytes` : 'no'}`);

  // Control: the same replies keep running (a disconnect is not a stop); a socket that reads them
  // shows what they cost the server's memory anyway, so the difference is the stuck reader's own.
  const control = await BenchSocket.connect(parley.wsUrl, 0, stuckUser!.token);
  const rssC: number[] = [];
  const controlUntil = performance.now() + sizes.phaseMs;
  while (performance.now() < controlUntil) {
    rssC.push(parley.rss());
    await sleep(250);
  }
  // End the long replies and restore the agent's pace.
  for (const chatId of chatIds) control.send({ type: 'stop', chatId });
  await sleep(500);
  control.close();
  stuck.ws.terminate();
  await closeAll(sockets);
  await parley.setAgent({ provider: 'echo', echoDelayMs: ctx.echoDelayMs });

  const growthMiB = round((Math.max(...rssB) - median(rssA)) / 2 ** 20, 1);
  const controlGrowthMiB = round((Math.max(...rssC) - median(rssA)) / 2 ** 20, 1);
  // "Does not move": within noise, i.e. at most twice as high or a few milliseconds more.
  const unmoved = (a: number, b: number) => b <= Math.max(2 * a, a + 5);
  return {
    scenario: 'slow-reader',
    figures: [
      { metric: 'stuck socket cut off at (bytes buffered; limit 1 MiB)', parley: cut.length ? cut[0]!.buffered : 'not cut off', baseline: 'never', target: '> 0, bounded', pass: cut.length > 0 },
      { metric: 'seconds until cut off', parley: cutAfterSeconds ?? '—', baseline: null, unit: 's' },
      { metric: `server RSS peak growth: stuck reader until cut off / same replies read normally (bare ws: stuck ${phaseSeconds * 2} s, no limit)`, parley: `${growthMiB} / ${controlGrowthMiB}`, baseline: baseGrowthMiB, unit: 'MiB' },
      { metric: 'others: ping p99 without → with', parley: `${before.pingRttMs.p99} → ${during.pingRttMs.p99}`, baseline: null, unit: 'ms', target: 'unchanged', pass: unmoved(before.pingRttMs.p99, during.pingRttMs.p99) },
      { metric: 'others: ack p99 without → with', parley: `${before.sends.latencyMs.p99} → ${during.sends.latencyMs.p99}`, baseline: null, unit: 'ms', target: 'unchanged', pass: unmoved(before.sends.latencyMs.p99, during.sends.latencyMs.p99) },
      { metric: 'others: lost / duplicated', parley: `${before.sends.lost + during.sends.lost} / ${before.sends.duplicated + during.sends.duplicated}`, baseline: null, target: '0 / 0', pass: before.sends.lost + during.sends.lost + before.sends.duplicated + during.sends.duplicated === 0 && before.pongsMissing + during.pongsMissing === 0 },
    ],
    details: { ...sizes, before, during, terminations: cut, rssMiB: { without: rssA.map((b) => round(b / 2 ** 20, 1)), with: rssB.map((b) => round(b / 2 ** 20, 1)), control: rssC.map((b) => round(b / 2 ** 20, 1)) }, baselineGrowthMiB: baseGrowthMiB },
  };
}
