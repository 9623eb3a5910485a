import fs from 'node:fs';
import path from 'node:path';
import { freePort, nodeTsArgs, REPO_ROOT, rssBytes, spawnServer, waitHealthy, type ChildServer } from './processes.ts';
import { sleep } from './stats.ts';

/** Settings every bench server shares. */
export interface BenchServerOptions {
  /** Work directory: database, agent file, logs. */
  dir: string;
  pin: boolean;
  heartbeatIntervalMs: number;
  echoDelayMs: number;
}

export interface RunningServer {
  readonly kind: 'parley' | 'baseline';
  readonly url: string;
  readonly wsUrl: string;
  readonly process: ChildServer;
  readonly logFile: string;
  rss(): number;
  stop(): Promise<void>;
}

/** The bare ws baseline (baseline-server.ts) on a fresh port. */
export async function startBaseline(options: BenchServerOptions): Promise<RunningServer> {
  const port = await freePort();
  const logFile = path.join(options.dir, 'baseline.log');
  const child = spawnServer(
    nodeTsArgs(path.join(REPO_ROOT, 'scripts/bench/baseline-server.ts')),
    { ...process.env, PORT: String(port), ECHO_DELAY_MS: String(options.echoDelayMs), HEARTBEAT_INTERVAL_MS: String(options.heartbeatIntervalMs) },
    logFile,
    options.pin,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, child, logFile);
  return { kind: 'baseline', url, wsUrl: `ws://127.0.0.1:${port}/ws`, process: child, logFile, rss: () => rssBytes(child.pid), stop: () => child.stop() };
}

export interface ParleyOptions extends BenchServerOptions {
  /** Reuse a port (a restart keeps the URL the clients know). */
  port?: number;
  /** Extra environment, e.g. AGENT_REPLIES=off. */
  env?: Record<string, string>;
  /** Write a V8 CPU profile into this directory when the server exits (`--cpu-prof`). */
  cpuProfDir?: string;
  /** Agent settings to write before start (default: the echo agent at `echoDelayMs`, kept across restarts). */
  agent?: Record<string, unknown>;
}

export interface ParleyServerProcess extends RunningServer {
  readonly port: number;
  readonly dbFile: string;
  readonly options: ParleyOptions;
  /** GET /metrics (allowed: the bench is on the server's machine). */
  metrics(): Promise<string>;
  /** Rewrites the agent file; the server reloads it without a restart. */
  setAgent(agent: Record<string, unknown>): Promise<void>;
  kill9(): Promise<void>;
}

/** Parley's real backend in production mode, as an operator starts it, on its own SQLite file. */
export async function startParley(options: ParleyOptions): Promise<ParleyServerProcess> {
  fs.mkdirSync(options.dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const dbFile = path.join(options.dir, 'parley.db');
  const agentFile = path.join(options.dir, 'agent.json');
  if (options.agent) writeAgent(agentFile, options.agent);
  else if (!fs.existsSync(agentFile)) writeAgent(agentFile, { provider: 'echo', echoDelayMs: options.echoDelayMs });
  const logFile = path.join(options.dir, 'parley.log');
  const nodeFlags = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: `file:${dbFile}`,
    AGENT_CONFIG: agentFile,
    LOG_LEVEL: 'info',
    HEARTBEAT_INTERVAL_MS: String(options.heartbeatIntervalMs),
    // The bench's clients are few addresses doing many users' work: lift the per-address limits.
    WS_FRAMES_PER_SECOND: '100000',
    LOGIN_ATTEMPTS_PER_MINUTE: '100000',
    // Each simulated participant sends a few messages a second, far above a person's pace.
    MESSAGES_PER_MINUTE: '1000000',
    ...options.env,
  };
  const child = spawnServer(nodeTsArgs(path.join(REPO_ROOT, 'apps/server/src/main.ts'), nodeFlags), env, logFile, options.pin);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/health`, child, logFile);
  return {
    kind: 'parley',
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    dbFile,
    options: { ...options, port },
    process: child,
    logFile,
    rss: () => rssBytes(child.pid),
    stop: () => child.stop(),
    kill9: () => child.kill9(),
    async metrics() {
      const res = await fetch(`${url}/metrics`);
      if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
      return res.text();
    },
    async setAgent(agent) {
      const before = fs.readFileSync(logFile, 'utf8').length;
      writeAgent(agentFile, agent);
      // The store logs each reload; wait for it so the next reply runs on the new settings.
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        if (fs.readFileSync(logFile, 'utf8').slice(before).includes('agent config loaded')) return;
        await sleep(50);
      }
      throw new Error('the server did not reload the agent configuration');
    },
  };
}

function writeAgent(file: string, agent: Record<string, unknown>): void {
  // Write then rename, as an editor does: the server never reads a half-written file.
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ agent }));
  fs.renameSync(`${file}.tmp`, file);
}

/** One sample's value from Prometheus text (`name` or `name{labels}`); NaN when absent. */
export function metricValue(text: string, name: string, labels?: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const key = line.slice(0, line.lastIndexOf(' '));
    if (key === name || (labels !== undefined ? key === `${name}{${labels}}` : key.startsWith(`${name}{`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return Number.NaN;
}

/**
 * A quantile of a Prometheus histogram over the window between two scrapes, as the upper bound of
 * the bucket it falls in (coarse, but it is the server's own view, without the network or the client).
 */
export function histogramQuantile(before: string, after: string, name: string, q: number): number {
  const buckets = (text: string) =>
    new Map(
      text
        .split('\n')
        .filter((l) => l.startsWith(`${name}_bucket{`))
        .map((l) => [/le="([^"]+)"/.exec(l)![1]!, Number(l.slice(l.lastIndexOf(' ') + 1))] as const),
    );
  const b0 = buckets(before);
  const b1 = buckets(after);
  const total = (b1.get('+Inf') ?? 0) - (b0.get('+Inf') ?? 0);
  if (total <= 0) return Number.NaN;
  for (const [le, count] of b1) {
    if (count - (b0.get(le) ?? 0) >= q * total) return le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
  }
  return Number.NaN;
}
