import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../config/paths.ts';

/**
 * The real backend as its own process, for multi-instance and crash tests. Node loads tsx as a hook
 * (`node --import tsx`) rather than through the tsx command, which would put a wrapper process in
 * between: a SIGKILL must hit the server itself, or it lives on as an orphan.
 */
export interface ServerProcess {
  url: string;
  wsUrl: string;
  child: ChildProcess;
  /** Everything it logged, for assertions and for debugging a failure. */
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startServerProcess(env: Record<string, string>, timeoutMs = 20_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'apps', 'server', 'src', 'main.ts')], {
    cwd: REPO_ROOT,
    // Tests send many messages as one user; a test of the per-user limit sets its own.
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', MESSAGES_PER_MINUTE: '1000000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/"port":(\d+)[^\n]*"msg":"parley backend listening"/);
      if (!match) return;
      clearTimeout(timer);
      const url = `http://127.0.0.1:${match[1]}`;
      resolve({
        url,
        wsUrl: `${url.replace('http', 'ws')}/ws`,
        child,
        output: () => output,
        kill: (signal = 'SIGTERM') =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill(signal);
          }),
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}
