import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './stats.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The core the servers run on; the load generator takes the other one (see run.ts). */
export const SERVER_CORE = '0';
export const CLIENT_CORE = '1';

export const canPin = (): boolean => spawnSync('taskset', ['-V']).status === 0;

/** `node --import tsx <script>`: one process (its pid is the server's, for /proc and kill -9), TypeScript as is. */
export function nodeTsArgs(script: string, nodeFlags: string[] = []): string[] {
  return [...nodeFlags, '--import', 'tsx', script];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface ChildServer {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** SIGTERM and wait. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL: a crash, no shutdown code runs. */
  kill9(): Promise<void>;
}

/** Starts a node process pinned to SERVER_CORE (when taskset exists), its output appended to `logFile`. */
export function spawnServer(args: string[], env: NodeJS.ProcessEnv, logFile: string, pin: boolean): ChildServer {
  const out = fs.openSync(logFile, 'a');
  const [command, argv] = pin ? ['taskset', ['-c', SERVER_CORE, process.execPath, ...args]] : [process.execPath, args];
  // taskset execs node, so the child's pid is the server's own.
  const child = spawn(command, argv, { cwd: REPO_ROOT, env, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const server: ChildServer = {
    pid: child.pid!,
    child,
    exited,
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  return server;
}

/** Polls `url` until it answers 200, or fails when the process exits or time runs out. */
export async function waitHealthy(url: string, server: ChildServer, logFile: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void server.exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) throw new Error(`server exited during start-up; log ${logFile}:\n${tail(logFile)}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  throw new Error(`server not healthy after ${timeoutMs} ms; log ${logFile}:\n${tail(logFile)}`);
}

export function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Resident memory of a process, bytes, from /proc (what the kernel charges it, heap and native). */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100; // USER_HZ is 100 on Linux.
}

/** Seconds a process has spent runnable but waiting for a CPU (/proc/<pid>/schedstat), 0 if unknown. */
export function runQueueWaitSeconds(pid: number): number {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
  } catch {
    return 0;
  }
}

/**
 * How much of a time window a process spent waiting for a CPU that others held. On a shared machine
 * this is the noise behind a latency figure: a server that waited 30% of the time for its core
 * answers late for reasons that are not its own.
 */
export function cpuContention(pid: number): () => { cpuSeconds: number; waitPct: number } {
  const started = performance.now();
  const cpu0 = cpuSeconds(pid);
  const wait0 = runQueueWaitSeconds(pid);
  return () => {
    const wall = (performance.now() - started) / 1000;
    return { cpuSeconds: cpuSeconds(pid) - cpu0, waitPct: Math.round(((runQueueWaitSeconds(pid) - wait0) / wall) * 1000) / 10 };
  };
}
