import path from 'node:path';
import { createPostgresDatabase, type TestDatabase } from '../../../apps/server/src/testing/test-databases.ts';
import { createChats, loginMany, type Participant } from '../lib/accounts.ts';
import { closeAll, connectMany, type BenchSocket, type Frame } from '../lib/client.ts';
import type { BenchContext, ScenarioResult } from '../lib/context.ts';
import { brief, runOpenLoop } from '../lib/open-loop.ts';
import { cpuSeconds } from '../lib/processes.ts';
import { ReplyTracker, trackReplies } from '../lib/replies.ts';
import { histogramQuantile, startParley, type ParleyServerProcess } from '../lib/servers.ts';
import { round, sleep, summarize } from '../lib/stats.ts';

export interface TwoInstancesSizes {
  /** Participants, each with one tab on each instance. */
  participants: number;
  /** Send → ack runs at these total rates (messages/s). */
  rates: number[];
  durationMs: number;
  /** Concurrent agent replies, each generated on one instance and watched from the other. */
  replies: number;
  tokens: number;
}

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A tab on each instance for every participant: participant i sends from `home[i]`, on instance i % 2,
 * and `other[i]`, on the other instance, only watches (a user with two tabs behind a proxy).
 */
async function tabs(instances: [ParleyServerProcess, ParleyServerProcess], participants: Participant[]) {
  const home: BenchSocket[] = [];
  const other: BenchSocket[] = [];
  for (const [side, offset] of [[home, 0], [other, 1]] as const) {
    for (const [n, instance] of instances.entries()) {
      const mine = participants.map((_, i) => i).filter((i) => (i + offset) % 2 === n);
      const sockets = await connectMany(instance.wsUrl, mine.length, 1000, (k) => participants[mine[k]!]!.token);
      mine.forEach((i, k) => (side[i] = sockets[k]!));
    }
  }
  return { home, other };
}

/**
 * What the watching tabs on the other instance saw of the sent messages: each `message` frame once,
 * in position order per chat, and how long after the sending tab's ack it arrived (Redis fan-out).
 */
function watchMessages(watchers: BenchSocket[], prefix: string) {
  const seen = new Map<string, number>();
  let duplicated = 0;
  let outOfOrder = 0;
  watchers.forEach((socket) => {
    let lastPosition = 0;
    socket.handler = (frame: Frame, at: number) => {
      if (frame.type !== 'message' || !String(frame.message?.clientMsgId).startsWith(prefix)) return;
      if (seen.has(frame.message.clientMsgId)) duplicated += 1;
      else seen.set(frame.message.clientMsgId, at);
      if (frame.message.position <= lastPosition) outOfOrder += 1;
      lastPosition = frame.message.position;
    };
  });
  return { seen, duplicated: () => duplicated, outOfOrder: () => outOfOrder };
}

/**
 * Two backend instances on one PostgreSQL database and one Redis, as an operator runs them behind a
 * proxy: every participant has a tab on each. Send → ack from one tab while the other tab, on the
 * other instance, must see every message once and in order; then agent replies generated on one
 * instance and followed token by token from the other.
 */
