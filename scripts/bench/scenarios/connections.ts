import { loginMany } from '../lib/accounts.ts';
import { closeAll, connectMany, type BenchSocket } from '../lib/client.ts';
import type { BenchContext, ScenarioResult } from '../lib/context.ts';
import { metricValue, startBaseline, startParley, type ParleyServerProcess, type RunningServer } from '../lib/servers.ts';
import { median, round, sleep } from '../lib/stats.ts';

export interface ConnectionsSizes {
  count: number;
  rampPerSecond: number;
  holdMs: number;
  baselineHoldMs: number;
}

interface Held {
  open: number;
  dropped: number;
  rssBeforeBytes: number;
  rssHeldBytes: number;
  perConnectionKiB: number;
  minPings: number;
  connectSeconds: number;
}

/** Opens `count` sockets, holds them with the heartbeat running, and measures what they cost the server. */
async function hold(ctx: BenchContext, server: RunningServer, sizes: ConnectionsSizes, holdMs: number, tokenFor: (i: number) => string | undefined): Promise<{ held: Held; sockets: BenchSocket[] }> {
  await sleep(1000);
  const rssBeforeBytes = median([server.rss(), (await sleep(300), server.rss()), (await sleep(300), server.rss())]);
  const started = performance.now();
  const sockets = await connectMany(server.wsUrl, sizes.count, sizes.rampPerSecond, tokenFor);
  const connectSeconds = round((performance.now() - started) / 1000, 1);
  ctx.log(`  ${server.kind}: ${sockets.length} sockets open in ${connectSeconds} s; holding ${holdMs / 1000} s`);
  const samples: number[] = [];
  const holdUntil = performance.now() + holdMs;
  while (performance.now() < holdUntil) {
    await sleep(Math.min(1000, holdUntil - performance.now()));
    samples.push(server.rss());
  }
  // The second half of the hold: the heap has settled after the ramp's garbage was collected.
  const rssHeldBytes = median(samples.slice(Math.floor(samples.length / 2)));
  const dropped = sockets.filter((s) => s.closeCode !== null).length;
  const held: Held = {
    open: sockets.length - dropped,
    dropped,
    rssBeforeBytes,
    rssHeldBytes,
    perConnectionKiB: round((rssHeldBytes - rssBeforeBytes) / sizes.count / 1024, 1),
    minPings: Math.min(...sockets.map((s) => s.pings)),
    connectSeconds,
  };
  return { held, sockets };
}

/** Scenario 1: many authenticated sockets held with the heartbeat; none dropped, memory per connection. */
export async function connectionsScenario(
  ctx: BenchContext,
  loginServer: ParleyServerProcess,
  sizes: ConnectionsSizes,
  /** Told about the restarted server at once, so the runner stops it even if something below fails. */
  onRestart: (server: ParleyServerProcess) => void,
): Promise<ScenarioResult> {
  ctx.log(`connections: ${sizes.count} sockets, ${sizes.holdMs / 1000} s, heartbeat every ${ctx.heartbeatIntervalMs / 1000} s`);
  const baseline = await startBaseline({ dir: ctx.dir, pin: ctx.pin, heartbeatIntervalMs: ctx.heartbeatIntervalMs, echoDelayMs: ctx.echoDelayMs });
  const base = await hold(ctx, baseline, sizes, sizes.baselineHoldMs, () => undefined);
  await closeAll(base.sockets);
  await baseline.stop();

  const loginStarted = performance.now();
  const participants = await loginMany(loginServer.url, `${ctx.runId}-conn`, sizes.count, 32);
  const loginSeconds = (performance.now() - loginStarted) / 1000;
  ctx.log(`  ${sizes.count} logins in ${round(loginSeconds, 1)} s`);
  // A fresh process for the measurement: the logins' garbage would otherwise sit in the heap before
  // the sockets open and be collected while they are held, hiding what the sockets cost. The
  // sessions are in the database, so the tokens stay valid.
  await loginServer.stop();
  const parley = await startParley(loginServer.options);
  onRestart(parley);
  const heapBefore = metricValue(await parley.metrics(), 'nodejs_heap_size_used_bytes');
  const { held, sockets } = await hold(ctx, parley, sizes, sizes.holdMs, (i) => participants[i]!.token);
  const metrics = await parley.metrics();
  const serverOpen = metricValue(metrics, 'parley_open_sockets');
  const heapHeld = metricValue(metrics, 'nodejs_heap_size_used_bytes');
  await closeAll(sockets);

  const heapPerConnectionKiB = round((heapHeld - heapBefore) / sizes.count / 1024, 1);
  const expectedBeats = Math.floor(sizes.holdMs / ctx.heartbeatIntervalMs);
  return {
    scenario: 'connections',
    figures: [
      { metric: `sockets held ${sizes.holdMs / 1000} s (dropped)`, parley: `${held.open} (${held.dropped})`, baseline: `${base.held.open} (${base.held.dropped})`, target: `${sizes.count} (0)`, pass: held.dropped === 0 && held.open === sizes.count && serverOpen === sizes.count },
      { metric: 'server memory per connection (RSS)', parley: held.perConnectionKiB, baseline: base.held.perConnectionKiB, unit: 'KiB', target: '≤ 30', pass: held.perConnectionKiB <= 30 },
      // RSS can grow less than the heap when the heap reuses pages the process already held.
      { metric: 'server JS heap used per connection', parley: heapPerConnectionKiB, baseline: null, unit: 'KiB', target: '≤ 30', pass: heapPerConnectionKiB <= 30 },
      { metric: 'heartbeat pings seen by every socket (min)', parley: held.minPings, baseline: base.held.minPings, target: `≥ ${Math.max(1, expectedBeats - 1)}`, pass: held.minPings >= Math.max(1, expectedBeats - 1) },
      { metric: 'logins per second (REST, 32 in flight)', parley: round(sizes.count / loginSeconds, 0), baseline: null, unit: '/s' },
    ],
    details: {
      count: sizes.count,
      holdSeconds: sizes.holdMs / 1000,
      parley: { ...held, serverOpenSockets: serverOpen, heapPerConnectionKiB },
      baseline: base.held,
    },
  };
}
