import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type ParleyServer } from '../app.ts';
import { loadConfig, type ServerConfig } from '../config/config.ts';
import { createLogger } from '../logging/logger.ts';
import { createTestDatabase, type TestDatabase } from './test-databases.ts';

export interface TestServer {
  server: ParleyServer;
  config: ServerConfig;
  dir: string;
  url: string;
  wsUrl: string;
  /** Stops the server (gracefully) and removes its files. */
  close(): Promise<void>;
  /** Starts a fresh server process-in-process on the same database (a restart). */
  restart(): Promise<TestServer>;
}

export interface TestServerOptions {
  /** Written to the agent configuration file before start. Default: the echo agent without delay. */
  agent?: Record<string, unknown>;
  /** Reuse this directory (and its database) instead of a new temp one. */
  dir?: string;
  /** Reuse this database (a restart) instead of a new one. */
  database?: TestDatabase;
  /** The engine, whatever TEST_DATABASE says. */
  engine?: 'sqlite' | 'postgresql';
  /** Remove `dir` on close even though it was given (a restart of a server that made it). */
  removeDir?: boolean;
}

/** A real server on an ephemeral port with its own database (see test-databases.ts) and a temp directory. */
export async function startTestServer(env: Record<string, string> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const { dir } = options;
  const workDir = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
  const database = options.database ?? (await createTestDatabase(workDir, options.engine));
  const agentFile = path.join(workDir, 'agent.json');
  if (options.agent || !fs.existsSync(agentFile)) {
    fs.writeFileSync(agentFile, JSON.stringify({ agent: options.agent ?? { provider: 'echo', echoDelayMs: 0 } }, null, 2));
  }
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    AGENT_CONFIG: agentFile,
    // Tests send hundreds of messages as one user; the test of the limit itself sets its own.
    MESSAGES_PER_MINUTE: '1000000',
    ...env,
  });
  const server = await startServer(config, createLogger(config.logLevel)).catch(async (err: unknown) => {
    if (!dir) fs.rmSync(workDir, { recursive: true, force: true });
    if (!options.database) await database.drop();
    throw err;
  });
  let closed = false;
  const test: TestServer = {
    server,
    config,
    dir: workDir,
    url: server.url,
    wsUrl: server.url.replace('http', 'ws') + '/ws',
    async close() {
      if (!closed) await server.stop();
      closed = true;
      if (!dir || options.removeDir) fs.rmSync(workDir, { recursive: true, force: true });
      await database.drop();
    },
    async restart() {
      if (!closed) await server.stop();
      closed = true;
      return startTestServer(env, { dir: workDir, database, removeDir: !dir || options.removeDir });
    },
  };
  return test;
}
