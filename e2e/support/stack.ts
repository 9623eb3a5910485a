import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Starts the real system for end-to-end tests: the backend (tsx, a temp SQLite file, the echo
 * agent) and the production frontend server (serving apps/web/dist and proxying to the
 * backend), each on a free port. Processes run `node --import tsx` directly, not through a
 * wrapper, so a kill reaches the server itself.
 */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface StackOptions {
  /** A fresh directory for the database, agent config and logs. */
  dir: string;
  /** Pause between echo words; small keeps tests fast, larger leaves time to act mid-stream. */
  echoDelayMs?: number;
  /** Extra backend environment (for example a higher frame rate for seeding). */
  backendEnv?: Record<string, string>;
  /** The settings file's content (AGENT_CONFIG); by default the echo agent alone, no study. */
  agentConfig?: object;
}

export interface RunningProcess {
  readonly port: number;
  /** SIGKILL, as in a crash; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same files. */
  restart(): Promise<void>;
  /** SIGTERM and wait (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

export interface Stack {
  baseURL: string;
  backend: RunningProcess;
  frontend: RunningProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startStack(options: StackOptions): Promise<Stack> {
  mkdirSync(options.dir, { recursive: true });
  const agentConfig = path.join(options.dir, 'agent.json');
  writeFileSync(agentConfig, JSON.stringify(options.agentConfig ?? { agent: { provider: 'echo', echoDelayMs: options.echoDelayMs ?? 20 } }));
  const [backendPort, frontendPort] = [await freePort(), await freePort()];

  const backend = await startProcess({
    name: 'backend',
    entry: 'apps/server/src/main.ts',
    port: backendPort,
    healthPath: '/health',
    logFile: path.join(options.dir, 'backend.log'),
    env: {
      NODE_ENV: 'production',
      PORT: String(backendPort),
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${path.join(options.dir, 'parley.db')}`,
      AGENT_CONFIG: agentConfig,
      LOG_LEVEL: 'warn',
      // Every test logs in fresh users from the same address; the production limit would trip.
      LOGIN_ATTEMPTS_PER_MINUTE: '10000',
      // The performance test seeds a 5,000-message chat as one user.
      MESSAGES_PER_MINUTE: '1000000',
      ...options.backendEnv,
    },
  });
  const frontend = await startProcess({
    name: 'frontend',
    entry: 'apps/web/server/main.ts',
    port: frontendPort,
    healthPath: '/healthz',
    logFile: path.join(options.dir, 'frontend.log'),
    env: { WEB_PORT: String(frontendPort), HOST: '127.0.0.1', BACKEND_URL: `http://127.0.0.1:${backendPort}` },
  });
  return {
    baseURL: `http://127.0.0.1:${frontendPort}`,
    backend,
    frontend,
    async stop() {
      await Promise.all([frontend.stop(), backend.stop()]);
    },
  };
}

interface ProcessSpec {
  name: string;
  entry: string;
  port: number;
  healthPath: string;
  logFile: string;
  env: Record<string, string>;
}

async function startProcess(spec: ProcessSpec): Promise<RunningProcess> {
  let child: ChildProcess | null = null;
  const log = createWriteStream(spec.logFile, { flags: 'a' });

  async function launch(): Promise<void> {
    // Only what the server needs from this environment, so a developer's .env or PORT cannot leak in.
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...spec.env };
    const proc = spawn(process.execPath, ['--import', 'tsx', spec.entry], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout.pipe(log, { end: false });
    proc.stderr.pipe(log, { end: false });
    child = proc;
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`${spec.name} exited with code ${code} during start-up; see ${spec.logFile}`))),
    );
    await Promise.race([waitForHealth(`http://127.0.0.1:${spec.port}${spec.healthPath}`, 60_000, spec.name), exited]);
  }

  async function terminate(signal: NodeJS.Signals): Promise<void> {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  }

  await launch();
  return {
    port: spec.port,
    kill: () => terminate('SIGKILL'),
    restart: launch,
    stop: () => terminate('SIGTERM'),
  };
}

async function waitForHealth(url: string, timeoutMs: number, name: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${name} did not become healthy at ${url} within ${timeoutMs} ms`);
}
