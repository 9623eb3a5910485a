import { afterEach, describe, expect, it } from 'vitest';
import { login, TestSocket } from '../testing/clients.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

let server: TestServer;
const sockets: TestSocket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await server?.close();
});

async function connect(token: string, options: { origin?: string } = {}) {
  const socket = await TestSocket.connect(server.wsUrl, { token, ...options });
  sockets.push(socket);
  await socket.next('hello');
  return socket;
}

async function userWithChat(name: string) {
  const user = await login(server.url, name);
  const chat = (await user.api('POST', '/api/chats')).body.chat as { id: string };
  return { ...user, chat };
}

const userMessages = async (api: Awaited<ReturnType<typeof login>>['api'], chatId: string) =>
  ((await api('GET', `/api/chats/${chatId}?limit=200`)).body.messages as { role: string; content: string; clientMsgId: string }[]).filter(
    (m) => m.role === 'user',
  );

describe('socket upgrade', () => {
  it('refuses a client without a valid session with 401', async () => {
    server = await startTestServer();
    await expect(TestSocket.connect(server.wsUrl)).rejects.toMatchObject({ status: 401 });
    await expect(TestSocket.connect(server.wsUrl, { token: 'forged' })).rejects.toMatchObject({ status: 401 });
  });

  it('refuses an Origin that is not allowed with 403, accepts allowed and same-origin ones', async () => {
    server = await startTestServer({ ALLOWED_ORIGINS: 'https://chat.example.org' });
    const { token } = await login(server.url, 'alice');
    await expect(TestSocket.connect(server.wsUrl, { token, origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    await connect(token, { origin: 'https://chat.example.org' });
    await connect(token, { origin: server.url.replace('127.0.0.1', '127.0.0.1') });
  });

  it('authenticates with the session cookie, as a browser does', async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"browser"}' });
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const socket = await TestSocket.connect(server.wsUrl, { headers: { cookie } });
    sockets.push(socket);
    const hello = await socket.next('hello');
    expect(hello.user.username).toBe('browser');
    expect(hello.protocolVersion).toBe(1);
  });

  it('answers only /ws', async () => {
    server = await startTestServer();
    const { token } = await login(server.url, 'alice');
    await expect(TestSocket.connect(server.wsUrl.replace('/ws', '/other'), { token })).rejects.toMatchObject({ status: 404 });
  });
});

describe('bad frames', () => {
  it('answers malformed JSON, unknown types and invalid fields with an error frame and stays usable', async () => {
    server = await startTestServer();
    const { token, chat } = await userWithChat('alice');
    const socket = await connect(token);
    socket.sendRaw('{not json');
    expect(await socket.next('error')).toMatchObject({ code: 'invalid_json' });
    socket.send({ type: 'launch' });
    expect(await socket.next('error')).toMatchObject({ code: 'unknown_type' });
    socket.send({ type: 'send', chatId: chat.id, content: 'no client id' });
    expect(await socket.next('error')).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/clientMsgId/) });
    socket.sendRaw('[1,2]');
    expect(await socket.next('error')).toMatchObject({ code: 'validation_failed' });
    socket.send({ type: 'ping', t: 7 });
    expect(await socket.next('pong')).toEqual({ type: 'pong', t: 7 });
  });

  it('gives content errors their own codes and the clientMsgId', async () => {
    server = await startTestServer();
    const { token, chat, api } = await userWithChat('alice');
    const socket = await connect(token);
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'c1', content: '   ' });
    expect(await socket.next('error')).toMatchObject({ code: 'message_empty', clientMsgId: 'c1', chatId: chat.id, frame: 'send' });
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'c2', content: 'x'.repeat(16_001) });
    expect(await socket.next('error')).toMatchObject({ code: 'message_too_long', clientMsgId: 'c2' });
    expect(await userMessages(api, chat.id)).toEqual([]);
  });

  it('closes the socket with 1009 on a frame over the size limit', async () => {
    server = await startTestServer({ MAX_FRAME_BYTES: '2048' });
    const { token, chat } = await userWithChat('alice');
    const socket = await connect(token);
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'big', content: 'x'.repeat(3000) });
    expect(await socket.waitClosed()).toBe(1009);
  });

  it('rate-limits a flooding client with an error frame, then closes it', async () => {
    server = await startTestServer({ WS_FRAMES_PER_SECOND: '5' });
    const { token } = await userWithChat('alice');
    const socket = await connect(token);
    for (let i = 0; i < 30; i += 1) socket.send({ type: 'ping', t: i });
    expect(await socket.next('error')).toMatchObject({ code: 'rate_limited' });
    expect(await socket.waitClosed()).toBe(4008);
    expect(socket.ofType('pong').length).toBeLessThanOrEqual(5);
  });

  it('closes a client that queues frames faster than they are handled, before memory grows', async () => {
    // A generous rate limit, so only the queue bound (two seconds' worth: 2,000 frames) can stop it.
    server = await startTestServer({ WS_FRAMES_PER_SECOND: '1000', AGENT_REPLIES: 'false' });
    const { token, chat } = await userWithChat('alice');
    const socket = await connect(token);
    // Each send waits for its commit, so a burst arrives far faster than it is handled.
    for (let i = 0; i < 3000; i += 1) socket.send({ type: 'send', chatId: chat.id, clientMsgId: `f${i}`, content: `burst ${i}` });
    expect(await socket.waitClosed()).toBe(4008);
    expect(socket.ofType('error').filter((e) => e.code === 'rate_limited')).toHaveLength(1);
    expect(socket.ofType('ack').length).toBeLessThan(1000);
  });
});

