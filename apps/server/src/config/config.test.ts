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

  it('keeps the database and the agent file in PARLEY_DATA_DIR, unless they are set themselves', () => {
    const config = loadConfig({ PARLEY_DATA_DIR: '/srv/parley' });
    expect(config).toMatchObject({ databaseUrl: 'file:/srv/parley/parley.db', agentConfigPath: '/srv/parley/agent.json' });
    expect(loadConfig({ PARLEY_DATA_DIR: 'lab' }).agentConfigPath).toBe(path.join(REPO_ROOT, 'lab', 'agent.json'));
    expect(loadConfig({ PARLEY_DATA_DIR: '/srv/parley', DATABASE_URL: 'file:/elsewhere.db', AGENT_CONFIG: '/etc/agent.json' })).toMatchObject({
      databaseUrl: 'file:/elsewhere.db',
      agentConfigPath: '/etc/agent.json',
    });
  });

  it('trusts proxies on this machine by default, and reads ANTHROPIC_BASE_URL', () => {
    expect(loadConfig({})).toMatchObject({ trustProxy: 'loopback', anthropicBaseUrl: null });
    expect(loadConfig({ TRUST_PROXY: 'false', ANTHROPIC_BASE_URL: 'https://gateway.example/anthropic' })).toMatchObject({ trustProxy: false, anthropicBaseUrl: 'https://gateway.example/anthropic' });
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
    expect(() => loadConfig({ TRUST_PROXY: 'lopback' })).toThrow(/TRUST_PROXY/);
  });

  it.each([
    [{ ANTHROPIC_BASE_URL: 'ftp://x' }, /ANTHROPIC_BASE_URL/],
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
