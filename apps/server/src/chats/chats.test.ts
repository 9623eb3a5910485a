import { afterEach, describe, expect, it } from 'vitest';
import { login } from '../testing/clients.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

let server: TestServer;
afterEach(async () => server?.close());

async function setup() {
  server = await startTestServer();
  return login(server.url, 'alice');
}

const post = (api: Awaited<ReturnType<typeof setup>>['api'], chatId: string, content: string, clientMsgId: string = crypto.randomUUID()) =>
  api('POST', `/api/chats/${chatId}/messages`, { clientMsgId, content });

describe('chats over REST', () => {
  it('never lists an empty chat, and New Chat reuses the empty one instead of making another', async () => {
    const { api } = await setup();
    const first = await api('POST', '/api/chats');
    expect(first.status).toBe(201);
    expect(first.body.created).toBe(true);
    const again = await api('POST', '/api/chats');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, chat: { id: first.body.chat.id } });
    expect((await api('GET', '/api/chats')).body.chats).toEqual([]);

    await post(api, first.body.chat.id, 'hello');
    const listed = (await api('GET', '/api/chats')).body.chats;
    expect(listed.map((c: { id: string }) => c.id)).toEqual([first.body.chat.id]);
    const third = await api('POST', '/api/chats');
    expect(third.body.created).toBe(true);
    expect(third.body.chat.id).not.toBe(first.body.chat.id);
  });

  it('gives tabs that press New Chat at the same moment one and the same empty chat', async () => {
    const { api } = await setup();
    const answers = await Promise.all(Array.from({ length: 8 }, () => api('POST', '/api/chats')));
    expect(new Set(answers.map((a) => a.body.chat.id)).size).toBe(1);
    expect(answers.filter((a) => a.body.created)).toHaveLength(1);
    const rows = await server.server.database.prisma.chat.count(); // this server's only user
    expect(rows).toBe(1);
  });

  it('orders chats by the last user message, not by renames or creation', async () => {
    const { api } = await setup();
    const ids: string[] = [];
    for (const text of ['one', 'two', 'three']) {
      const chat = (await api('POST', '/api/chats')).body.chat;
      await post(api, chat.id, text);
      ids.push(chat.id);
      await new Promise((r) => setTimeout(r, 5));
    }
    // Activity a few milliseconds apart, so the order cannot hinge on a tie.
    const order = async () => (await api('GET', '/api/chats')).body.chats.map((c: { id: string }) => c.id);
    expect(await order()).toEqual([ids[2], ids[1], ids[0]]);
    await post(api, ids[0]!, 'back to the first');
    expect(await order()).toEqual([ids[0], ids[2], ids[1]]);
    await api('PUT', `/api/chats/${ids[1]}/title`, { title: 'Renamed' });
    expect(await order()).toEqual([ids[0], ids[2], ids[1]]);
  });

  it('titles a chat from its first message and renames it with validation', async () => {
    const { api } = await setup();
    const chat = (await api('POST', '/api/chats')).body.chat;
    expect(chat.title).toBe('New chat');
    await post(api, chat.id, 'What is the capital of France?\nAnd why?');
    expect((await api('GET', `/api/chats/${chat.id}`)).body.chat.title).toBe('What is the capital of France?');
    const renamed = await api('PUT', `/api/chats/${chat.id}/title`, { title: '  Geography  ' });
    expect(renamed.body.chat.title).toBe('Geography');
    for (const title of ['', '   ', 'x'.repeat(121)]) {
      const bad = await api('PUT', `/api/chats/${chat.id}/title`, { title });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('validation_failed');
    }
  });

  it('pages a long chat backwards with a cursor, oldest first within a page', async () => {
    const { api } = await setup();
    const chat = (await api('POST', '/api/chats')).body.chat;
    for (let i = 1; i <= 7; i += 1) await post(api, chat.id, `message ${i}`);
    const contents = (page: { messages: { content: string; role: string }[] }) => page.messages.filter((m) => m.role === 'user').map((m) => m.content);
    const first = (await api('GET', `/api/chats/${chat.id}?limit=3`)).body;
    expect(first.messages).toHaveLength(3);
    expect(first.nextCursor).toBeTruthy();
    const positions: number[] = first.messages.map((m: { position: number }) => m.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    let cursor = first.nextCursor;
    const seen = [...first.messages];
    while (cursor) {
      const page = (await api('GET', `/api/chats/${chat.id}?limit=3&before=${cursor}`)).body;
      seen.unshift(...page.messages);
      cursor = page.nextCursor;
    }
    expect(contents({ messages: seen })).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `message ${i}`));
    expect(new Set(seen.map((m) => m.id)).size).toBe(seen.length);
    expect((await api('GET', `/api/chats/${chat.id}?limit=0`)).status).toBe(400);
    expect((await api('GET', `/api/chats/${chat.id}?before=abc`)).status).toBe(400);
  });

  it('stores a message once per clientMsgId', async () => {
    const { api } = await setup();
    const chat = (await api('POST', '/api/chats')).body.chat;
    const first = await post(api, chat.id, 'once', 'same-id');
    const second = await post(api, chat.id, 'once', 'same-id');
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ duplicate: true, message: { id: first.body.message.id } });
    const users = (await api('GET', `/api/chats/${chat.id}`)).body.messages.filter((m: { role: string }) => m.role === 'user');
    expect(users).toHaveLength(1);
  });

  it('refuses empty and over-long messages with their own codes', async () => {
    const { api } = await setup();
    const chat = (await api('POST', '/api/chats')).body.chat;
    expect((await post(api, chat.id, '  \n ')).body.error.code).toBe('message_empty');
    expect((await post(api, chat.id, 'x'.repeat(16_001))).body.error.code).toBe('message_too_long');
    expect((await api('POST', `/api/chats/${chat.id}/messages`, { content: 'no id' })).body.error.code).toBe('validation_failed');
    expect((await api('GET', '/api/chats')).body.chats).toEqual([]);
  });

  it("answers another user's chat exactly like a missing one, on every route, and stores nothing", async () => {
    const alice = await setup();
    const chat = (await alice.api('POST', '/api/chats')).body.chat;
    await post(alice.api, chat.id, 'private');
    const bob = await login(server.url, 'bob');
    const attempts = [
      await bob.api('GET', `/api/chats/${chat.id}`),
      await bob.api('PUT', `/api/chats/${chat.id}/title`, { title: 'mine now' }),
      await post(bob.api, chat.id, 'intrusion'),
    ];
    const missing = await bob.api('GET', '/api/chats/does-not-exist');
    for (const res of attempts) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual(missing.body);
    }
    expect((await bob.api('GET', '/api/chats')).body.chats).toEqual([]);
    const own = (await alice.api('GET', `/api/chats/${chat.id}`)).body;
    expect(own.chat.title).not.toBe('mine now');
    expect(own.messages.filter((m: { role: string }) => m.role === 'user').map((m: { content: string }) => m.content)).toEqual(['private']);
  });

  it('requires a session on every chat route', async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/api/chats`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });

  it('refuses a state-changing request from a foreign Origin', async () => {
    const { api } = await setup();
    const res = await api('POST', '/api/chats', undefined, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });
});
