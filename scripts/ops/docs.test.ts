// SERVER_SETUP.md and .env.example must describe every setting the code reads, and .env.example copied as
// it is must be a valid configuration. Settings get added in the backend; this test is what notices.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../apps/server/src/config/config.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');
const dotenv = createRequire(path.join(ROOT, 'apps', 'server', 'package.json'))('dotenv') as { parse: (t: string) => Record<string, string> };
const { resolveConfig } = createRequire(import.meta.url)('./config.cjs') as { resolveConfig: (env: NodeJS.ProcessEnv, root?: string) => Record<string, unknown> };

/** The variables the backend's zod schema declares (the keys of `envSchema` in config.ts). */
function backendVariables(): string[] {
  const source = read('apps/server/src/config/config.ts');
  const schema = /const envSchema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(source);
  expect(schema, 'envSchema not found in apps/server/src/config/config.ts').not.toBeNull();
  return [...schema![1]!.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
}

/** The variables the operations resolver reads. */
function opsVariables(): string[] {
  return [...read('scripts/ops/config.cjs').matchAll(/get\('([A-Z][A-Z0-9_]+)'\)/g)].map((m) => m[1]!);
}

const setupGuide = read('SERVER_SETUP.md');
const configurationSection = setupGuide.slice(setupGuide.indexOf('## Configuration'), setupGuide.indexOf('## HTTPS'));
const envExample = read('.env.example');

describe('the operator documentation covers every setting', () => {
  const all = [...new Set([...backendVariables(), ...opsVariables()])];

  it('finds the settings to check', () => {
    expect(backendVariables()).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'ACCESS_CODE', 'SHUTDOWN_TIMEOUT_MS']));
    expect(opsVariables()).toEqual(expect.arrayContaining(['BACKEND_PORT', 'PM2_HOME', 'LOG_DIR', 'BACKUP_KEEP']));
  });

  it.each(all)('SERVER_SETUP.md#configuration explains %s', (name) => {
    expect(configurationSection).toContain(`\`${name}\``);
  });

  // NODE_ENV is the scripts' business; PORT is set from BACKEND_PORT under the scripts.
  it.each(all.filter((n) => n !== 'NODE_ENV' && n !== 'PORT'))('.env.example lists %s', (name) => {
    expect(envExample).toMatch(new RegExp(`^(# )?${name}=`, 'm'));
  });

  it('.env.example copied as .env is a valid configuration with the documented defaults', () => {
    const values = dotenv.parse(envExample);
    const backend = loadConfig({ ...values, NODE_ENV: 'production' });
    expect(backend.port).toBe(8000);
    expect(backend.accessCode).toBeNull();
    expect(backend.shutdownTimeoutMs).toBe(10_000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-envexample-'));
    try {
      const ops = resolveConfig(values, root);
      expect(ops).toMatchObject({ backendPort: 8000, frontendPort: 3000, pm2Home: path.join(root, '.pm2'), dbFile: path.join(root, 'data', 'parley.db') });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('every script the guide tells the operator to run exists', () => {
    const named = new Set([...setupGuide.matchAll(/scripts\/([a-z_]+\.sh)/g)].map((m) => m[1]!));
    expect(named.size).toBeGreaterThan(5);
    for (const script of named) expect(fs.existsSync(path.join(ROOT, 'scripts', script)), script).toBe(true);
  });
});
