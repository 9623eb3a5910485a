import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/config.ts';
import { DEFAULT_SCRYPT, hashPassword, parsePasswordHash, PasswordHashFormatError, verifyPassword } from './password-hash.ts';

const FAST = { N: 1024, r: 8, p: 1 };

describe('researcher password hashes', () => {
  it('verify the password they were made from and nothing else', async () => {
    const hash = parsePasswordHash(await hashPassword('correct horse battery staple', FAST));
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('describe their own parameters and salt, so two hashes of one password differ', async () => {
    const [a, b] = [await hashPassword('pw', FAST), await hashPassword('pw', FAST)];
    expect(a).toMatch(/^scrypt:N=1024,r=8,p=1:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toMatch(/[$\s]/);
  });

  it('default to strong parameters', async () => {
    const hash = await hashPassword('pw');
    expect(parsePasswordHash(hash)).toMatchObject(DEFAULT_SCRYPT);
    expect(await verifyPassword('pw', parsePasswordHash(hash))).toBe(true);
  });

  it.each([
    ['', /scrypt:N=/],
    ['bcrypt$2b$10$abc', /scrypt:N=/],
    ['scrypt:N=1000,r=8,p=1:AAAAAAAAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', /power of two/],
    ['scrypt:N=4194304,r=8,p=1:AAAAAAAAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', /power of two/],
    ['scrypt:N=1024,r=99,p=1:AAAAAAAAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', /r must/],
  ])('refuse the malformed hash %j', (text, message) => {
    expect(() => parsePasswordHash(text)).toThrow(PasswordHashFormatError);
    expect(() => parsePasswordHash(text)).toThrow(message);
  });

  it('stop the server from starting when RESEARCHER_PASSWORD_HASH or EXPORT_SALT is unusable, naming the variable', async () => {
    expect(() => loadConfig({ RESEARCHER_PASSWORD_HASH: 'hunter2' })).toThrow(ConfigError);
    expect(() => loadConfig({ RESEARCHER_PASSWORD_HASH: 'hunter2' })).toThrow(/RESEARCHER_PASSWORD_HASH/);
    expect(() => loadConfig({ EXPORT_SALT: 'short' })).toThrow(/EXPORT_SALT/);
    expect(loadConfig({}).researcherPasswordHash).toBeNull();
    expect(loadConfig({ RESEARCHER_PASSWORD_HASH: await hashPassword('x', FAST) }).researcherPasswordHash).toMatchObject(FAST);
  });
});
