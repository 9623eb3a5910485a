import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
import { REPO_ROOT } from './paths.ts';

describe('loadConfig', () => {
  it('has working defaults: port 8000, SQLite under data/, the frontend origins', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8000);
    expect(config.databaseUrl).toBe(`file:${path.join(REPO_ROOT, 'data', 'parley.db')}`);
    expect(config.allowedOrigins).toContain('http://localhost:3000');
    expect(config.accessCode).toBeNull();
    expect(config.maxFrameBytes).toBe(64 * 1024);
  });

  it('resolves a relative SQLite path against the repository, not the working directory', () => {
    expect(loadConfig({ DATABASE_URL: 'file:./x/y.db' }).databaseUrl).toBe(`file:${path.join(REPO_ROOT, 'x', 'y.db')}`);
    expect(loadConfig({ DATABASE_URL: 'file:/abs/z.db' }).databaseUrl).toBe('file:/abs/z.db');
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ ALLOWED_ORIGINS: 'not a url' }, /ALLOWED_ORIGINS/],
    [{ ALLOWED_ORIGINS: 'https://a.example/path' }, /ALLOWED_ORIGINS/],
    [{ COOKIE_SECURE: 'maybe' }, /COOKIE_SECURE/],
  ])('refuses %j with a message naming the variable', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('reads a comma-separated origin list', () => {
    expect(loadConfig({ ALLOWED_ORIGINS: 'https://a.example, https://b.example/' }).allowedOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });
});
