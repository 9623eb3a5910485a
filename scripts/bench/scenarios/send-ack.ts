import { createChats, fakeParticipants, loginMany, type Participant } from '../lib/accounts.ts';
import { closeAll, connectMany, type BenchSocket } from '../lib/client.ts';
import type { BenchContext, ScenarioResult } from '../lib/context.ts';
import { brief, runOpenLoop, type OpenLoopResult } from '../lib/open-loop.ts';
import { histogramQuantile, metricValue, startBaseline, type ParleyServerProcess, type RunningServer } from '../lib/servers.ts';
import { cpuContention } from '../lib/processes.ts';
import { median, round, sleep } from '../lib/stats.ts';

export interface SendAckSizes {
  sockets: number;
  /** The fixed rate of the target (messages/s, all sockets together). */
  rate: number;
  durationMs: number;
  /** Runs at the fixed rate; the median p99 is reported. */
  repeats: number;
  /** The search for the highest rate with p99 within `p99LimitMs`: rates tried in order until one fails. */
  searchRates: number[];
  baselineSearchRates: number[];
  searchDurationMs: number;
  p99LimitMs: number;
}

const summary = (r: Run) => ({ ...brief(r), serverCpuUsPerMessage: r.serverCpuUsPerMessage, serverWaitPct: r.serverWaitPct, clientWaitPct: r.clientWaitPct, server: r.server });
const passes = (r: OpenLoopResult, limitMs: number) => r.lost === 0 && r.duplicated === 0 && r.errors === 0 && r.latencyMs.p99 <= limitMs;

/**
 * Highest rate in `rates` (tried in order, from `start`, the fixed rate's outcome) whose run met the
 * limit. A failing rate is tried once more before the search stops: on a shared machine one run can
 * fail for reasons that are not the server's (see the CPU-wait figures).
 */
async function search(run: (rate: number) => Promise<Run>, rates: number[], limitMs: number, start: number) {
  const tried: ReturnType<typeof summary>[] = [];
  let best = start;
  for (const rate of rates) {
    let result = await run(rate);
    tried.push(summary(result));
    if (!passes(result, limitMs)) {
      result = await run(rate);
      tried.push(summary(result));
      if (!passes(result, limitMs)) break;
    }
    best = rate;
  }
  return { best, tried, exhausted: best === rates[rates.length - 1] };
}

type Run = OpenLoopResult & {
  serverCpuUsPerMessage: number;
  serverWaitPct: number;
  clientWaitPct: number;
  /** Parley only, from its /metrics: ack p99 as the server measured it (bucket bound), and its event-loop delay. */
  server?: { ackP99Ms: number; eventLoopP99Ms: number; eventLoopMaxMs: number; messagesPerTransaction: number };
};

/**
 * One open-loop run, with the server's CPU time per acked message (from /proc): unlike latency, it
 * hardly moves when other work shares the machine, so it shows the capacity of one core (1e6 / µs).
 */
async function drive(ctx: BenchContext, server: RunningServer, sockets: BenchSocket[], participants: Participant[], label: string, rate: number, durationMs: number): Promise<Run> {
  const serverUse = cpuContention(server.process.pid);
  const clientUse = cpuContention(process.pid);
  const metricsBefore = server.kind === 'parley' ? await (server as ParleyServerProcess).metrics() : null;
  const result = await runOpenLoop({ sockets, participants, rate, durationMs, prefix: `${ctx.runId}-${label}-${rate}-${Math.random().toString(36).slice(2, 7)}` });
  const serverSide = serverUse();
  const serverCpuUsPerMessage = round((serverSide.cpuSeconds * 1e6) / Math.max(1, result.acked), 0);
  const serverWaitPct = serverSide.waitPct;
  const clientWaitPct = clientUse().waitPct;
  let serverView: Run['server'];
  if (metricsBefore !== null) {
    const after = await (server as ParleyServerProcess).metrics();
    const delta = (name: string) => metricValue(after, name) - metricValue(metricsBefore, name);
    serverView = {
      ackP99Ms: histogramQuantile(metricsBefore, after, 'parley_ack_latency_seconds', 0.99) * 1000,
      eventLoopP99Ms: round(metricValue(after, 'nodejs_eventloop_lag_p99_seconds') * 1000),
      eventLoopMaxMs: round(metricValue(after, 'nodejs_eventloop_lag_max_seconds') * 1000),
      messagesPerTransaction: round(delta('parley_db_transaction_messages_sum') / delta('parley_db_transaction_messages_count'), 1),
    };
  }
  ctx.log(
    `  ${label} ${rate}/s: p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, lost ${result.lost}, dup ${result.duplicated}, errors ${result.errors}; ` +
      `server CPU ${serverCpuUsPerMessage} µs/msg, waited for a CPU ${serverWaitPct}% (client ${clientWaitPct}%)` +
      (serverView ? `; server's view: ack p99 ≤ ${serverView.ackP99Ms} ms, event loop p99 ${serverView.eventLoopP99Ms} ms (max ${serverView.eventLoopMaxMs}), ${serverView.messagesPerTransaction} msg/transaction` : ''),
  );
  // Let the server settle (and finish anything the run left) before the next one.
  await sleep(500);
  return { ...result, serverCpuUsPerMessage, serverWaitPct, clientWaitPct, ...(serverView ? { server: serverView } : {}) };
}

