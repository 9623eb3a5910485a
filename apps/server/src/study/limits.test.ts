import { afterEach, describe, expect, it } from 'vitest';
import type { TestSocket } from '../testing/clients.ts';
import { rawQuery } from '../testing/test-databases.ts';
import { arrive, consentAndChat, openSocket, send } from './testing/participants.ts';
import { startStudyServer, type StudyServer } from './testing/study-server.ts';

let server: StudyServer | undefined;
const sockets: TestSocket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await server?.close();
  server = undefined;
});

const ECHO = { provider: 'echo', echoDelayMs: 0 };
const COMPLETION = { closedMessage: 'Thank you! You are done.', completionCode: 'CODE-42', redirectUrl: 'https://app.prolific.com/submissions/complete?cc=CODE-42' };
const MINUTE = 60_000;

describe('the turn limit', () => {
  it('closes the chat after its last turn, tells the open tab with the completion code, and refuses more', async () => {
    server = await startStudyServer({ study: { id: 'turns', limits: { maxTurnsPerChat: 2, ...COMPLETION }, permissions: { multipleChats: false } } });
    const p = await arrive(server.url, { PROLIFIC_PID: 'pid-turns' });
    const chat = (await p.api('POST', '/api/chats')).body.chat;
    const socket = await openSocket(server.wsUrl, p.token, sockets);

    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'm1', content: 'one' });
    await socket.next('ack');
    await socket.next('agent.done');
    expect((await p.api('GET', '/api/study')).body.study).toMatchObject({ state: 'active', completion: null, chats: [{ chatId: chat.id, turnsUsed: 1, turnsRemaining: 1, closed: false }] });

    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'm2', content: 'two' });
    expect(await socket.next('ack')).toMatchObject({ clientMsgId: 'm2', duplicate: false });
    // Every stored turn updates the open tabs; the last one closes the chat.
    expect((await socket.next('study.updated')).study).toMatchObject({ state: 'active', chats: [{ turnsUsed: 1, turnsRemaining: 1 }] });
    const update = await socket.next('study.updated');
    expect(update.study).toMatchObject({
      state: 'finished',
      completion: { reason: 'turns', message: COMPLETION.closedMessage, completionCode: 'CODE-42', redirectUrl: COMPLETION.redirectUrl },
      chats: [{ chatId: chat.id, turnsUsed: 2, turnsRemaining: 0, closed: true }],
    });
    // The acknowledged last turn is still answered.
    await socket.next('agent.done');

    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'm3', content: 'three' });
    expect(await socket.next('error')).toMatchObject({ code: 'limit_reached', clientMsgId: 'm3', message: expect.stringContaining('limit of 2 messages') });
    const rest = await send(p, chat.id, 'three', 'm3');
    expect(rest.status).toBe(403);
    expect(rest.body.error.code).toBe('limit_reached');
    // A resend of the last turn (its ack was lost) is answered, not refused.
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'm2', content: 'two' });
    expect(await socket.next('ack', (a) => a.duplicate)).toMatchObject({ clientMsgId: 'm2' });
    expect((await p.api('POST', '/api/chats')).body.error.code).toBe('forbidden');

    const users = await rawQuery<{ content: string }>(server.config.databaseUrl, `SELECT "content" FROM "Message" WHERE "chatId" = ? AND "role" = 'user' ORDER BY "position"`, [chat.id]);
    expect(users.map((m) => m.content)).toEqual(['one', 'two']);
  });

  it('closes only that chat when the study allows several, and shows the completion code', async () => {
    server = await startStudyServer({ study: { id: 'turns-many', limits: { maxTurnsPerChat: 1, ...COMPLETION } } });
    const p = await arrive(server.url, 'many');
    const first = (await p.api('POST', '/api/chats')).body.chat;
    expect((await send(p, first.id, 'only turn')).status).toBe(201);
    expect((await send(p, first.id, 'too many')).body.error.code).toBe('limit_reached');
    expect((await p.api('GET', '/api/study')).body.study).toMatchObject({ state: 'active', completion: { reason: 'turns', completionCode: 'CODE-42' } });
    const second = await p.api('POST', '/api/chats');
    expect(second.status).toBe(201);
    expect((await send(p, second.body.chat.id, 'a new chat')).status).toBe(201);
  });
});