describe('sending', () => {
  it('acks with the stored message, resends are idempotent, and the other tabs get the message', async () => {
    server = await startTestServer();
    const { token, chat, api } = await userWithChat('alice');
    const tab1 = await connect(token);
    const tab2 = await connect(token);
    tab1.send({ type: 'send', chatId: chat.id, clientMsgId: 'm-1', content: 'Hello there' });
    const ack = await tab1.next('ack');
    expect(ack).toMatchObject({ chatId: chat.id, clientMsgId: 'm-1', duplicate: false, message: { role: 'user', content: 'Hello there', status: 'complete', clientMsgId: 'm-1' } });
    const pushed = await tab2.next('message');
    expect(pushed.message.id).toBe(ack.message.id);
    expect(await tab2.next('chat.updated')).toMatchObject({ chat: { id: chat.id, lastUserMessageAt: ack.message.createdAt } });
    expect(tab1.ofType('message')).toEqual([]);

    tab1.send({ type: 'send', chatId: chat.id, clientMsgId: 'm-1', content: 'Hello there' });
    const again = await tab1.next('ack');
    expect(again).toMatchObject({ duplicate: true, message: { id: ack.message.id } });
    expect(await userMessages(api, chat.id)).toHaveLength(1);
  });

  it('limits the messages one user sends per minute over all their tabs and REST, refusing the extra one by name', async () => {
    server = await startTestServer({ MESSAGES_PER_MINUTE: '3', AGENT_REPLIES: 'false' });
    const { token, chat, api } = await userWithChat('alice');
    const tab1 = await connect(token);
    const tab2 = await connect(token);
    // Messages that were not stored (no such chat) do not count.
    for (const id of ['x1', 'x2']) expect((await api('POST', '/api/chats/no-such-chat/messages', { clientMsgId: id, content: 'lost' })).status).toBe(404);
    tab1.send({ type: 'send', chatId: chat.id, clientMsgId: 'a', content: 'one' });
    await tab1.next('ack');
    tab2.send({ type: 'send', chatId: chat.id, clientMsgId: 'b', content: 'two' });
    await tab2.next('ack');
    expect((await api('POST', `/api/chats/${chat.id}/messages`, { clientMsgId: 'c', content: 'three' })).status).toBe(201);
    tab1.send({ type: 'send', chatId: chat.id, clientMsgId: 'd', content: 'four' });
    expect(await tab1.next('error')).toMatchObject({ code: 'rate_limited', clientMsgId: 'd', chatId: chat.id, message: expect.stringMatching(/wait \d+ s/) });
    // A resend of a stored message (after a reconnect) is still answered, as a duplicate.
    tab1.send({ type: 'send', chatId: chat.id, clientMsgId: 'a', content: 'one' });
    expect(await tab1.next('ack')).toMatchObject({ clientMsgId: 'a', duplicate: true });
    const rest = await api('POST', `/api/chats/${chat.id}/messages`, { clientMsgId: 'e', content: 'five' });
    expect(rest.status).toBe(429);
    expect(rest.body.error.code).toBe('rate_limited');
    expect((await userMessages(api, chat.id)).map((m) => m.content)).toEqual(['one', 'two', 'three']);
    // Someone else is not held back by it.
    const bob = await userWithChat('bob');
    expect((await bob.api('POST', `/api/chats/${bob.chat.id}/messages`, { clientMsgId: 'x', content: 'hi' })).status).toBe(201);
  });

  it("never lets user B touch user A's chat, and B's sockets hear nothing of A", async () => {
    server = await startTestServer();
    const alice = await userWithChat('alice');
    const bob = await userWithChat('bob');
    const aliceSocket = await connect(alice.token);
    const bobSocket = await connect(bob.token);
    for (const frame of [
      { type: 'send', chatId: alice.chat.id, clientMsgId: 'x', content: 'intrusion' },
      { type: 'stop', chatId: alice.chat.id },
      { type: 'resume', chatId: alice.chat.id },
    ]) {
      bobSocket.send(frame);
      expect(await bobSocket.next('error')).toMatchObject({ code: 'not_found', chatId: alice.chat.id });
    }
    expect(await userMessages(alice.api, alice.chat.id)).toEqual([]);

    aliceSocket.send({ type: 'send', chatId: alice.chat.id, clientMsgId: 'a', content: 'secret' });
    await aliceSocket.next('ack');
    await new Promise((r) => setTimeout(r, 200));
    // Bob's own refusals name the chat he asked for; nothing else may mention it.
    const heard = JSON.stringify(bobSocket.frames.filter((f) => f.type !== 'error'));
    expect(heard).not.toContain(alice.chat.id);
    expect(heard).not.toContain('secret');
    expect(bobSocket.frames.map((f) => f.type)).toEqual(['hello', 'error', 'error', 'error']);
  });

  it('sends the ack only after the row is committed: a restart right after the ack still has it', async () => {
    server = await startTestServer();
    const { token, chat } = await userWithChat('alice');
    const socket = await connect(token);
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'durable', content: 'keep me' });
    const ack = await socket.next('ack');
    server = await server.restart();
    const again = await login(server.url, 'alice');
    const stored = await userMessages(again.api, chat.id);
    expect(stored.map((m) => [m.clientMsgId, m.content])).toEqual([['durable', 'keep me']]);
    expect(ack.message.content).toBe('keep me');
  });

  it('shuts down gracefully: closes sockets with 1001 and loses no acknowledged message', async () => {
    server = await startTestServer();
    const { token, chat } = await userWithChat('alice');
    const socket = await connect(token);
    for (let i = 0; i < 40; i += 1) socket.send({ type: 'send', chatId: chat.id, clientMsgId: `g-${i}`, content: `message ${i}` });
    await socket.next('ack');
    const stopping = server.server.stop();
    expect(await socket.waitClosed()).toBe(1001);
    await stopping;
    const acked = socket.ofType('ack').map((a) => a.clientMsgId);
    expect(acked.length).toBeGreaterThan(0);
    server = await server.restart();
    const again = await login(server.url, 'alice');
    const stored = (await userMessages(again.api, chat.id)).map((m) => m.clientMsgId);
    for (const id of acked) expect(stored).toContain(id);
    // Every frame was either acked or refused; none vanished silently.
    const refused = socket.ofType('error').filter((e) => e.code === 'unavailable').length;
    expect(acked.length + refused).toBeLessThanOrEqual(40);
  });
});

describe('heartbeat', () => {
  it('terminates a client that stops answering pings', async () => {
    server = await startTestServer({ HEARTBEAT_INTERVAL_MS: '1000' });
    const { token } = await userWithChat('alice');
    const socket = await connect(token);
    expect(server.server.registry.size).toBe(1);
    // Stop reading: pings go unanswered.
    (socket.raw as unknown as { _socket: { pause(): void } })._socket.pause();
    const deadline = Date.now() + 8000;
    while (server.server.registry.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(server.server.registry.size).toBe(0);
  });
});
