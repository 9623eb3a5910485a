import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { login, TestSocket } from '../testing/clients.ts';
import { rawQuery } from '../testing/test-databases.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { startFakeAnthropic, type FakeLlmServer } from './testing/fake-anthropic.ts';

let server: TestServer;
let fake: FakeLlmServer | undefined;
const sockets: TestSocket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await server?.close();
  await fake?.close();
  fake = undefined;
});

const SLOW_ECHO = { provider: 'echo', echoDelayMs: 15 };

async function connect(token: string) {
  const socket = await TestSocket.connect(server.wsUrl, { token });
  sockets.push(socket);
  await socket.next('hello');
  return socket;
}

async function participant(name = 'alice') {
  const user = await login(server.url, name);
  const chat = (await user.api('POST', '/api/chats')).body.chat as { id: string };
  const socket = await connect(user.token);
  return { ...user, chat, socket };
}

const messagesOf = async (api: Awaited<ReturnType<typeof login>>['api'], chatId: string) =>
  (await api('GET', `/api/chats/${chatId}?limit=200`)).body.messages as { id: string; role: string; content: string; status: string; agent: any }[];

/** Text the socket saw for one reply, from its deltas, checking they are numbered 0,1,2… without gaps. */
function deltaText(socket: TestSocket, messageId: string): string {
  const deltas = socket.ofType('agent.delta').filter((d) => d.messageId === messageId);
  deltas.forEach((d, i) => expect(d.seq).toBe(i));
  return deltas.map((d) => d.text).join('');
}

describe('agent replies', () => {
  it('stream a reply from the echo agent and store it complete with its run details', async () => {
    server = await startTestServer();
    const { socket, chat, api } = await participant();
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'q1', content: 'Tell me about **Markdown**' });
    const start = await socket.next('agent.start');
    expect(start.message).toMatchObject({ role: 'assistant', status: 'streaming', content: '' });
    const done = await socket.next('agent.done');
    expect(done.message.status).toBe('complete');
    expect(done.message.content).toBe(deltaText(socket, start.messageId));
    expect(done.message.content).toContain('Simulated');
    expect(done.message.agent).toMatchObject({ provider: 'echo', simulated: true });
    const stored = await messagesOf(api, chat.id);
    expect(stored.map((m) => [m.role, m.status])).toEqual([['user', 'complete'], ['assistant', 'complete']]);
    expect(stored[1]!.content).toBe(done.message.content);
    expect(stored[1]!.agent.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('stop ends the reply and stores exactly the text streamed so far', async () => {
    server = await startTestServer({}, { agent: SLOW_ECHO });
    const { socket, chat, api } = await participant();
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'q1', content: '/long 400' });
    const start = await socket.next('agent.start');
    await socket.next('agent.delta', (d) => d.seq >= 5);
    socket.send({ type: 'stop', chatId: chat.id });
    const done = await socket.next('agent.done');
    expect(done.message.status).toBe('interrupted');
    await new Promise((r) => setTimeout(r, 100)); // nothing may follow the stop
    const seen = deltaText(socket, start.messageId);
    expect(seen.length).toBeGreaterThan(0);
    expect(done.message.content).toBe(seen);
    const stored = (await messagesOf(api, chat.id)).find((m) => m.id === start.messageId)!;
    expect(stored).toMatchObject({ status: 'interrupted', content: seen });
  });

  it('a new user message interrupts the running reply, which keeps its text; the agent answers the newest', async () => {
    server = await startTestServer({}, { agent: SLOW_ECHO });
    const { socket, chat, api } = await participant();
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'q1', content: '/long 400' });
    const first = await socket.next('agent.start');
    await socket.next('agent.delta', (d) => d.seq >= 3);
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'q2', content: 'Actually, something else' });
    const interrupted = await socket.next('agent.done');
    expect(interrupted.message).toMatchObject({ id: first.messageId, status: 'interrupted' });
    const second = await socket.next('agent.start');
    const secondDone = await socket.next('agent.done', (d) => d.message.id === second.messageId, 10_000);
    expect(secondDone.message.status).toBe('complete');
    expect(secondDone.message.content).toContain('Actually, something else');
    const stored = await messagesOf(api, chat.id);
    expect(stored.map((m) => `${m.role}:${m.status}`)).toEqual(['user:complete', 'assistant:interrupted', 'user:complete', 'assistant:complete']);
    expect(stored[1]!.content).toBe(deltaText(socket, first.messageId));
  });

  it('a socket that drops is not a stop: the reply runs on, and a reconnect resumes with no gap or duplicate', async () => {
    server = await startTestServer({}, { agent: SLOW_ECHO });
    const { socket, chat, token, api } = await participant();
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'q1', content: '/long 120' });
    const start = await socket.next('agent.start');
    await socket.next('agent.delta', (d) => d.seq >= 3);
    socket.close();
    await new Promise((r) => setTimeout(r, 150));

    const again = await TestSocket.connect(server.wsUrl, { token });
    sockets.push(again);
    const hello = await again.next('hello');
    const snapshot = hello.streaming.find((s) => s.chatId === chat.id)!;
    expect(snapshot.messageId).toBe(start.messageId);
    expect(snapshot.seq).toBeGreaterThan(3);
    const done = await again.next('agent.done', () => true, 15_000);
    const live = again.ofType('agent.delta').filter((d) => d.messageId === start.messageId);
    // The live deltas continue exactly where the snapshot ends.
    live.forEach((d, i) => expect(d.seq).toBe(snapshot.seq + 1 + i));
    expect(snapshot.text + live.map((d) => d.text).join('')).toBe(done.message.content);
    expect(done.message.status).toBe('complete');
    expect((await messagesOf(api, chat.id))[1]!.content).toBe(done.message.content);
  });

  it('resume answers with the text so far; the chat page carries it too', async () => {
    server = await startTestServer({}, { agent: SLOW_ECHO });
    const { socket, chat, api } = await participant();
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'q1', content: '/long 200' });
    const start = await socket.next('agent.start');
    await socket.next('agent.delta', (d) => d.seq >= 2);
    socket.send({ type: 'resume', chatId: chat.id });
    const snap = await socket.next('agent.snapshot');
    expect(snap.reply!.messageId).toBe(start.messageId);
    expect(snap.reply!.text).toBe(
      socket.ofType('agent.delta').filter((d) => d.seq <= snap.reply!.seq).map((d) => d.text).join(''),
    );
    const page = (await api('GET', `/api/chats/${chat.id}`)).body;
    expect(page.streaming).toMatchObject({ chatId: chat.id, messageId: start.messageId });
    socket.send({ type: 'stop', chatId: chat.id });
    await socket.next('agent.done');
    socket.send({ type: 'resume', chatId: chat.id });
    expect((await socket.next('agent.snapshot')).reply).toBeNull();
  });

  it("streams to every tab of the owner and to no other user's socket", async () => {
    server = await startTestServer({}, { agent: SLOW_ECHO });
    const alice = await participant('alice');
    const secondTab = await connect(alice.token);
    const bob = await participant('bob');
    alice.socket.send({ type: 'send', chatId: alice.chat.id, clientMsgId: 'q1', content: 'two tabs' });
    const done = await alice.socket.next('agent.done', () => true, 10_000);
    const doneInTab2 = await secondTab.next('agent.done', () => true, 10_000);
    expect(doneInTab2.message.content).toBe(done.message.content);
    expect(deltaText(secondTab, done.message.id)).toBe(done.message.content);
    expect(bob.socket.frames.map((f) => f.type)).toEqual(['hello']);
  });
});

