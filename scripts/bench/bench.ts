import crypto from 'node:crypto';
import path from 'node:path';
import type { BenchContext, ScenarioResult } from './lib/context.ts';
import { describeMachine } from './lib/machine.ts';
import { cpuContention } from './lib/processes.ts';
import { jsonLine, markdownTable } from './lib/report.ts';
import { startParley, type ParleyServerProcess } from './lib/servers.ts';
import { connectionsScenario, type ConnectionsSizes } from './scenarios/connections.ts';
import { crashScenario, type CrashSizes } from './scenarios/crash.ts';
import { sendAckScenario, type SendAckSizes } from './scenarios/send-ack.ts';
import { slowReaderScenario, type SlowReaderSizes } from './scenarios/slow-reader.ts';
import { streamingScenario, type StreamingSizes } from './scenarios/streaming.ts';
import { twoInstancesScenario, type TwoInstancesSizes } from './scenarios/two-instances.ts';
import { webClientScenario, type WebSizes } from './scenarios/web-client.ts';

export const SCENARIOS = ['connections', 'send-ack', 'streaming', 'slow-reader', 'crash', 'two-instances', 'web'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchSizes {
  heartbeatIntervalMs: number;
  echoDelayMs: number;
  connections: ConnectionsSizes;
  sendAck: SendAckSizes;
  streaming: StreamingSizes;
  slowReader: SlowReaderSizes;
  crash: CrashSizes;
  twoInstances: TwoInstancesSizes;
  web: WebSizes;
}

export interface BenchOptions {
  dir: string;
  pin: boolean;
  scenarios: ScenarioName[];
  sizes: BenchSizes;
  /** Profile the server during the write-path phase (`--cpu-prof`, written when it exits). */
  cpuProfile?: boolean;
  log(message: string): void;
  /** Receives each scenario's JSON line as soon as it is measured. */
  emit(line: string): void;
}

export interface BenchOutcome {
  machine: ReturnType<typeof describeMachine>;
  results: ScenarioResult[];
  failures: { scenario: string; error: string }[];
  table: string;
  machineAfter: ReturnType<typeof describeMachine>;
}

/**
 * Runs the scenarios in separate server lifetimes:
 * A. agent replies on (connections, streaming, slow reader): the full server as participants use it
 *    (connections in a server of its own, restarted after the logins, for a clean memory figure);
 * B. agent replies off (send → ack, crash): the write path alone, since at thousands of messages a
 *    second every message would otherwise start an agent reply and the figure would measure the agent;
 * C. two instances on PostgreSQL and Redis (both servers running locally, as the tests need them).
 */
export async function runBench(options: BenchOptions): Promise<BenchOutcome> {
  const { sizes, log } = options;
  const machine = describeMachine();
  log(`machine: ${JSON.stringify(machine)}; servers pinned: ${options.pin}`);
  const ctx: BenchContext = {
    dir: options.dir,
    pin: options.pin,
    runId: crypto.randomBytes(3).toString('hex'),
    heartbeatIntervalMs: sizes.heartbeatIntervalMs,
    echoDelayMs: sizes.echoDelayMs,
    log,
  };
  const wanted = (name: ScenarioName) => options.scenarios.includes(name);
  const results: ScenarioResult[] = [];
  const failures: BenchOutcome['failures'] = [];

  /** Runs one scenario; `serverPid` lets it record how long the server waited for a CPU (noise). */
  async function run(name: ScenarioName, fn: () => Promise<ScenarioResult>, serverPid?: number): Promise<void> {
    if (!wanted(name)) return;
    const started = Date.now();
    const serverUse = serverPid ? cpuContention(serverPid) : null;
    const clientUse = cpuContention(process.pid);
    try {
      const result = await fn();
      result.details.seconds = Math.round((Date.now() - started) / 1000);
      result.details.noise = {
        // Percent of the scenario's time each process was runnable but waited for a CPU held by others.
        serverWaitPct: serverUse?.().waitPct ?? null,
        clientWaitPct: clientUse().waitPct,
        loadAverage: describeMachine().loadAverage,
      };
      results.push(result);
      options.emit(jsonLine(result));
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`scenario ${name} failed: ${error}`);
      failures.push({ scenario: name, error });
      options.emit(JSON.stringify({ scenario: name, error }));
    }
  }

  const base = { pin: options.pin, heartbeatIntervalMs: sizes.heartbeatIntervalMs, echoDelayMs: sizes.echoDelayMs };
  let parley: ParleyServerProcess | null = null;
  try {
    if (wanted('connections')) {
      // Its own server lifetime: the memory per connection is measured in a process that did nothing else.
      parley = await startParley({ ...base, dir: path.join(options.dir, 'connections') });
      const server = parley;
      await run('connections', () => connectionsScenario(ctx, server, sizes.connections, (restarted) => (parley = restarted)));
      await parley.stop();
      parley = null;
    }
    if (wanted('streaming') || wanted('slow-reader')) {
      parley = await startParley({ ...base, dir: path.join(options.dir, 'agent-on') });
      const server = parley;
      await run('streaming', () => streamingScenario(ctx, server, sizes.streaming), server.process.pid);
      await run('slow-reader', () => slowReaderScenario(ctx, server, sizes.slowReader), server.process.pid);
      await parley.stop();
      parley = null;
    }
    if (wanted('send-ack') || wanted('crash')) {
      parley = await startParley({
        ...base,
        dir: path.join(options.dir, 'write-path'),
        env: { AGENT_REPLIES: 'false' },
        ...(options.cpuProfile ? { cpuProfDir: path.join(options.dir, 'profiles') } : {}),
      });
      const server = parley;
      await run('send-ack', () => sendAckScenario(ctx, server, sizes.sendAck), server.process.pid);
      await run('crash', () => crashScenario(ctx, server, sizes.crash, (restarted) => (parley = restarted)));
      await parley.stop();
      parley = null;
    }
    await run('two-instances', () => twoInstancesScenario(ctx, sizes.twoInstances));
    // Last: it builds the client and starts a browser, and the web client is the newest part.
    await run('web', () => webClientScenario(ctx, sizes.web));
  } finally {
    await parley?.stop();
  }
  return { machine, results, failures, table: markdownTable(results), machineAfter: describeMachine() };
}