describe('the time limit', () => {
  it('runs from consent, ends participation when it is up, and tells the open tab once', async () => {
    server = await startStudyServer({ study: { id: 'time', consent: { text: 'Consent?' }, limits: { maxMinutes: 30, ...COMPLETION } } });
    const p = await arrive(server.url, 'timed');
    // Reading the consent form does not use up the time.
    server.clock.advance(40 * MINUTE);
    const consentedAt = server.clock.now();
    const chatId = await consentAndChat(p);
    const socket = await openSocket(server.wsUrl, p.token, sockets);
    expect((await p.api('GET', '/api/study')).body.study.limits).toEqual({
      maxTurnsPerChat: null,
      maxMinutes: 30,
      startedAt: consentedAt.toISOString(),
      endsAt: new Date(consentedAt.getTime() + 30 * MINUTE).toISOString(),
    });

    server.clock.advance(29 * MINUTE);
    await server.server.study.notifier.sweep();
    expect((await send(p, chatId, 'still in time')).status).toBe(201);
    // A stored message updates the open tab; the time limit has told it nothing yet.
    expect((await socket.next('study.updated')).study?.state).toBe('active');

    server.clock.advance(1 * MINUTE);
    await server.server.study.notifier.sweep();
    const update = await socket.next('study.updated', (f) => f.study?.state === 'finished');
    expect(update.study).toMatchObject({ state: 'finished', completion: { reason: 'time', completionCode: 'CODE-42', message: COMPLETION.closedMessage } });
    const late = await send(p, chatId, 'too late');
    expect(late.status).toBe(403);
    expect(late.body.error).toEqual({ code: 'limit_reached', message: expect.stringContaining('time') });
    expect((await p.api('POST', '/api/chats')).body.error.code).toBe('limit_reached');

    await server.server.study.notifier.sweep();
    await new Promise((r) => setTimeout(r, 50));
    expect(socket.ofType('study.updated').filter((f) => f.study?.state === 'finished')).toHaveLength(1);
  });
});

describe('permissions', () => {
  it('can forbid renaming and hide the model from participants, while the data keeps it', async () => {
    server = await startStudyServer({ agent: ECHO, study: { id: 'blind', permissions: { renameChats: false, showModelName: false } } });
    const p = await arrive(server.url, 'blind');
    const chat = (await p.api('POST', '/api/chats')).body.chat;
    const socket = await openSocket(server.wsUrl, p.token, sockets);
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'm1', content: 'which model are you?' });
    const start = await socket.next('agent.start');
    const done = await socket.next('agent.done');
    for (const message of [start.message, done.message]) expect(message.agent).toMatchObject({ provider: '', model: '' });
    const page = (await p.api('GET', `/api/chats/${chat.id}`)).body;
    expect(page.messages[1].agent).toMatchObject({ provider: '', model: '' });
    expect(JSON.stringify(page)).not.toContain('"echo"');
    const [row] = await rawQuery<{ provider: string; model: string }>(server.config.databaseUrl, `SELECT "provider", "model" FROM "Message" WHERE "id" = ?`, [done.message.id]);
    expect(row).toEqual({ provider: 'echo', model: 'echo' });

    const rename = await p.api('PUT', `/api/chats/${chat.id}/title`, { title: 'Mine' });
    expect(rename.status).toBe(403);
    expect(rename.body.error.code).toBe('forbidden');
    expect((await p.api('GET', '/api/study')).body.study.permissions).toEqual({ renameChats: false, multipleChats: true, showModelName: false });
  });

  it('reach open tabs when the researcher edits the study', async () => {
    server = await startStudyServer({ study: { id: 'edit', limits: { maxTurnsPerChat: 5 } } });
    const p = await arrive(server.url, 'watcher');
    const socket = await openSocket(server.wsUrl, p.token, sockets);
    await server.writeSettings({ agent: ECHO, study: { id: 'edit', limits: { maxTurnsPerChat: 3 }, permissions: { multipleChats: false } } });
    const update = await socket.next('study.updated');
    expect(update.study).toMatchObject({ limits: { maxTurnsPerChat: 3 }, permissions: { multipleChats: false } });
    await server.writeSettings({ agent: ECHO });
    expect((await socket.next('study.updated')).study).toBeNull();
  });
});