describe('agent replies from a model provider', () => {
  it('send the stored history to the model and record model, tokens and timing', async () => {
    fake = await startFakeAnthropic({ tokens: ['Bonjour', ', ', 'Ada.'], usage: { inputTokens: 42, outputTokens: 3 } });
    server = await startTestServer(
      { ANTHROPIC_API_KEY: 'sk-test-secret' },
      { agent: { provider: 'anthropic', model: 'claude-test', baseUrl: fake.url, systemPrompt: 'Be brief.', maxRetries: 0 } },
    );
    const { socket, chat } = await participant();
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'q1', content: 'Say hello' });
    const done = await socket.next('agent.done', () => true, 10_000);
    expect(done.message).toMatchObject({
      content: 'Bonjour, Ada.',
      status: 'complete',
      agent: { provider: 'anthropic', model: 'claude-test', simulated: false, inputTokens: 42, outputTokens: 3 },
    });
    expect(done.message.agent!.firstTokenMs).toBeGreaterThanOrEqual(0);
    expect(fake.lastRequest!.body).toMatchObject({ model: 'claude-test', system: 'Be brief.', messages: [{ role: 'user', content: 'Say hello' }] });
  });

  it('end as error with a message for people on provider failure, never leaking the key or provider text', async () => {
    fake = await startFakeAnthropic({ failStatus: 500 });
    server = await startTestServer(
      { ANTHROPIC_API_KEY: 'sk-test-secret' },
      { agent: { provider: 'anthropic', model: 'claude-test', baseUrl: fake.url, maxRetries: 1 } },
    );
    const { socket, chat, api } = await participant();
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'q1', content: 'hello?' });
    const error = await socket.next('agent.error', () => true, 10_000);
    expect(error.code).toMatch(/^agent_/);
    expect(error.message).toMatch(/agent/i);
    expect(JSON.stringify(socket.frames)).not.toContain('sk-test-secret');
    expect(fake.requests).toHaveLength(2); // one try and one bounded retry
    const stored = (await messagesOf(api, chat.id))[1]!;
    expect(stored.status).toBe('error');
    expect(stored.agent.errorCode).toBe(error.code);
  });

  it('time out a model that never answers', async () => {
    fake = await startFakeAnthropic({ hang: 'before-headers' });
    server = await startTestServer(
      { ANTHROPIC_API_KEY: 'sk-test-secret' },
      { agent: { provider: 'anthropic', model: 'claude-test', baseUrl: fake.url, timeoutMs: 500, maxRetries: 0 } },
    );
    const { socket, chat } = await participant();
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'q1', content: 'anyone?' });
    const error = await socket.next('agent.error', () => true, 10_000);
    expect(error.code).toBe('agent_timeout');
    expect(error.final!.status).toBe('error');
  });

  it('pick up a changed agent configuration without a restart', async () => {
    server = await startTestServer({}, { agent: { provider: 'echo', model: 'echo-one', echoDelayMs: 0 } });
    const { socket, chat } = await participant();
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'q1', content: 'first' });
    expect((await socket.next('agent.done')).message.agent!.model).toBe('echo-one');
    fs.writeFileSync(server.config.agentConfigPath, JSON.stringify({ agent: { provider: 'echo', model: 'echo-two', echoDelayMs: 0 } }));
    let model = 'echo-one';
    for (let i = 0; i < 50 && model === 'echo-one'; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      socket.send({ type: 'send', chatId: chat.id, clientMsgId: `probe-${i}`, content: 'again' });
      model = (await socket.next('agent.done')).message.agent!.model;
    }
    expect(model).toBe('echo-two');
  });
});

