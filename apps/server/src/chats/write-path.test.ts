import { afterEach, describe, expect, it } from 'vitest';
import { createServerMetrics } from '../metrics/server-metrics.ts';
import { login, TestSocket } from '../testing/clients.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { ChatEvents } from './chat-events.ts';
import { createChatService } from './chat-service.ts';

let server: TestServer;
const sockets: TestSocket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await server?.close();
});

async function connectedUser(name: string) {
  const user = await login(server.url, name);
  const chat = (await user.api('POST', '/api/chats')).body.chat as { id: string };
  const socket = await TestSocket.connect(server.wsUrl, { token: user.token });
  sockets.push(socket);
  await socket.next('hello');
  return { ...user, chat, socket };
}

/**
 * A chat service of its own on the test server's database. Calls made in one tick land in one
 * group-commit batch (it flushes on setImmediate), which the socket path cannot guarantee.
 */
function directService() {
  const stored: string[] = [];
  const events = new ChatEvents((err) => {
    throw err;
  });
  events.onUserMessage(({ message }) => stored.push(message.clientMsgId!));
  const metrics = createServerMetrics({ openSockets: () => 0, repliesRunning: () => 0 });
  const chats = createChatService(server.server.database, events, { observer: metrics.writePath });
  const sample = async (name: string) => {
    const line = (await metrics.render()).split('\n').find((l) => l.startsWith(`${name} `));
    return Number(line?.split(' ')[1]);
  };
  return { chats, stored, sample };
}

const rowsOf = (chatId: string) =>
  server.server.database.prisma.message.findMany({ where: { chatId }, orderBy: { position: 'asc' }, select: { position: true, clientMsgId: true, content: true } });

