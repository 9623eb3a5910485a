// The settings resolver shared by ecosystem.config.cjs and the shell scripts, and the pm2 definitions built
// from it. Fast tests (no processes started); services.test.ts runs the scripts themselves.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const { resolveConfig, releaseId, parseEnvText, startEntry } = require('./config.cjs') as {
  resolveConfig: (env: NodeJS.ProcessEnv, root?: string) => Record<string, unknown>;
  releaseId: (root: string, parts: unknown, codePaths?: string[], readsEnvFile?: boolean) => string;
  parseEnvText: (text: string) => Record<string, string>;
  startEntry: (root: string, dir: string) => string;
};

const temps: string[] = [];
function tempRoot(envFile?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-config-'));
  temps.push(dir);
  if (envFile !== undefined) fs.writeFileSync(path.join(dir, '.env'), envFile);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('resolveConfig', () => {
  it('uses the defaults inside the repository when nothing is set', () => {
    const root = tempRoot();
    const c = resolveConfig({}, root);
    expect(c).toMatchObject({
      backendPort: 8000,
      frontendPort: 3000,
      pm2Home: path.join(root, '.pm2'),
      logDir: path.join(root, 'logs'),
      dataDir: path.join(root, 'data'),
      dbKind: 'sqlite',
      dbFile: path.join(root, 'data', 'parley.db'),
      backupDir: path.join(root, 'data', 'backups'),
      backendUrl: 'http://127.0.0.1:8000',
      proxyTarget: 'http://127.0.0.1:8000',
      frontendHost: '0.0.0.0',
      killTimeoutMs: 15_000,
    });
  });

  it('reads .env, and the environment wins over it (as in the backend, which uses dotenv)', () => {
    const root = tempRoot('# ports\nBACKEND_PORT=9100\nexport FRONTEND_PORT="9101" # comment\nLOG_DIR=var/log\n');
    expect(resolveConfig({}, root)).toMatchObject({ backendPort: 9100, frontendPort: 9101, logDir: path.join(root, 'var', 'log') });
    expect(resolveConfig({ BACKEND_PORT: '9200' }, root)).toMatchObject({ backendPort: 9200, frontendPort: 9101 });
  });

  it('moves the database and agent file with PARLEY_DATA_DIR unless they are configured', () => {
    const root = tempRoot();
    const c = resolveConfig({ PARLEY_DATA_DIR: '/srv/parley' }, root);
    expect(c.dbFile).toBe('/srv/parley/parley.db');
    expect(c.databaseUrlFromDataDir).toBe('file:/srv/parley/parley.db');
    expect(c.agentConfigFromDataDir).toBe('/srv/parley/agent.json');
    const configured = resolveConfig({ PARLEY_DATA_DIR: '/srv/parley', DATABASE_URL: 'file:db/x.db', AGENT_CONFIG: 'a.json' }, root);
    // A relative SQLite path means the repository root, exactly as the backend resolves it.
    expect(configured.dbFile).toBe(path.join(root, 'db', 'x.db'));
    expect(configured.databaseUrlFromDataDir).toBeUndefined();
    expect(configured.agentConfigFromDataDir).toBeUndefined();
  });

  it('recognises PostgreSQL and keeps its URL to itself', () => {
    const c = resolveConfig({ DATABASE_URL: 'postgresql://parley:s3cret@db/parley' }, tempRoot());
    expect(c.dbKind).toBe('postgres');
    expect(c.dbFile).toBe('');
    expect(JSON.stringify(c)).not.toContain('s3cret');
  });

  it('refuses invalid settings, naming the variable', () => {
    const root = tempRoot();
    expect(() => resolveConfig({ BACKEND_PORT: 'eighty' }, root)).toThrow(/BACKEND_PORT/);
    expect(() => resolveConfig({ FRONTEND_PORT: '70000' }, root)).toThrow(/FRONTEND_PORT/);
    expect(() => resolveConfig({ BACKEND_PORT: '9000', FRONTEND_PORT: '9000' }, root)).toThrow(/FRONTEND_PORT/);
    expect(() => resolveConfig({ DATABASE_URL: 'mysql://x' }, root)).toThrow(/DATABASE_URL/);
    expect(() => resolveConfig({ BACKEND_MAX_MEMORY: 'lots' }, root)).toThrow(/BACKEND_MAX_MEMORY/);
  });

  it('dials a specific HOST, and 127.0.0.1 for a wildcard one', () => {
    const root = tempRoot();
    expect(resolveConfig({ HOST: '0.0.0.0' }, root).backendUrl).toBe('http://127.0.0.1:8000');
    expect(resolveConfig({ HOST: '10.1.2.3' }, root).backendUrl).toBe('http://10.1.2.3:8000');
    expect(resolveConfig({ HOST: '::1' }, root).backendUrl).toBe('http://[::1]:8000');
  });
});

describe('the shell view (node scripts/ops/config.cjs --shell)', () => {
  it('prints quoted assignments and never the database URL', () => {
    const out = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'ops', 'config.cjs'), '--shell'], {
      env: { PATH: process.env.PATH, DATABASE_URL: "postgresql://parley:s3cret@db/parley", LOG_DIR: "/tmp/it's here" },
      encoding: 'utf8',
    });
    expect(out).not.toContain('s3cret');
    expect(out).toContain("DB_KIND='postgres'");
    // A value with a quote survives `eval` in sh unchanged.
    const evaluated = execFileSync('sh', ['-c', `eval "$1"; printf '%s' "$LOG_DIR"`, 'sh', out], { encoding: 'utf8' });
    expect(evaluated).toBe("/tmp/it's here");
  });

  it('exits 78 with the variable named when a setting is invalid', () => {
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'ops', 'config.cjs'), '--shell'], {
        env: { PATH: process.env.PATH, BACKEND_PORT: 'x' },
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (err) {
      failure = err as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(78);
    expect(failure?.stderr).toContain('BACKEND_PORT');
  });
});