describe('crash recovery', () => {
  it('marks replies left streaming by a crash as interrupted, keeping their checkpointed text', async () => {
    server = await startTestServer();
    const { chat, api } = await participant();
    await api('POST', `/api/chats/${chat.id}/messages`, { clientMsgId: 'q', content: 'hi' });
    await new Promise((r) => setTimeout(r, 300));
    await server.server.stop();
    // Simulate a crash mid-reply: a row the dead process left `streaming`.
    const now = new Date().toISOString();
    await rawQuery(
      server.config.databaseUrl,
      `INSERT INTO "Message" ("id", "chatId", "position", "role", "content", "status", "createdAt", "updatedAt", "provider", "model")
       VALUES ('orphan', ?, 99, 'assistant', 'half a rep', 'streaming', ?, ?, 'echo', 'echo')`,
      [chat.id, now, now],
    );
    server = await server.restart();
    const again = await login(server.url, 'alice');
    const orphan = (await messagesOf(again.api, chat.id)).find((m) => m.id === 'orphan')!;
    expect(orphan).toMatchObject({ status: 'interrupted', content: 'half a rep' });
  });

  it('answers at the next start a message that a stop or crash left without a reply, but not an old one', async () => {
    server = await startTestServer();
    const { chat, user } = await participant();
    // Stored behind the reply runner's back, as when the process died between the ack and the reply.
    const { prisma } = server.server.database;
    const old = await prisma.chat.create({ data: { id: 'old-chat', userId: user.id, title: 'New chat' } });
    const leaveUnanswered = async (chatId: string, content: string, at: Date) => {
      await prisma.chat.update({ where: { id: chatId }, data: { messageCount: 1, lastUserMessageAt: at, title: content } });
      await prisma.message.create({ data: { id: `unanswered-${chatId}`, chatId, position: 1, role: 'user', content, status: 'complete', clientMsgId: 'u1', createdAt: at } });
    };
    await leaveUnanswered(chat.id, 'sent just before the crash', new Date());
    await leaveUnanswered(old.id, 'sent an hour ago', new Date(Date.now() - 3_600_000));

    server = await server.restart();
    const again = await login(server.url, 'alice');
    await expect.poll(async () => (await messagesOf(again.api, chat.id)).map((m) => [m.role, m.status]), { timeout: 10_000 }).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
    ]);
    expect((await messagesOf(again.api, chat.id))[1]!.content).toContain('sent just before the crash');
    expect((await messagesOf(again.api, old.id)).map((m) => m.role)).toEqual(['user']);
  });

  it('checkpoints a long reply while it streams', async () => {
    server = await startTestServer({}, { agent: SLOW_ECHO });
    const { socket, chat } = await participant();
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'q1', content: '/long 400' });
    const start = await socket.next('agent.start');
    await socket.next('agent.delta', (d) => d.seq >= 120, 15_000);
    const [row] = await rawQuery<{ content: string; status: string }>(server.config.databaseUrl, 'SELECT "content", "status" FROM "Message" WHERE "id" = ?', [
      start.messageId,
    ]);
    expect(row!.status).toBe('streaming');
    expect(row!.content.length).toBeGreaterThan(0);
    socket.send({ type: 'stop', chatId: chat.id });
    await socket.next('agent.done');
  });
});

describe('start-up', () => {
  it('refuses to start on an invalid agent configuration, naming the problem', async () => {
    await expect(startTestServer({}, { agent: { provider: 'echo', temperature: 9 } })).rejects.toThrow(/temperature/);
  });
});