/** Scenario 2: send → ack with persistence, open loop, at a fixed rate and in a search for the highest rate. */
export async function sendAckScenario(ctx: BenchContext, parley: ParleyServerProcess, sizes: SendAckSizes): Promise<ScenarioResult> {
  ctx.log(`send→ack: ${sizes.sockets} sockets, ${sizes.rate}/s × ${sizes.repeats}, then the search`);
  // Baseline first, on its own, so the two never compete for the server core.
  const baseline: RunningServer = await startBaseline({ dir: ctx.dir, pin: ctx.pin, heartbeatIntervalMs: ctx.heartbeatIntervalMs, echoDelayMs: ctx.echoDelayMs });
  const fake = fakeParticipants(sizes.sockets);
  const baseSockets = await connectMany(baseline.wsUrl, sizes.sockets, 1000, () => undefined);
  const baseFixed = await drive(ctx, baseline, baseSockets, fake, 'baseline', sizes.rate, sizes.durationMs);
  const baseSearch = await search((rate) => drive(ctx, baseline, baseSockets, fake, 'baseline', rate, sizes.searchDurationMs), sizes.baselineSearchRates, sizes.p99LimitMs, passes(baseFixed, sizes.p99LimitMs) ? sizes.rate : 0);
  await closeAll(baseSockets);
  await baseline.stop();

  const participants = await loginMany(parley.url, `${ctx.runId}-send`, sizes.sockets);
  await createChats(parley.url, participants);
  const sockets = await connectMany(parley.wsUrl, sizes.sockets, 1000, (i) => participants[i]!.token);
  const metricsBefore = await parley.metrics();
  const fixed: Run[] = [];
  for (let r = 0; r < sizes.repeats; r += 1) fixed.push(await drive(ctx, parley, sockets, participants, 'parley', sizes.rate, sizes.durationMs));
  const metricsAfter = await parley.metrics();
  const p99s = fixed.map((r) => r.latencyMs.p99);
  const medianP99 = round(median(p99s));
  const fixedPasses = medianP99 <= sizes.p99LimitMs && fixed.every((r) => r.lost === 0 && r.duplicated === 0 && r.errors === 0);
  const found = await search((rate) => drive(ctx, parley, sockets, participants, 'parley', rate, sizes.searchDurationMs), sizes.searchRates, sizes.p99LimitMs, fixedPasses ? sizes.rate : 0);
  await closeAll(sockets);

  const lost = fixed.reduce((n, r) => n + r.lost, 0);
  const duplicated = fixed.reduce((n, r) => n + r.duplicated, 0);
  const errors = fixed.reduce((n, r) => n + r.errors, 0);
  const transactions = metricValue(metricsAfter, 'parley_db_transaction_messages_count') - metricValue(metricsBefore, 'parley_db_transaction_messages_count');
  const stored = metricValue(metricsAfter, 'parley_messages_stored_total') - metricValue(metricsBefore, 'parley_messages_stored_total');
  const bestLabel = (s: { best: number; exhausted: boolean }) => (s.exhausted ? `≥ ${s.best}` : s.best);
  return {
    scenario: 'send-ack',
    figures: [
      { metric: `ack p99 at ${sizes.rate}/s (median of ${sizes.repeats})`, parley: medianP99, baseline: baseFixed.latencyMs.p99, unit: 'ms', target: `≤ ${sizes.p99LimitMs}`, pass: medianP99 <= sizes.p99LimitMs },
      { metric: `ack p99 at ${sizes.rate}/s as the server measures it (/metrics, bucket bound; median)`, parley: median(fixed.map((r) => r.server?.ackP99Ms ?? Number.NaN)), baseline: null, unit: 'ms' },
      { metric: `ack p50 at ${sizes.rate}/s`, parley: round(median(fixed.map((r) => r.latencyMs.p50))), baseline: baseFixed.latencyMs.p50, unit: 'ms' },
      { metric: 'messages lost / duplicated', parley: `${lost} / ${duplicated}`, baseline: `${baseFixed.lost} / ${baseFixed.duplicated}`, target: '0 / 0', pass: lost === 0 && duplicated === 0 && errors === 0 },
      { metric: `highest rate with p99 ≤ ${sizes.p99LimitMs} ms`, parley: bestLabel(found), baseline: bestLabel(baseSearch), unit: 'msg/s', target: '≥ 3000', pass: found.best >= 3000 },
      { metric: `server CPU per message at ${sizes.rate}/s (median)`, parley: median(fixed.map((r) => r.serverCpuUsPerMessage)), baseline: baseFixed.serverCpuUsPerMessage, unit: 'µs' },
      { metric: 'messages per write transaction (mean)', parley: round(stored / transactions, 1), baseline: null },
      { metric: `server waited for its CPU (noise; median of the ${sizes.rate}/s runs)`, parley: median(fixed.map((r) => r.serverWaitPct)), baseline: baseFixed.serverWaitPct, unit: '%' },
    ],
    details: {
      sockets: sizes.sockets,
      fixedRate: { parley: fixed.map(summary), baseline: summary(baseFixed), medianP99 },
      search: { parley: found, baseline: baseSearch },
      writeTransactions: { transactions, stored },
    },
  };
}
