import { createChats, fakeParticipants, loginMany, type Participant } from '../lib/accounts.ts';
import { closeAll, connectMany } from '../lib/client.ts';
import type { BenchContext, ScenarioResult } from '../lib/context.ts';
import { Concurrency, ReplyTracker, trackReplies } from '../lib/replies.ts';
import { metricValue, startBaseline, type ParleyServerProcess, type RunningServer } from '../lib/servers.ts';
import { cpuSeconds } from '../lib/processes.ts';
import { median, round, sleep, summarize } from '../lib/stats.ts';

export interface StreamingSizes {
  replies: number;
  tokens: number;
  startsPerSecond: number;
  /** Smaller numbers of concurrent replies, to find the most one core streams within the target. */
  searchReplies: number[];
}

const ADDED_DELAY_P99_LIMIT_MS = 20;

interface StreamRun {
  intact: number;
  broken: number;
  addedDelayMs: ReturnType<typeof summarize>;
  firstTokenMs: ReturnType<typeof summarize>;
  peakConcurrent: number;
  seconds: number;
  /** Share of one core each side used while the replies streamed: near 100% is a saturated side. */
  serverBusyPct: number;
  clientBusyPct: number;
}

/** Every socket asks for one `/long N` reply (staggered), and we follow all of them to the end. */
async function streamAll(
  ctx: BenchContext,
  server: RunningServer,
  participants: Participant[],
  sizes: StreamingSizes,
  onSecond?: () => Promise<void>,
): Promise<StreamRun> {
  const label = `${ctx.runId}-long-${participants.length}-${Math.random().toString(36).slice(2, 7)}`;
  const sockets = await connectMany(server.wsUrl, participants.length, 1000, (i) => participants[i]!.token || undefined);
  const trackers = participants.map((p) => new ReplyTracker(p.chatId!));
  const concurrency = new Concurrency();
  sockets.forEach((socket, i) => trackReplies(socket, [trackers[i]!], concurrency));
  const started = performance.now();
  const serverCpu0 = cpuSeconds(server.process.pid);
  const clientCpu0 = process.cpuUsage();
  for (let i = 0; i < sockets.length; i += 1) {
    const due = started + (i * 1000) / sizes.startsPerSecond;
    if (due > performance.now()) await sleep(due - performance.now());
    trackers[i]!.sentAt = performance.now();
    sockets[i]!.send({ type: 'send', chatId: participants[i]!.chatId, clientMsgId: `${label}-${i}`, content: `/long ${sizes.tokens}` });
  }
  // Expected duration plus slack for a slow server; then whatever is unfinished counts as broken.
  const deadline = performance.now() + sizes.tokens * ctx.echoDelayMs * 3 + 30_000;
  let nextSecond = performance.now() + 1000;
  while (trackers.some((t) => !t.finished) && performance.now() < deadline) {
    await sleep(100);
    if (onSecond && performance.now() >= nextSecond) {
      nextSecond += 1000;
      await onSecond();
    }
  }
  const wall = (performance.now() - started) / 1000;
  const seconds = round(wall, 1);
  const serverBusyPct = round(((cpuSeconds(server.process.pid) - serverCpu0) / wall) * 100, 0);
  const clientCpu = process.cpuUsage(clientCpu0);
  const clientBusyPct = round(((clientCpu.user + clientCpu.system) / 1e6 / wall) * 100, 0);
  // The last (partial) second counts too.
  await onSecond?.();
  await closeAll(sockets);
  const intact = trackers.filter((t) => t.intact(sizes.tokens)).length;
  return {
    intact,
    broken: trackers.length - intact,
    addedDelayMs: summarize(trackers.flatMap((t) => t.addedDelays(ctx.echoDelayMs))),
    firstTokenMs: summarize(trackers.filter((t) => t.arrivals.length).map((t) => t.arrivals[0]! - t.sentAt)),
    peakConcurrent: concurrency.peak,
    seconds,
    serverBusyPct,
    clientBusyPct,
  };
}