export async function twoInstancesScenario(ctx: BenchContext, sizes: TwoInstancesSizes): Promise<ScenarioResult> {
  ctx.log(`two instances: PostgreSQL + Redis, ${sizes.participants} participants with a tab on each, ${sizes.rates.join(', ')} msg/s, then ${sizes.replies} replies`);
  const db: TestDatabase = await createPostgresDatabase();
  const started: ParleyServerProcess[] = [];
  const start = async (agentReplies: boolean) => {
    const pair = (await Promise.all(
      ['a', 'b'].map((name) =>
        startParley({
          dir: path.join(ctx.dir, 'two-instances', name),
          pin: ctx.pin,
          heartbeatIntervalMs: ctx.heartbeatIntervalMs,
          echoDelayMs: ctx.echoDelayMs,
          env: { DATABASE_URL: db.url, REDIS_URL, REDIS_PREFIX: `parley-bench-${ctx.runId}:`, AGENT_REPLIES: String(agentReplies) },
        }),
      ),
    )) as [ParleyServerProcess, ParleyServerProcess];
    started.push(...pair);
    return pair;
  };
  const stopAll = () => Promise.all(started.splice(0).map((s) => s.stop()));
  try {
    // Phase 1: the write path and the fan-out, agent replies off (as in the single-instance send → ack).
    let instances = await start(false);
    const participants = await loginMany(instances[0].url, `${ctx.runId}-pair`, sizes.participants);
    await createChats(instances[1].url, participants);
    const sendRuns = [];
    for (const rate of sizes.rates) {
      const { home, other } = await tabs(instances, participants);
      const prefix = `${ctx.runId}-pair-${rate}`;
      // The first run on fresh instances warms them up (JIT, database pools, query plans) unmeasured.
      if (rate === sizes.rates[0]) await runOpenLoop({ sockets: home, participants, rate, durationMs: Math.min(3000, sizes.durationMs), prefix: `${ctx.runId}-warm-up` });
      const watched = watchMessages(other, prefix);
      const cpu0 = instances.map((s) => cpuSeconds(s.process.pid));
      const metricsBefore = await Promise.all(instances.map((s) => s.metrics()));
      const result = await runOpenLoop({ sockets: home, participants, rate, durationMs: sizes.durationMs, prefix });
      await sleep(1000); // the last fan-out frames
      const metricsAfter = await Promise.all(instances.map((s) => s.metrics()));
      const cpu = instances.map((s, i) => round(((cpuSeconds(s.process.pid) - cpu0[i]!) * 1e6) / Math.max(1, result.acked), 0));
      const acked = result.messages.filter((m) => m.acked);
      const fanOutDelays = acked.filter((m) => watched.seen.has(m.clientMsgId)).map((m) => watched.seen.get(m.clientMsgId)! - m.ackedAt!);
      const run = {
        ...brief(result),
        otherTab: { seen: watched.seen.size, missing: acked.length - fanOutDelays.length, duplicated: watched.duplicated(), outOfOrder: watched.outOfOrder(), afterAckMs: summarize(fanOutDelays) },
        serverCpuUsPerMessage: cpu,
        serverAckP99Ms: instances.map((_, i) => histogramQuantile(metricsBefore[i]!, metricsAfter[i]!, 'parley_ack_latency_seconds', 0.99) * 1000),
      };
      ctx.log(
        `  ${rate}/s: ack p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, lost ${run.lost}, dup ${run.duplicated}, errors ${run.errors}; ` +
          `other tab: missing ${run.otherTab.missing}, dup ${run.otherTab.duplicated}, out of order ${run.otherTab.outOfOrder}, p99 ${run.otherTab.afterAckMs.p99} ms after the ack; server CPU ${cpu.join(' + ')} µs/msg`,
      );
      sendRuns.push(run);
      await closeAll([...home, ...other]);
      await sleep(500);
    }
    await stopAll();

    // Phase 2: agent replies, each generated where it was asked for and followed from the other instance.
    instances = await start(true);
    // Fresh chats, so each reply answers a conversation of its own.
    const streamers = participants.slice(0, sizes.replies).map((p) => ({ ...p }));
    await createChats(instances[0].url, streamers);
    const { home, other } = await tabs(instances, streamers);
    const watchers = streamers.map((p) => new ReplyTracker(p.chatId!));
    const senders = streamers.map((p) => new ReplyTracker(p.chatId!));
    other.forEach((socket, i) => trackReplies(socket, [watchers[i]!]));
    home.forEach((socket, i) => trackReplies(socket, [senders[i]!]));
    const label = `${ctx.runId}-pair-long`;
    for (let i = 0; i < home.length; i += 1) {
      senders[i]!.sentAt = watchers[i]!.sentAt = performance.now();
      home[i]!.send({ type: 'send', chatId: streamers[i]!.chatId, clientMsgId: `${label}-${i}`, content: `/long ${sizes.tokens}` });
      await sleep(1); // started over about a second, as in the single-instance streaming scenario
    }
    const deadline = performance.now() + sizes.tokens * ctx.echoDelayMs * 3 + 30_000;
    while ([...watchers, ...senders].some((t) => !t.finished) && performance.now() < deadline) await sleep(100);
    await closeAll([...home, ...other]);
    const stream = (trackers: ReplyTracker[]) => ({
      intact: trackers.filter((t) => t.intact(sizes.tokens)).length,
      addedDelayMs: summarize(trackers.flatMap((t) => t.addedDelays(ctx.echoDelayMs))),
    });
    const streaming = { generatingTab: stream(senders), otherInstanceTab: stream(watchers) };
    ctx.log(`  replies: intact ${streaming.generatingTab.intact} where generated, ${streaming.otherInstanceTab.intact} on the other instance; added delay p99 ${streaming.generatingTab.addedDelayMs.p99} / ${streaming.otherInstanceTab.addedDelayMs.p99} ms`);
    await stopAll();

    const figures: ScenarioResult['figures'] = [];
    for (const run of sendRuns) {
      figures.push(
        { metric: `ack p99 at ${run.rate}/s, two instances on PostgreSQL (single instance on SQLite: see send-ack)`, parley: run.latencyMs.p99, baseline: null, unit: 'ms' },
        { metric: `messages lost / duplicated at ${run.rate}/s`, parley: `${run.lost} / ${run.duplicated}`, baseline: null, target: '0 / 0', pass: run.lost === 0 && run.duplicated === 0 && run.errors === 0 },
        { metric: `other instance's tab at ${run.rate}/s: missing / duplicated / out of order`, parley: `${run.otherTab.missing} / ${run.otherTab.duplicated} / ${run.otherTab.outOfOrder}`, baseline: null, target: '0 / 0 / 0', pass: run.otherTab.missing === 0 && run.otherTab.duplicated === 0 && run.otherTab.outOfOrder === 0 },
        { metric: `other instance's tab at ${run.rate}/s: message shown after the sender's ack, p99`, parley: run.otherTab.afterAckMs.p99, baseline: null, unit: 'ms' },
        { metric: `server CPU per message at ${run.rate}/s (instance a + b)`, parley: run.serverCpuUsPerMessage.join(' + '), baseline: null, unit: 'µs' },
      );
    }
    figures.push(
      { metric: `replies intact on the other instance's tab, of ${sizes.replies}`, parley: streaming.otherInstanceTab.intact, baseline: null, target: `${sizes.replies}`, pass: streaming.otherInstanceTab.intact === sizes.replies && streaming.generatingTab.intact === sizes.replies },
      { metric: 'server-added inter-token delay p99: generating / other instance', parley: `${streaming.generatingTab.addedDelayMs.p99} / ${streaming.otherInstanceTab.addedDelayMs.p99}`, baseline: null, unit: 'ms' },
    );
    return { scenario: 'two-instances', figures, details: { ...sizes, echoDelayMs: ctx.echoDelayMs, database: 'postgresql', redis: REDIS_URL, sendAck: sendRuns, streaming } };
  } finally {
    await stopAll();
    await db.drop();
  }
}
