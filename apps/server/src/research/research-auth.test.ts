import { afterEach, describe, expect, it } from 'vitest';
import { hashToken } from '../auth/tokens.ts';
import { apiClient, TestSocket } from '../testing/clients.ts';
import { rawQuery } from '../testing/test-databases.ts';
import { arrive } from '../study/testing/participants.ts';
import { startStudyServer, type StudyServer } from '../study/testing/study-server.ts';
import { hashPassword } from './password-hash.ts';

let server: StudyServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const PASSWORD = 'a long researcher passphrase';
const withResearcher = async (env: Record<string, string> = {}) =>
  startStudyServer({ study: { id: 'guarded' }, env: { RESEARCHER_PASSWORD_HASH: await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }), ...env } });

/** Every researcher route, so a new one cannot be added without this test covering it. */
const RESEARCH_ROUTES = [
  '/api/research/me',
  '/api/research/study',
  '/api/research/dashboard',
  '/api/research/participants',
  '/api/research/conversations',
  '/api/research/conversations/some-chat',
  '/api/research/export',
  '/api/research/export?format=csv',
  '/api/research/does-not-exist',
];

async function researcherLogin(url: string, password = PASSWORD) {
  return apiClient(url)('POST', '/api/research/login', { password });
}

describe('researcher login', () => {
  it('is disabled with a clear error when no password hash is configured', async () => {
    server = await startStudyServer();
    const res = await researcherLogin(server.url);
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({ code: 'researcher_disabled', message: expect.stringContaining('RESEARCHER_PASSWORD_HASH') });
  });

  it('refuses a wrong password without saying anything about the right one', async () => {
    server = await withResearcher();
    const res = await researcherLogin(server.url, 'a long researcher passphras');
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ code: 'unauthorized', message: 'That password is not right.' });
    expect(res.headers.get('set-cookie')).toBeNull();
    for (const body of [{}, { password: '' }, { password: 42 }, { password: PASSWORD, extra: 1 }]) {
      expect((await apiClient(server.url)('POST', '/api/research/login', body)).body.error.code).toBe('validation_failed');
    }
  });

  it('is rate-limited per address, even for the right password', async () => {
    server = await withResearcher({ RESEARCHER_LOGIN_ATTEMPTS_PER_MINUTE: '3' });
    for (let i = 0; i < 3; i += 1) expect((await researcherLogin(server.url, `guess ${i}`)).status).toBe(401);
    const limited = await researcherLogin(server.url);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(limited.headers.get('retry-after')).toBeTruthy();
  });

  it('opens a session with its own strict cookie scoped to the researcher API, usable as a bearer token too', async () => {
    server = await withResearcher();
    const res = await researcherLogin(server.url);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ token: expect.any(String), expiresAt: expect.any(String) });
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^parley_researcher=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/api\/research/i);
    const cookie = setCookie.split(';')[0]!;
    for (const route of RESEARCH_ROUTES.filter((r) => !r.includes('some-chat') && !r.includes('does-not-exist'))) {
      expect((await apiClient(server.url, res.body.token)('GET', route)).status, route).toBe(200);
      expect((await apiClient(server.url)('GET', route, undefined, { cookie })).status, route).toBe(200);
    }
    expect((await apiClient(server.url, res.body.token)('GET', '/api/research/does-not-exist')).status).toBe(404);
  });

  it('ends with logout and with expiry', async () => {
    server = await withResearcher();
    const first = (await researcherLogin(server.url)).body.token;
    expect((await apiClient(server.url, first)('POST', '/api/research/logout')).status).toBe(204);
    expect((await apiClient(server.url, first)('GET', '/api/research/me')).status).toBe(401);
    const second = (await researcherLogin(server.url)).body.token;
    await rawQuery(server.config.databaseUrl, 'UPDATE "ResearcherSession" SET "expiresAt" = ? WHERE "id" = ?', [new Date(Date.now() - 1000).toISOString(), hashToken(second)]);
    expect((await apiClient(server.url, second)('GET', '/api/research/me')).status).toBe(401);
  });
});

describe('the researcher routes', () => {
  it('refuse every participant session, by bearer token and by cookie, on every route', async () => {
    server = await withResearcher();
    const participant = await arrive(server.url, { PROLIFIC_PID: 'curious-participant' });
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"cookie-participant"}' });
    const participantCookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const participantToken = participantCookie.split('=')[1]!;
    for (const route of RESEARCH_ROUTES) {
      for (const res of [
        await apiClient(server.url)('GET', route),
        await apiClient(server.url, participant.token)('GET', route),
        await apiClient(server.url)('GET', route, undefined, { cookie: participantCookie }),
        // Even a participant token presented under the researcher cookie's name.
        await apiClient(server.url)('GET', route, undefined, { cookie: `parley_researcher=${participantToken}` }),
      ]) {
        expect(res.status, route).toBe(401);
        expect(res.body, route).toEqual({ error: { code: 'unauthorized', message: 'Please log in as a researcher.' } });
      }
    }
  });

  it('give a researcher session no participant powers', async () => {
    server = await withResearcher();
    const token = (await researcherLogin(server.url)).body.token;
    expect((await apiClient(server.url, token)('GET', '/api/me')).status).toBe(401);
    expect((await apiClient(server.url, token)('GET', '/api/chats')).status).toBe(401);
    await expect(TestSocket.connect(server.wsUrl, { token })).rejects.toMatchObject({ status: 401 });
  });

  it('refuse a researcher login posted from a foreign page', async () => {
    server = await withResearcher();
    const res = await apiClient(server.url)('POST', '/api/research/login', { password: PASSWORD }, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
  });
});