/** Scenario 3: many concurrent agent replies; every token in order, the delay the server adds, event-loop delay. */
export async function streamingScenario(ctx: BenchContext, parley: ParleyServerProcess, sizes: StreamingSizes): Promise<ScenarioResult> {
  ctx.log(`streaming: ${sizes.replies} concurrent replies of ${sizes.tokens} tokens at ${ctx.echoDelayMs} ms`);
  const baseline = await startBaseline({ dir: ctx.dir, pin: ctx.pin, heartbeatIntervalMs: ctx.heartbeatIntervalMs, echoDelayMs: ctx.echoDelayMs });
  const base = await streamAll(ctx, baseline, fakeParticipants(sizes.replies), sizes);
  await baseline.stop();
  ctx.log(`  baseline: intact ${base.intact}, added delay p99 ${base.addedDelayMs.p99} ms; busy: server ${base.serverBusyPct}%, client ${base.clientBusyPct}%`);

  const participants = await loginMany(parley.url, `${ctx.runId}-stream`, sizes.replies);
  await createChats(parley.url, participants);
  await parley.metrics(); // resets the event-loop delay window
  const loopP99: number[] = [];
  const loopMax: number[] = [];
  const runningSamples: number[] = [];
  const run = await streamAll(ctx, parley, participants, sizes, async () => {
    const m = await parley.metrics();
    loopP99.push(metricValue(m, 'nodejs_eventloop_lag_p99_seconds') * 1000);
    loopMax.push(metricValue(m, 'nodejs_eventloop_lag_max_seconds') * 1000);
    runningSamples.push(metricValue(m, 'parley_agent_replies_running'));
  });
  ctx.log(`  parley: intact ${run.intact}, added delay p99 ${run.addedDelayMs.p99} ms, event loop p99 (worst second) ${round(Math.max(...loopP99))} ms; busy: server ${run.serverBusyPct}%, client ${run.clientBusyPct}%`);

  // The most concurrent replies (of those tried, in order) whose added delay stays within the target.
  const searched: { replies: number; intact: number; addedDelayP99Ms: number; serverBusyPct: number; clientBusyPct: number }[] = [];
  let most = run.addedDelayMs.p99 <= ADDED_DELAY_P99_LIMIT_MS && run.broken === 0 ? sizes.replies : 0;
  if (most === 0) {
    for (const replies of sizes.searchReplies) {
      const tried = await streamAll(ctx, parley, participants.slice(0, replies), { ...sizes, replies });
      searched.push({ replies, intact: tried.intact, addedDelayP99Ms: tried.addedDelayMs.p99, serverBusyPct: tried.serverBusyPct, clientBusyPct: tried.clientBusyPct });
      ctx.log(`  parley with ${replies} replies: intact ${tried.intact}, added delay p99 ${tried.addedDelayMs.p99} ms; busy: server ${tried.serverBusyPct}%, client ${tried.clientBusyPct}%`);
      if (tried.addedDelayMs.p99 > ADDED_DELAY_P99_LIMIT_MS || tried.broken > 0) break;
      most = replies;
    }
  }
  const serverConcurrent = Math.max(0, ...runningSamples);
  return {
    scenario: 'streaming',
    figures: [
      { metric: `replies intact (every token, in order, stored = streamed) of ${sizes.replies}`, parley: run.intact, baseline: base.intact, target: `${sizes.replies}`, pass: run.broken === 0 },
      { metric: 'replies streaming at once (peak, seen by the clients)', parley: run.peakConcurrent, baseline: base.peakConcurrent },
      { metric: 'server-added inter-token delay p99', parley: run.addedDelayMs.p99, baseline: base.addedDelayMs.p99, unit: 'ms', target: `≤ ${ADDED_DELAY_P99_LIMIT_MS}`, pass: run.addedDelayMs.p99 <= ADDED_DELAY_P99_LIMIT_MS },
      { metric: 'server-added inter-token delay p50', parley: run.addedDelayMs.p50, baseline: base.addedDelayMs.p50, unit: 'ms' },
      { metric: 'event-loop delay p99 (median / worst 1 s window)', parley: `${round(median(loopP99))} / ${round(Math.max(...loopP99))}`, baseline: null, unit: 'ms' },
      { metric: `most concurrent replies with added delay p99 ≤ ${ADDED_DELAY_P99_LIMIT_MS} ms (tried ${[sizes.replies, ...sizes.searchReplies].join(', ')})`, parley: most, baseline: null },
      { metric: 'CPU busy while streaming: server / load generator (one core each)', parley: `${run.serverBusyPct} / ${run.clientBusyPct}`, baseline: `${base.serverBusyPct} / ${base.clientBusyPct}`, unit: '%' },
      { metric: 'first token after send p99', parley: run.firstTokenMs.p99, baseline: base.firstTokenMs.p99, unit: 'ms' },
    ],
    details: { ...sizes, echoDelayMs: ctx.echoDelayMs, searched, parley: { ...run, eventLoopP99Ms: loopP99.map((v) => round(v)), eventLoopMaxMs: loopMax.map((v) => round(v)), serverConcurrent }, baseline: base },
  };
}
