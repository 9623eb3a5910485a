// scripts/export.sh: the same records as the researcher endpoint, from the database directly,
// written to a file only when complete.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../apps/server/src/research/password-hash.ts';
import { apiClient } from '../../apps/server/src/testing/clients.ts';
import { arrive } from '../../apps/server/src/study/testing/participants.ts';
import { startStudyServer, type StudyServer } from '../../apps/server/src/study/testing/study-server.ts';

const SCRIPT = path.resolve(import.meta.dirname, '..', 'export.sh');
const SALT = 'export-script-salt-0123456789abcdef';
let server: StudyServer;
let token: string;
let dir: string;

function run(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', [SCRIPT, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: server.config.databaseUrl, EXPORT_SALT: SALT, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const endpoint = async (query: string) => (await fetch(`${server.url}/api/research/export?${query}`, { headers: { authorization: `Bearer ${token}` } })).text();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-export-script-'));
  server = await startStudyServer({
    study: { id: 'script-study', conditions: { a: {}, b: {} } },
    env: { RESEARCHER_PASSWORD_HASH: await hashPassword('pw', { N: 1024, r: 8, p: 1 }), EXPORT_SALT: SALT },
  });
  token = (await apiClient(server.url)('POST', '/api/research/login', { password: 'pw' })).body.token;
  for (const pid of ['s1', 's2']) {
    const p = await arrive(server.url, { PROLIFIC_PID: pid });
    const chat = (await p.api('POST', '/api/chats')).body.chat;
    await p.api('POST', `/api/chats/${chat.id}/messages`, { clientMsgId: 'q', content: `=cmd|' /c calc'!A0, from ${pid}\n"quoted"` });
  }
  // Let the echo replies finish, so both exports read the same rows.
  await new Promise((r) => setTimeout(r, 500));
}, 60_000);

afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('scripts/export.sh', () => {
  it.each([
    ['--study script-study', 'study=script-study'],
    ['--format csv --study script-study', 'format=csv&study=script-study'],
    ['--study script-study --pseudonymize', 'study=script-study&pseudonymize=1'],
    ['--condition a --format csv', 'condition=a&format=csv'],
  ])('`%s` writes what the endpoint serves for ?%s', async (args, query) => {
    const result = await run(args.split(' '));
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(await endpoint(query));
    expect(result.stdout.length).toBeGreaterThan(100);
  }, 30_000);

  it('writes --out only when complete, readable by its owner only, and reports what it wrote', async () => {
    const out = path.join(dir, 'data.jsonl');
    const result = await run(['--study', 'script-study', '--out', out]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/2 participants, 2 conversations, 4 messages written to/);
    expect(fs.readFileSync(out, 'utf8')).toBe(await endpoint('study=script-study'));
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(`${out}.partial`)).toBe(false);
  }, 30_000);

  it('refuses bad arguments and bad settings with a message, writing nothing', async () => {
    const out = path.join(dir, 'never.jsonl');
    for (const [args, env, message] of [
      [['--format', 'xlsx', '--out', out], {}, /format/],
      [['--from', 'last tuesday', '--out', out], {}, /from/],
      [['--password', 'x'], {}, /Unknown option '--password'/],
      [['--out', out], { EXPORT_SALT: 'short' }, /EXPORT_SALT/],
    ] as const) {
      const result = await run([...args], env);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
    expect(fs.existsSync(out)).toBe(false);
  }, 30_000);
});
