import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { vi } from 'vitest';
import { startServer, type ParleyServer } from '../../app.ts';
import { loadConfig, type ServerConfig } from '../../config/config.ts';
import { createLogger } from '../../logging/logger.ts';
import { createTestDatabase, type TestDatabase } from '../../testing/test-databases.ts';
import { ManualClock } from './manual-clock.ts';

export interface StudyServerOptions {
  /** The settings file's `study` section; omitted: no study. */
  study?: Record<string, unknown>;
  /** The settings file's `agent` section. Default: the echo agent without delay. */
  agent?: Record<string, unknown>;
  env?: Record<string, string>;
}

export interface StudyServer {
  server: ParleyServer;
  config: ServerConfig;
  clock: ManualClock;
  url: string;
  wsUrl: string;
  /** Rewrites the settings file and waits until the server has a changed study in force. */
  writeSettings(settings: { agent?: Record<string, unknown>; study?: Record<string, unknown> }): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real server (real database, real sockets) with a study in its settings file and a manual
 * clock, for the study and research tests. Like testing/test-server.ts, plus the study.
 */
export async function startStudyServer(options: StudyServerOptions = {}): Promise<StudyServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-study-'));
  const settingsFile = path.join(dir, 'agent.json');
  const write = (settings: object) => fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  write({ agent: options.agent ?? { provider: 'echo', echoDelayMs: 0 }, ...(options.study ? { study: options.study } : {}) });
  let database: TestDatabase | undefined;
  try {
    database = await createTestDatabase(dir);
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      AGENT_CONFIG: settingsFile,
      ...options.env,
    });
    const clock = new ManualClock();
    const server = await startServer(config, createLogger(config.logLevel), { clock });
    const db = database;
    let closed = false;
    return {
      server,
      config,
      clock,
      url: server.url,
      wsUrl: server.url.replace('http', 'ws') + '/ws',
      async writeSettings(settings) {
        const before = JSON.stringify(server.study.service.current());
        write(settings);
        // The settings file is watched: wait until the server has a different study in force.
        await vi.waitFor(
          () => {
            if (JSON.stringify(server.study.service.current()) === before) throw new Error('the settings file was not reloaded yet');
          },
          { timeout: 5000, interval: 25 },
        );
      },
      async close() {
        if (!closed) await server.stop();
        closed = true;
        fs.rmSync(dir, { recursive: true, force: true });
        await db.drop();
      },
    };
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    await database?.drop();
    throw err;
  }
}
