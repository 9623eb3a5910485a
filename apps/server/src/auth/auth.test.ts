import { afterEach, describe, expect, it } from 'vitest';
import { apiClient, login, TestSocket } from '../testing/clients.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

let server: TestServer;
afterEach(async () => server?.close());

describe('login', () => {
  it.each([
    [{ username: '' }, 'empty'],
    [{ username: '   ' }, 'only spaces'],
    [{ username: 'x'.repeat(65) }, 'too long'],
    [{ username: 'bad\u0007name' }, 'control character'],
    [{ username: 42 }, 'not text'],
    [{}, 'missing'],
  ] as [unknown, string][])('refuses %j (%s) with 400 and a readable error', async (body) => {
    server = await startTestServer();
    const res = await apiClient(server.url)('POST', '/api/auth/login', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toMatch(/username/i);
  });

  it('refuses malformed JSON with invalid_json', async () => {
    server = await startTestServer();
    const res = await apiClient(server.url)('POST', '/api/auth/login', '{"username":', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'invalid_json', message: expect.any(String) } });
  });

  it('answers 400 with a plain message to a body in another charset and to an undecodable address', async () => {
    server = await startTestServer();
    const latin1 = await apiClient(server.url)('POST', '/api/auth/login', '{"username":"ada"}', { 'content-type': 'application/json; charset=latin1' });
    expect(latin1.status).toBe(400);
    expect(latin1.body).toEqual({ error: { code: 'bad_request', message: 'The request body must be JSON in UTF-8.' } });
    const { token } = await login(server.url, 'ada');
    const undecodable = await apiClient(server.url, token)('GET', '/api/chats/%E0');
    expect(undecodable.status).toBe(400);
    expect(undecodable.body.error.code).toBe('bad_request');
  });

  it('creates the user on first login, trims the name, and finds the same user the next time', async () => {
    server = await startTestServer();
    const first = await login(server.url, '  Ada Lovelace ');
    const second = await login(server.url, 'Ada Lovelace');
    expect(first.user.username).toBe('Ada Lovelace');
    expect(second.user.id).toBe(first.user.id);
    expect(second.token).not.toBe(first.token);
  });

  it('sets an HttpOnly SameSite=Lax session cookie that authenticates /api/me', async () => {
    server = await startTestServer();
    const res = await apiClient(server.url)('POST', '/api/auth/login', { username: 'cookie-user' });
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^parley_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Expires=/i);
    const cookie = setCookie.split(';')[0]!;
    const me = await apiClient(server.url)('GET', '/api/me', undefined, { cookie });
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe('cookie-user');
  });

  it('answers /api/me with 401 without a session and with a bearer token otherwise', async () => {
    server = await startTestServer();
    expect((await apiClient(server.url)('GET', '/api/me')).status).toBe(401);
    expect((await apiClient(server.url, 'not-a-token')('GET', '/api/me')).status).toBe(401);
    const { api } = await login(server.url, 'bearer-user');
    expect((await api('GET', '/api/me')).body.user.username).toBe('bearer-user');
  });

  it('requires the access code when the server has one', async () => {
    server = await startTestServer({ ACCESS_CODE: 'open sesame' });
    const api = apiClient(server.url);
    expect((await api('GET', '/api/config')).body.accessCodeRequired).toBe(true);
    const missing = await api('POST', '/api/auth/login', { username: 'x' });
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('bad_access_code');
    const wrong = await api('POST', '/api/auth/login', { username: 'x', accessCode: 'open' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).not.toContain('open sesame');
    expect((await api('POST', '/api/auth/login', { username: 'x', accessCode: 'open sesame' })).status).toBe(200);
  });

  it('is rate-limited per address', async () => {
    server = await startTestServer({ LOGIN_ATTEMPTS_PER_MINUTE: '3' });
    const api = apiClient(server.url);
    for (let i = 0; i < 3; i += 1) expect((await api('POST', '/api/auth/login', { username: `u${i}` })).status).toBe(200);
    const limited = await api('POST', '/api/auth/login', { username: 'u4' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(limited.headers.get('retry-after')).toBeTruthy();
  });

  it('counts each participant behind the local frontend server by their own address', async () => {
    server = await startTestServer({ LOGIN_ATTEMPTS_PER_MINUTE: '2' });
    // The production frontend server (apps/web/server) forwards from 127.0.0.1 with X-Forwarded-For.
    const via = (address: string, username: string) =>
      fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ username }) });
    for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      for (let i = 0; i < 2; i += 1) expect((await via(address, `${address}-${i}`)).status).toBe(200);
    }
    expect((await via('203.0.113.1', 'third-try')).status).toBe(429);
  });
});

describe('logout', () => {
  it('ends the session: REST answers 401 and its open sockets close with 4001', async () => {
    server = await startTestServer();
    const { token, api } = await login(server.url, 'leaving');
    const socket = await TestSocket.connect(server.wsUrl, { token });
    await socket.next('hello');
    expect((await api('POST', '/api/auth/logout')).status).toBe(204);
    expect(await socket.waitClosed()).toBe(4001);
    expect((await api('GET', '/api/me')).status).toBe(401);
    await expect(TestSocket.connect(server.wsUrl, { token })).rejects.toMatchObject({ status: 401 });
  });
});

describe('session expiry', () => {
  it('closes an open socket with 4001 when its session is gone from the database (ended where this server could not hear of it)', async () => {
    server = await startTestServer({ HEARTBEAT_INTERVAL_MS: '1000' });
    const ada = await login(server.url, 'ada');
    const bob = await login(server.url, 'bob');
    const adaSocket = await TestSocket.connect(server.wsUrl, { token: ada.token });
    const bobSocket = await TestSocket.connect(server.wsUrl, { token: bob.token });
    await adaSocket.next('hello');
    await bobSocket.next('hello');
    await server.server.database.prisma.session.deleteMany({ where: { userId: ada.user.id } });
    expect(await adaSocket.waitClosed(8_000)).toBe(4001);
    expect(bobSocket.closeCode).toBeNull();
    bobSocket.close();
  });

  it('closes an open socket with 4001 when its session expires', async () => {
    server = await startTestServer({ HEARTBEAT_INTERVAL_MS: '1000' });
    const { token, user } = await login(server.url, 'late');
    const socket = await TestSocket.connect(server.wsUrl, { token });
    await socket.next('hello');
    // The session's fortnight has passed.
    await server.server.database.prisma.session.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await socket.waitClosed(8_000)).toBe(4001);
  });

  it('refuses an expired session on REST and on the socket, and logging in again starts a new one', async () => {
    server = await startTestServer({ SESSION_TTL_HOURS: '1' });
    const first = await login(server.url, 'returning');
    expect(new Date(first.expiresAt).getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
    // The hour has passed.
    await server.server.database.prisma.session.updateMany({ where: { userId: first.user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await first.api('GET', '/api/me')).status).toBe(401);
    await expect(TestSocket.connect(server.wsUrl, { token: first.token })).rejects.toMatchObject({ status: 401 });
    const again = await login(server.url, 'returning');
    expect(again.user.id).toBe(first.user.id);
    expect((await again.api('GET', '/api/me')).status).toBe(200);
  });
});
