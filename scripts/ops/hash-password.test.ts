// scripts/hash_password.sh: the hash it makes is one the backend accepts for the password typed, and
// --save edits .env without disturbing the rest of it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../apps/server/src/config/config.ts';
import { parsePasswordHash, verifyPassword } from '../../apps/server/src/research/password-hash.ts';
import { setEnvLine } from './researcher-password.ts';

const SCRIPT = path.resolve(import.meta.dirname, '..', 'hash_password.sh');
const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], input: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-hash-'));
  temps.push(dir);
  const result = spawnSync('sh', [SCRIPT, ...args], { input, cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  return { ...result, dir };
}

describe('hash_password.sh', () => {
  it('prints a RESEARCHER_PASSWORD_HASH line the backend accepts for that password only', async () => {
    const r = run([], 'correct horse battery\n');
    expect(r.status, r.stderr).toBe(0);
    const match = /^RESEARCHER_PASSWORD_HASH=(scrypt:\S+)\n$/.exec(r.stdout);
    expect(match).not.toBeNull();
    expect(r.stdout).not.toContain('correct horse');
    const hash = parsePasswordHash(match![1]!);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(loadConfig({ RESEARCHER_PASSWORD_HASH: match![1]! }).researcherPasswordHash).not.toBeNull();
  }, 30_000);

  it('--save replaces the line in the env file, keeps every other line and the file mode', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-hash-'));
    temps.push(dir);
    const envFile = path.join(dir, 'site.env');
    fs.writeFileSync(envFile, 'ACCESS_CODE=abc\n# RESEARCHER_PASSWORD_HASH=\nLOG_LEVEL=info\n', { mode: 0o600 });
    const r = run(['--save', '--env-file', envFile], 'another password\n');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const lines = fs.readFileSync(envFile, 'utf8').split('\n');
    expect(lines[0]).toBe('ACCESS_CODE=abc');
    expect(lines[1]).toMatch(/^RESEARCHER_PASSWORD_HASH=scrypt:/);
    expect(lines[2]).toBe('LOG_LEVEL=info');
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
    expect(await verifyPassword('another password', parsePasswordHash(lines[1]!.split('=').slice(1).join('=')))).toBe(true);
  }, 30_000);

  it('refuses a short password and writes nothing', () => {
    const r = run(['--save', '--env-file', 'x.env'], 'short\n');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('at least 8 characters');
    expect(fs.existsSync(path.join(r.dir, 'x.env'))).toBe(false);
  }, 30_000);
});

describe('setEnvLine', () => {
  it('replaces an existing, exported or commented-out line, or appends one', () => {
    expect(setEnvLine('A=1\nK=old\n', 'K', 'new')).toBe('A=1\nK=new\n');
    expect(setEnvLine('export K=old\n', 'K', 'new')).toBe('K=new\n');
    expect(setEnvLine('#K=\n', 'K', 'new')).toBe('K=new\n');
    expect(setEnvLine('A=1', 'K', 'new')).toBe('A=1\nK=new\n');
    expect(setEnvLine('', 'K', 'new')).toBe('K=new\n');
    expect(setEnvLine('KK=1\n', 'K', 'new')).toBe('KK=1\nK=new\n');
  });
});