describe('group commit', () => {
  it('writes messages that arrive together in one transaction, each chat in arrival order', async () => {
    server = await startTestServer({ AGENT_REPLIES: 'false' });
    const alice = await login(server.url, 'alice');
    const bob = await login(server.url, 'bob');
    const chatA = (await alice.api('POST', '/api/chats')).body.chat.id as string;
    const chatB = (await bob.api('POST', '/api/chats')).body.chat.id as string;
    const { chats, stored, sample } = directService();

    const sends = [
      { userId: alice.user.id, chatId: chatA, clientMsgId: 'a1', content: 'First from Alice\nsecond line' },
      { userId: bob.user.id, chatId: chatB, clientMsgId: 'b1', content: 'Bob here' },
      { userId: alice.user.id, chatId: chatA, clientMsgId: 'a2', content: 'Alice again' },
      { userId: alice.user.id, chatId: chatA, clientMsgId: 'a3', content: 'And a third' },
    ];
    const posted = await Promise.all(sends.map((s) => chats.postUserMessage(s)));

    expect(await sample('parley_db_transaction_messages_count')).toBe(1);
    expect(await sample('parley_db_transaction_messages_sum')).toBe(4);
    expect(await sample('parley_messages_stored_total')).toBe(4);
    expect(posted.map((p) => [p.message.clientMsgId, p.message.position, p.duplicate])).toEqual([
      ['a1', 1, false],
      ['b1', 1, false],
      ['a2', 2, false],
      ['a3', 3, false],
    ]);
    expect(stored).toEqual(['a1', 'b1', 'a2', 'a3']);
    expect((await rowsOf(chatA)).map((r) => [r.position, r.clientMsgId])).toEqual([[1, 'a1'], [2, 'a2'], [3, 'a3']]);
    // The chat is named by its first message and its activity moves, as with a message written alone.
    expect(posted[0]!.chat).toMatchObject({ id: chatA, title: 'First from Alice', lastUserMessageAt: posted[0]!.message.createdAt });
    const listed = (await alice.api('GET', '/api/chats')).body.chats;
    expect(listed).toEqual([expect.objectContaining({ id: chatA, title: 'First from Alice' })]);
  });

  it('stores a clientMsgId once when its copies share a batch, and when it was stored before', async () => {
    server = await startTestServer({ AGENT_REPLIES: 'false' });
    const alice = await login(server.url, 'alice');
    const chatId = (await alice.api('POST', '/api/chats')).body.chat.id as string;
    const { chats, stored } = directService();
    const send = (clientMsgId: string, content = `text of ${clientMsgId}`) => chats.postUserMessage({ userId: alice.user.id, chatId, clientMsgId, content });

    await send('earlier');
    const [first, copy, other, resend] = await Promise.all([send('same'), send('same'), send('other'), send('earlier')]);
    expect(first).toMatchObject({ duplicate: false, message: { clientMsgId: 'same', position: 2 } });
    expect(copy).toMatchObject({ duplicate: true, message: { id: first!.message.id } });
    expect(other).toMatchObject({ duplicate: false, message: { position: 3 } });
    expect(resend).toMatchObject({ duplicate: true, message: { clientMsgId: 'earlier', position: 1 } });
    // Duplicates are acknowledged but announce nothing.
    expect(stored).toEqual(['earlier', 'same', 'other']);
    expect((await rowsOf(chatId)).map((r) => r.clientMsgId)).toEqual(['earlier', 'same', 'other']);
  });

  it('checks ownership per message: a stranger in the batch is refused alone', async () => {
    server = await startTestServer({ AGENT_REPLIES: 'false' });
    const alice = await login(server.url, 'alice');
    const mallory = await login(server.url, 'mallory');
    const chatId = (await alice.api('POST', '/api/chats')).body.chat.id as string;
    const { chats } = directService();
    const results = await Promise.allSettled([
      chats.postUserMessage({ userId: alice.user.id, chatId, clientMsgId: 'ok-1', content: 'mine' }),
      chats.postUserMessage({ userId: mallory.user.id, chatId, clientMsgId: 'evil', content: 'intrusion' }),
      chats.postUserMessage({ userId: mallory.user.id, chatId: 'no-such-chat', clientMsgId: 'lost', content: 'nowhere' }),
      chats.postUserMessage({ userId: alice.user.id, chatId, clientMsgId: 'ok-2', content: 'mine too' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    for (const refused of [results[1], results[2]]) expect((refused as PromiseRejectedResult).reason).toMatchObject({ code: 'not_found' });
    expect((await rowsOf(chatId)).map((r) => [r.position, r.clientMsgId])).toEqual([[1, 'ok-1'], [2, 'ok-2']]);
  });

  it('retries each message alone when a batch fails, so one bad message fails only itself', async () => {
    server = await startTestServer({ AGENT_REPLIES: 'false' });
    const alice = await login(server.url, 'alice');
    const { chats, sample } = directService();
    const chatIds: string[] = [];
    for (const name of ['broken', 'fine']) {
      const chatId = (await alice.api('POST', '/api/chats')).body.chat.id as string;
      await chats.postUserMessage({ userId: alice.user.id, chatId, clientMsgId: `${name}-0`, content: 'first' });
      chatIds.push(chatId);
    }
    const [broken, fine] = chatIds as [string, string];
    // A row in the position the next message will take, left by a writer that did not count it:
    // the batch's insert violates the unique (chat, position) index and the transaction rolls back.
    await server.server.database.prisma.message.create({ data: { id: 'squatter', chatId: broken, position: 2, role: 'assistant', content: '', status: 'error' } });

    const results = await Promise.allSettled([
      chats.postUserMessage({ userId: alice.user.id, chatId: fine, clientMsgId: 'fine-1', content: 'still fine' }),
      chats.postUserMessage({ userId: alice.user.id, chatId: broken, clientMsgId: 'broken-1', content: 'collides' }),
    ]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { duplicate: false, message: { position: 2 } } });
    expect(results[1]).toMatchObject({ status: 'rejected' });
    expect(await sample('parley_db_transaction_seconds_count{outcome="failed"}')).toBeGreaterThanOrEqual(2); // the batch, then the message alone
    expect((await rowsOf(fine)).map((r) => r.clientMsgId)).toEqual(['fine-0', 'fine-1']);
    expect((await rowsOf(broken)).map((r) => r.clientMsgId)).toEqual(['broken-0', null]);
  });

  it('answers not_found for a chat deleted behind the owner cache, and stores the rest of the batch', async () => {
    server = await startTestServer({ AGENT_REPLIES: 'false' });
    const alice = await login(server.url, 'alice');
    const { chats } = directService();
    const gone = (await alice.api('POST', '/api/chats')).body.chat.id as string;
    await chats.postUserMessage({ userId: alice.user.id, chatId: gone, clientMsgId: 'before', content: 'first' });
    const kept = (await alice.api('POST', '/api/chats')).body.chat.id as string;
    await chats.postUserMessage({ userId: alice.user.id, chatId: kept, clientMsgId: 'k0', content: 'first' });
    // Both owners are remembered now; one chat disappears behind the cache's back (Parley never does this).
    await server.server.database.prisma.chat.delete({ where: { id: gone } });

    const results = await Promise.allSettled([
      chats.postUserMessage({ userId: alice.user.id, chatId: kept, clientMsgId: 'k1', content: 'still here' }),
      chats.postUserMessage({ userId: alice.user.id, chatId: gone, clientMsgId: 'g1', content: 'into the void' }),
    ]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { duplicate: false, message: { position: 2 } } });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: 'not_found' } });
    expect((await rowsOf(kept)).map((r) => r.clientMsgId)).toEqual(['k0', 'k1']);
    expect(await server.server.database.prisma.message.count({ where: { chatId: gone } })).toBe(0);
    // Forgotten, so the next attempt asks the database again and is refused there.
    await expect(chats.postUserMessage({ userId: alice.user.id, chatId: gone, clientMsgId: 'g2', content: 'again' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('acks every message of many sockets sending at once, in order per chat, sharing transactions', async () => {
    server = await startTestServer({ AGENT_REPLIES: 'false' });
    const users = await Promise.all(Array.from({ length: 12 }, (_, i) => connectedUser(`user-${i}`)));
    const perSocket = 5;
    for (let round = 0; round < perSocket; round += 1) {
      for (const u of users) u.socket.send({ type: 'send', chatId: u.chat.id, clientMsgId: `m-${round}`, content: `message ${round}` });
    }
    for (const u of users) {
      for (let round = 0; round < perSocket; round += 1) await u.socket.next('ack', (a) => a.clientMsgId === `m-${round}`);
      expect(u.socket.ofType('ack').map((a) => [a.message.position, a.duplicate])).toEqual([[1, false], [2, false], [3, false], [4, false], [5, false]]);
      expect((await rowsOf(u.chat.id)).map((r) => r.content)).toEqual([0, 1, 2, 3, 4].map((i) => `message ${i}`));
    }
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const value = (name: string) => Number(metrics.split('\n').find((l) => l.startsWith(`${name} `))!.split(' ')[1]);
    expect(value('parley_db_transaction_messages_sum')).toBe(users.length * perSocket);
    expect(value('parley_db_transaction_messages_count')).toBeLessThan(users.length * perSocket);
  });

  it('stores rows exactly as the model API reads and writes them: title, times, counts', async () => {
    server = await startTestServer({ AGENT_REPLIES: 'false' });
    const alice = await login(server.url, 'alice');
    const chatId = (await alice.api('POST', '/api/chats')).body.chat.id as string;
    const { chats } = directService();
    const [first, second] = await Promise.all([
      chats.postUserMessage({ userId: alice.user.id, chatId, clientMsgId: 'c1', content: 'How do tides work?\nAsking for a friend.' }),
      chats.postUserMessage({ userId: alice.user.id, chatId, clientMsgId: 'c2', content: 'And why twice a day?' }),
    ]);
    const { prisma } = server.server.database;
    const chat = await prisma.chat.findUniqueOrThrow({ where: { id: chatId } });
    expect(chat).toMatchObject({ title: 'How do tides work?', messageCount: 2, lastUserMessageAt: new Date(second!.chat.lastUserMessageAt!) });
    expect(second!.chat).toEqual({ id: chatId, title: 'How do tides work?', createdAt: chat.createdAt.toISOString(), lastUserMessageAt: chat.lastUserMessageAt!.toISOString() });
    const rows = await prisma.message.findMany({ where: { chatId }, orderBy: { position: 'asc' } });
    expect(rows.map((r) => ({ id: r.id, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(), role: r.role, status: r.status }))).toEqual(
      [first!, second!].map((p) => ({ id: p.message.id, createdAt: p.message.createdAt, updatedAt: p.message.createdAt, role: 'user', status: 'complete' })),
    );
    // A resend reads the stored row back: the same wire shape as its first ack.
    expect(await chats.postUserMessage({ userId: alice.user.id, chatId, clientMsgId: 'c1', content: 'How do tides work?' })).toEqual({ ...first, chat: second!.chat, duplicate: true });
    // The sidebar (the model API's reading) orders and shows the chat as the acks said.
    expect(await chats.listChats(alice.user.id)).toEqual([second!.chat]);
  });

  it('never writes inside a transaction another part of the server holds open', async () => {
    server = await startTestServer({ AGENT_REPLIES: 'false' });
    const alice = await login(server.url, 'alice');
    const chatId = (await alice.api('POST', '/api/chats')).body.chat.id as string;
    const { chats } = directService();
    const { prisma } = server.server.database;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // An interactive transaction that spans several turns of the event loop, then rolls back.
    const rolledBack = prisma
      .$transaction(async (tx) => {
        await tx.user.update({ where: { id: alice.user.id }, data: { username: 'renamed-then-rolled-back' } });
        await held;
        throw new Error('roll back');
      })
      .catch((err: Error) => err.message);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const posted = chats.postUserMessage({ userId: alice.user.id, chatId, clientMsgId: 'during', content: 'sent while it is open' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    expect(await rolledBack).toBe('roll back');
    expect(await posted).toMatchObject({ duplicate: false, message: { position: 1 } });
    // The message survived the other transaction's rollback: it was never part of it.
    expect((await rowsOf(chatId)).map((r) => r.clientMsgId)).toEqual(['during']);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: alice.user.id } })).username).toBe('alice');
  });
});

describe('AGENT_REPLIES=false', () => {
  it('stores and acknowledges user messages without starting an agent reply', async () => {
    server = await startTestServer({ AGENT_REPLIES: 'false' });
    const { chat, socket, api } = await connectedUser('alice');
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'quiet', content: 'hello' });
    expect(await socket.next('ack')).toMatchObject({ duplicate: false, message: { content: 'hello' } });
    await new Promise((r) => setTimeout(r, 200));
    expect(socket.frames.filter((f) => f.type.startsWith('agent.'))).toEqual([]);
    const messages = (await api('GET', `/api/chats/${chat.id}`)).body.messages as { role: string }[];
    expect(messages.map((m) => m.role)).toEqual(['user']);
  });
});
