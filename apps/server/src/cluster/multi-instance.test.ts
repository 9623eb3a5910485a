import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiClient, login, TestSocket } from '../testing/clients.ts';
import { hashPassword } from '../research/password-hash.ts';
import { startServerProcess, type ServerProcess } from '../testing/server-process.ts';
import { createPostgresDatabase, rawQuery, type TestDatabase } from '../testing/test-databases.ts';
import { startTcpProxy, type TcpProxy } from '../testing/tcp-proxy.ts';

// Two real backend processes sharing one PostgreSQL database and one Redis, as in production.
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let db: TestDatabase;
let dir: string;
let prefix: string;
const servers: ServerProcess[] = [];
const sockets: TestSocket[] = [];

beforeEach(async () => {
  db = await createPostgresDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cluster-'));
  fs.writeFileSync(path.join(dir, 'agent.json'), JSON.stringify({ agent: { provider: 'echo', echoDelayMs: 10 } }));
  prefix = `parley-test-${path.basename(dir)}:`;
});

afterEach(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await Promise.all(servers.splice(0).map((s) => s.kill('SIGKILL')));
  await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function instance(env: Record<string, string> = {}) {
  const server = await startServerProcess({
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    AGENT_CONFIG: path.join(dir, 'agent.json'),
    ...env,
  });
  servers.push(server);
  return server;
}

async function tab(server: ServerProcess, token: string) {
  const socket = await TestSocket.connect(server.wsUrl, { token });
  sockets.push(socket);
  await socket.next('hello');
  return socket;
}

const healthOf = (server: ServerProcess) => fetch(`${server.url}/health`).then(async (r) => ({ status: r.status, body: (await r.json()) as { status: string } }));

/** Polls /health until it reports `wanted` (10 s at most); the last status seen. */
async function waitForHealth(server: ServerProcess, wanted: string): Promise<string> {
  let status = '';
  for (let i = 0; i < 50 && status !== wanted; i += 1) {
    await new Promise((r) => setTimeout(r, 200));
    status = (await healthOf(server)).body.status;
  }
  return status;
}

/** Two instances and one user with a chat and a tab on each. */
async function aliceOnBoth() {
  const [a, b] = await Promise.all([instance(), instance()]);
  const user = await login(a.url, 'alice');
  const chat = (await user.api('POST', '/api/chats')).body.chat as { id: string };
  return { a, b, user, chat, tabA: await tab(a, user.token), tabB: await tab(b, user.token) };
}

describe('several instances (PostgreSQL + Redis)', () => {
  it('counts a user\'s messages per minute over both instances', async () => {
    const [a, b] = await Promise.all([instance({ MESSAGES_PER_MINUTE: '2', AGENT_REPLIES: 'false' }), instance({ MESSAGES_PER_MINUTE: '2', AGENT_REPLIES: 'false' })]);
    const user = await login(a.url, 'carol');
    const chat = (await user.api('POST', '/api/chats')).body.chat as { id: string };
    const [tabA, tabB] = [await tab(a, user.token), await tab(b, user.token)];
    tabA.send({ type: 'send', chatId: chat.id, clientMsgId: 'm1', content: 'one' });
    await tabA.next('ack');
    tabB.send({ type: 'send', chatId: chat.id, clientMsgId: 'm2', content: 'two' });
    await tabB.next('ack');
    tabA.send({ type: 'send', chatId: chat.id, clientMsgId: 'm3', content: 'three' });
    expect(await tabA.next('error')).toMatchObject({ code: 'rate_limited', clientMsgId: 'm3' });
  });

  it('logging out on one instance closes that session\'s tabs on the other too', async () => {
    const { a, user, tabA, tabB } = await aliceOnBoth();
    expect((await user.api('POST', '/api/auth/logout')).status).toBe(204);
    expect(await tabA.waitClosed()).toBe(4001);
    expect(await tabB.waitClosed()).toBe(4001);
    await expect(TestSocket.connect(a.wsUrl, { token: user.token })).rejects.toMatchObject({ status: 401 });
  });

  it('a user with a tab on each instance sees every message and every streamed token on both', async () => {
    const { b, chat, tabA, tabB } = await aliceOnBoth();
    const other = await login(b.url, 'bob');
    const bobTab = await tab(b, other.token);

    tabA.send({ type: 'send', chatId: chat.id, clientMsgId: 'm1', content: '/long 60' });
    const ack = await tabA.next('ack');
    expect((await tabB.next('message')).message.id).toBe(ack.message.id);
    const doneA = await tabA.next('agent.done', () => true, 15_000);
    const doneB = await tabB.next('agent.done', () => true, 15_000);
    expect(doneB.message.content).toBe(doneA.message.content);
    const seqsB = tabB.ofType('agent.delta').map((d) => d.seq);
    expect(seqsB).toEqual(seqsB.map((_, i) => i));
    expect(tabB.ofType('agent.delta').map((d) => d.text).join('')).toBe(doneA.message.content);
    expect(bobTab.frames.map((f) => f.type)).toEqual(['hello']);
  });

  it('stop pressed on the other instance ends the reply where it runs', async () => {
    const { chat, tabA, tabB } = await aliceOnBoth();
    tabA.send({ type: 'send', chatId: chat.id, clientMsgId: 'm1', content: '/long 2000' });
    await tabB.next('agent.delta', (d) => d.seq >= 5, 10_000);
    tabB.send({ type: 'stop', chatId: chat.id });
    const done = await tabB.next('agent.done', () => true, 10_000);
    expect(done.message.status).toBe('interrupted');
    const [row] = await rawQuery<{ status: string; content: string }>(db.url, 'SELECT "status", "content" FROM "Message" WHERE "id" = ?', [done.message.id]);
    expect(row).toEqual({ status: 'interrupted', content: done.message.content });
  });

  it('a message sent through the other instance interrupts the running reply: one reply per chat', async () => {
    const { chat, tabA, tabB } = await aliceOnBoth();
    tabA.send({ type: 'send', chatId: chat.id, clientMsgId: 'm1', content: '/long 2000' });
    const first = await tabB.next('agent.start', () => true, 10_000);
    await tabB.next('agent.delta', (d) => d.seq >= 5, 10_000);
    tabB.send({ type: 'send', chatId: chat.id, clientMsgId: 'm2', content: 'Something else' });
    const interrupted = await tabB.next('agent.done', (d) => d.message.id === first.messageId, 10_000);
    expect(interrupted.message.status).toBe('interrupted');
    const second = await tabB.next('agent.done', (d) => d.message.id !== first.messageId, 15_000);
    expect(second.message).toMatchObject({ status: 'complete', content: expect.stringContaining('Something else') });
    const rows = await rawQuery<{ role: string; status: string }>(db.url, 'SELECT "role", "status" FROM "Message" WHERE "chatId" = ? ORDER BY "position"', [chat.id]);
    expect(rows.map((r) => `${r.role}:${r.status}`)).toEqual(['user:complete', 'assistant:interrupted', 'user:complete', 'assistant:complete']);
  });

  it('a tab that connects to the other instance mid-reply resumes it with no gap', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    const user = await login(a.url, 'alice');
    const chat = (await user.api('POST', '/api/chats')).body.chat;
    const tabA = await tab(a, user.token);
    tabA.send({ type: 'send', chatId: chat.id, clientMsgId: 'm1', content: '/long 150' });
    await tabA.next('agent.delta', (d) => d.seq >= 10, 10_000);
    const late = await TestSocket.connect(b.wsUrl, { token: user.token });
    sockets.push(late);
    const snapshot = await late.next('agent.snapshot', () => true, 5000);
    const done = await late.next('agent.done', () => true, 15_000);
    const live = late.ofType('agent.delta').filter((d) => d.seq > snapshot.reply!.seq);
    live.forEach((d, i) => expect(d.seq).toBe(snapshot.reply!.seq + 1 + i));
    expect(snapshot.reply!.text + live.map((d) => d.text).join('')).toBe(done.message.content);
  });

  it('killing one instance loses no acknowledged message', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    const user = await login(a.url, 'alice');
    const chat = (await user.api('POST', '/api/chats')).body.chat;
    const tabA = await tab(a, user.token);
    for (let i = 0; i < 30; i += 1) tabA.send({ type: 'send', chatId: chat.id, clientMsgId: `k-${i}`, content: `message ${i}` });
    await tabA.next('ack', (f) => f.clientMsgId === 'k-5', 10_000);
    await a.kill('SIGKILL');
    const acked = tabA.ofType('ack').map((f) => f.clientMsgId);
    const stored = (await rawQuery<{ clientMsgId: string }>(db.url, 'SELECT "clientMsgId" FROM "Message" WHERE "chatId" = ? AND "role" = \'user\'', [chat.id])).map(
      (r) => r.clientMsgId,
    );
    for (const id of acked) expect(stored).toContain(id);
    // The other instance carries on with the same data.
    const again = await login(b.url, 'alice');
    expect((await again.api('GET', `/api/chats/${chat.id}?limit=200`)).status).toBe(200);
  });

  it('without Redis an instance keeps serving its own sockets, reports degraded, and recovers', async () => {
    const redis = await startTcpProxy('127.0.0.1', Number(new URL(REDIS_URL).port || 6379));
    try {
      const a = await instance({ REDIS_URL: `redis://127.0.0.1:${redis.port}` });
      const user = await login(a.url, 'alice');
      const chat = (await user.api('POST', '/api/chats')).body.chat;
      const socket = await tab(a, user.token);
      redis.cut();
      expect(await healthOf(a)).toMatchObject({ status: 200, body: { status: 'degraded', checks: { database: 'ok', redis: 'failing' } } });
      socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'offline-1', content: 'still here?' });
      expect((await socket.next('ack')).duplicate).toBe(false);
      expect((await socket.next('agent.done', () => true, 10_000)).message.status).toBe('complete');
      redis.restore();
      expect(await waitForHealth(a, 'ok')).toBe('ok');
    } finally {
      await redis.close();
    }
  });

  it('an instance starting beside a running reply leaves it running: only a crashed instance has orphans', async () => {
    const { chat, tabA } = await aliceOnBoth();
    tabA.send({ type: 'send', chatId: chat.id, clientMsgId: 'm1', content: '/long 2000' });
    const { messageId } = await tabA.next('agent.start');
    await tabA.next('agent.delta', (d) => d.seq >= 20, 10_000);
    await instance(); // a third instance starts and recovers what it believes crashed
    const row = async () => (await rawQuery<{ status: string; content: string }>(db.url, 'SELECT "status", "content" FROM "Message" WHERE "id" = ?', [messageId]))[0]!;
    expect((await row()).status).toBe('streaming');
    // Still checkpointed where it runs.
    const before = (await row()).content.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await row()).content.length).toBeGreaterThan(before);
    expect(tabA.ofType('agent.done')).toEqual([]);
  });

  it("the research dashboard counts every instance's open connections", async () => {
    const hash = await hashPassword('pw', { N: 1024, r: 8, p: 1 });
    const [a, b] = await Promise.all([instance({ RESEARCHER_PASSWORD_HASH: hash }), instance({ RESEARCHER_PASSWORD_HASH: hash })]);
    const alice = await login(a.url, 'alice');
    const bob = await login(b.url, 'bob');
    await tab(a, alice.token);
    await tab(b, bob.token);
    await tab(b, alice.token);
    const researcher = apiClient(a.url, (await apiClient(a.url)('POST', '/api/research/login', { password: 'pw' })).body.token);
    let dashboard: { activeConnections: number; instances: number } | undefined;
    // Each instance reports every few seconds (and at once when it starts).
    for (let i = 0; i < 40 && dashboard?.activeConnections !== 3; i += 1) {
      if (i > 0) await new Promise((r) => setTimeout(r, 250));
      dashboard = (await researcher('GET', '/api/research/dashboard')).body;
    }
    expect(dashboard).toMatchObject({ activeConnections: 3, repliesRunning: 0, instances: 2 });
  });

  it('counts login attempts across instances, so more instances do not mean more guesses', async () => {
    const [a, b] = await Promise.all([instance({ LOGIN_ATTEMPTS_PER_MINUTE: '3' }), instance({ LOGIN_ATTEMPTS_PER_MINUTE: '3' })]);
    const attempt = (server: ServerProcess, username: string) => apiClient(server.url)('POST', '/api/auth/login', { username });
    expect((await attempt(a, 'u1')).status).toBe(200);
    expect((await attempt(b, 'u2')).status).toBe(200);
    expect((await attempt(a, 'u3')).status).toBe(200);
    expect(await attempt(b, 'u4')).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
  });

  it('starts while Redis is away, degraded, and joins the other instances once Redis is back', async () => {
    const redis = await startTcpProxy('127.0.0.1', Number(new URL(REDIS_URL).port || 6379));
    try {
      redis.cut();
      const [a, b] = await Promise.all([instance({ REDIS_URL: `redis://127.0.0.1:${redis.port}` }), instance()]);
      expect(await healthOf(a)).toMatchObject({ status: 200, body: { status: 'degraded', checks: { database: 'ok', redis: 'failing' } } });
      const user = await login(a.url, 'alice');
      const chat = (await user.api('POST', '/api/chats')).body.chat;
      const [tabA, tabB] = [await tab(a, user.token), await tab(b, user.token)];
      tabA.send({ type: 'send', chatId: chat.id, clientMsgId: 'alone-1', content: 'anyone there?' });
      expect((await tabA.next('ack')).duplicate).toBe(false);

      redis.restore();
      expect(await waitForHealth(a, 'ok')).toBe('ok');
      // Subscribed now: a message sent on the other instance reaches this instance's tab.
      await tabA.next('agent.done', () => true, 10_000);
      tabB.send({ type: 'send', chatId: chat.id, clientMsgId: 'together-1', content: 'and now?' });
      const ack = await tabB.next('ack', (f) => f.clientMsgId === 'together-1');
      expect((await tabA.next('message', (f) => f.message.id === ack.message.id, 5000)).message.content).toBe('and now?');
    } finally {
      await redis.close();
    }
  });

  it('answers 503 on /health while PostgreSQL is unreachable, and recovers when it returns', async () => {
    const postgres = await startTcpProxy('127.0.0.1', Number(new URL(db.url).port || 5432));
    try {
      const proxied = new URL(db.url);
      proxied.port = String(postgres.port);
      const a = await instance({ DATABASE_URL: proxied.toString(), DATABASE_TIMEOUT_MS: '500' });
      expect((await fetch(`${a.url}/health`)).status).toBe(200);
      const user = await login(a.url, 'alice');
      const chat = (await user.api('POST', '/api/chats')).body.chat;
      const socket = await tab(a, user.token);
      postgres.cut();
      const down = await fetch(`${a.url}/health`);
      expect(down.status).toBe(503);
      // Requests and frames fail with a clear, retryable error, not a generic one.
      const refused = await apiClient(a.url)('POST', '/api/auth/login', { username: 'x' });
      expect(refused).toMatchObject({ status: 503, body: { error: { code: 'unavailable', message: expect.stringMatching(/database/i) } } });
      socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'while-down', content: 'hello?' });
      expect(await socket.next('error', () => true, 10_000)).toMatchObject({ code: 'unavailable', clientMsgId: 'while-down' });
      postgres.restore();
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i += 1) {
        await new Promise((r) => setTimeout(r, 200));
        status = (await fetch(`${a.url}/health`)).status;
      }
      expect(status).toBe(200);
      expect((await login(a.url, 'back')).user.username).toBe('back');
    } finally {
      await postgres.close();
    }
  });
});