describe('parseEnvText (used only before dependencies are installed)', () => {
  it('reads .env the way dotenv does', () => {
    const text = [
      '# comment',
      'A=1',
      'export B="two words" # trailing comment',
      "C='single # not a comment'",
      'D=plain # comment',
      'E=',
      '  F = spaced  ',
      'G="line\\nbreak"',
      'not a setting',
    ].join('\n');
    const dotenv = createRequire(path.join(ROOT, 'apps', 'server', 'package.json'))('dotenv') as { parse: (t: string) => Record<string, string> };
    expect(parseEnvText(text)).toEqual(dotenv.parse(text));
  });
});

describe('ecosystem.config.cjs', () => {
  const load = (env: NodeJS.ProcessEnv) => {
    const file = path.join(ROOT, 'ecosystem.config.cjs');
    const saved = { ...process.env };
    try {
      for (const key of Object.keys(process.env)) delete process.env[key];
      Object.assign(process.env, { PATH: saved.PATH }, env);
      delete require.cache[require.resolve(file)];
      return require(file) as { apps: Array<Record<string, any>> };
    } finally {
      for (const key of Object.keys(process.env)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  };

  it('defines the two apps with restart backoff, a memory ceiling, graceful stop and timestamped logs', () => {
    const { apps } = load({ BACKEND_PORT: '18001', FRONTEND_PORT: '18002', LOG_DIR: '/var/log/parley', SHUTDOWN_TIMEOUT_MS: '4000' });
    expect(apps.map((a) => a.name)).toEqual(['parley-backend', 'parley-frontend']);
    const [backend, frontend] = apps as [Record<string, any>, Record<string, any>];
    for (const app of apps) {
      expect(app.exp_backoff_restart_delay).toBeGreaterThan(0);
      expect(app.max_memory_restart).toMatch(/^\d+[KMG]$/);
      expect(app.kill_signal).toBe('SIGINT');
      expect(app.log_date_format).toBeTruthy();
      expect(app.out_file).toBe(app.error_file);
      expect(app.interpreter).toBe('none');
      expect(app.env.NODE_ENV).toBe('production');
    }
    // pm2 must not SIGKILL the backend inside its own shutdown window (SHUTDOWN_TIMEOUT_MS, hard exit 2 s later).
    expect(backend.kill_timeout).toBeGreaterThan(4000 + 2000);
    expect(backend.env.SHUTDOWN_TIMEOUT_MS).toBe('4000');
    expect(backend.out_file).toBe('/var/log/parley/backend.log');
    expect(frontend.out_file).toBe('/var/log/parley/frontend.log');
    expect(backend.env.PORT).toBe('18001');
    expect(frontend.env.WEB_PORT).toBe('18002');
    expect(frontend.env.BACKEND_URL).toBe('http://127.0.0.1:18001');
    expect(backend.stop_exit_codes).toContain(78);
  });

  it('runs what each app\'s `pnpm start` runs, minus pnpm', () => {
    const { apps } = load({});
    expect(apps[0]!.cwd).toBe(path.join(ROOT, 'apps', 'server'));
    expect(apps[0]!.args.at(-1)).toBe(startEntry(ROOT, 'apps/server'));
    expect(apps[1]!.cwd).toBe(path.join(ROOT, 'apps', 'web'));
    expect(apps[1]!.args.at(-1)).toBe(startEntry(ROOT, 'apps/web'));
    for (const app of apps) expect(fs.existsSync(path.join(app.cwd, app.args.at(-1)))).toBe(true);
  });

  it('changes an app\'s release id when its settings change, and only then', () => {
    const a = load({ BACKEND_PORT: '18001' }).apps[0]!.env.PARLEY_RELEASE;
    expect(load({ BACKEND_PORT: '18001' }).apps[0]!.env.PARLEY_RELEASE).toBe(a);
    expect(load({ BACKEND_PORT: '18003' }).apps[0]!.env.PARLEY_RELEASE).not.toBe(a);
  });
});

describe('releaseId', () => {
  it('changes when .env changes, so start_services.sh restarts apps on new settings', () => {
    const root = tempRoot('ACCESS_CODE=one\n');
    const first = releaseId(root, { x: 1 });
    expect(releaseId(root, { x: 1 })).toBe(first);
    fs.writeFileSync(path.join(root, '.env'), 'ACCESS_CODE=two\n');
    expect(releaseId(root, { x: 1 })).not.toBe(first);
  });

  it('ignores .env for an app that does not read it (the frontend), but not its definition', () => {
    const root = tempRoot('ACCESS_CODE=one\n');
    const first = releaseId(root, { x: 1 }, [], false);
    fs.writeFileSync(path.join(root, '.env'), 'ACCESS_CODE=two\n');
    expect(releaseId(root, { x: 1 }, [], false)).toBe(first);
    expect(releaseId(root, { x: 2 }, [], false)).not.toBe(first);
  });
});
