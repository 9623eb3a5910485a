import { afterEach, describe, expect, it } from 'vitest';
import type { TestSocket } from '../testing/clients.ts';
import { rawQuery } from '../testing/test-databases.ts';
import { arrive, openSocket, send } from './testing/participants.ts';
import { startStudyServer, type StudyServer } from './testing/study-server.ts';

let server: StudyServer | undefined;
const sockets: TestSocket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await server?.close();
  server = undefined;
});

const at = (iso: string) => iso;
const storedEvents = (url: string, userId: string) =>
  rawQuery<{ kind: string; source: string; chatId: string | null; messageId: string | null; clientTime: unknown; serverTime: unknown; data: string; participantId: string | null }>(
    url,
    'SELECT * FROM "ParticipantEvent" WHERE "userId" = ? AND "source" = \'client\' ORDER BY "id"',
    [userId],
  );

/** A participant of a running study, one exchange in a chat, and the socket that saw its reply. */
async function participantWithReply(studyId: string, name: string) {
  const study = await startStudyServer({ study: { id: studyId } });
  server = study;
  const p = await arrive(study.url, name);
  const chat = (await p.api('POST', '/api/chats')).body.chat;
  const socket = await openSocket(study.wsUrl, p.token, sockets);
  await send(p, chat.id, 'hello', 'c1');
  const reply = (await socket.next('agent.done')).message;
  return { study, p, chat, socket, reply };
}

describe('telemetry', () => {
  it('stores every kind from the socket and from a beacon, with the client and the server time', async () => {
    const { study, p, chat, socket, reply } = await participantWithReply('tele', 'measured');
    const clientTime = at('2026-01-01T12:00:00.000Z');

    socket.send({
      type: 'telemetry',
      events: [
        { kind: 'message_sent', clientTime, chatId: chat.id, clientMsgId: 'c1' },
        { kind: 'first_token', clientTime, chatId: chat.id, messageId: reply.id, sinceSendMs: 812 },
        { kind: 'stop_pressed', clientTime, chatId: chat.id, messageId: reply.id, shownChars: 120 },
        { kind: 'reconnected', clientTime, disconnectedMs: 4200, attempts: 3 },
        { kind: 'visibility', clientTime, chatId: chat.id, state: 'hidden' },
      ],
    });
    // A beacon's body is text/plain.
    const beacon = await fetch(`${study.url}/api/telemetry`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8', authorization: `Bearer ${p.token}` },
      body: JSON.stringify({ events: [{ kind: 'paste', clientTime, chatId: chat.id, length: 5321 }] }),
    });
    expect(beacon.status).toBe(202);
    expect(await beacon.json()).toEqual({ accepted: 1 });

    let rows: Awaited<ReturnType<typeof storedEvents>> = [];
    for (let i = 0; i < 50 && rows.length < 6; i += 1) {
      rows = await storedEvents(study.config.databaseUrl, p.user.id);
      if (rows.length < 6) await new Promise((r) => setTimeout(r, 20));
    }
    expect(rows.map((r) => [r.kind, r.chatId, r.messageId, JSON.parse(r.data)])).toEqual(
      expect.arrayContaining([
        ['message_sent', chat.id, null, { clientMsgId: 'c1' }],
        ['first_token', chat.id, reply.id, { sinceSendMs: 812 }],
        ['stop_pressed', chat.id, reply.id, { shownChars: 120 }],
        ['reconnected', null, null, { disconnectedMs: 4200, attempts: 3 }],
        ['visibility', chat.id, null, { state: 'hidden' }],
        ['paste', chat.id, null, { length: 5321 }],
      ]),
    );
    expect(rows).toHaveLength(6);
    const [participant] = await rawQuery<{ id: string }>(study.config.databaseUrl, 'SELECT "id" FROM "Participant" WHERE "userId" = ?', [p.user.id]);
    for (const row of rows) {
      expect(row.participantId).toBe(participant!.id);
      expect(new Date(row.clientTime as string | number).toISOString()).toBe(clientTime);
      expect(new Date(row.serverTime as string | number).getTime()).toBe(study.clock.now().getTime());
    }
    expect(socket.ofType('error')).toEqual([]);
  });

  it.each([
    [{ events: [] }, /empty/],
    [{ events: Array.from({ length: 51 }, () => ({ kind: 'visibility', clientTime: '2026-01-01T00:00:00Z', state: 'hidden' })) }, /50/],
    [{ events: [{ kind: 'keystrokes', clientTime: '2026-01-01T00:00:00Z' }] }, /kind/],
    [{ events: [{ kind: 'paste', clientTime: '2026-01-01T00:00:00Z', length: 5, text: 'the pasted text' }] }, /text/],
    [{ events: [{ kind: 'paste', clientTime: 'yesterday', length: 5 }] }, /clientTime/],
    [{ events: [{ kind: 'stop_pressed', clientTime: '2026-01-01T00:00:00Z', chatId: 'c', messageId: 'm', shownChars: -1 }] }, /shownChars/],
  ])('refuses an invalid batch %#', async (body, message) => {
    server = await startStudyServer();
    const p = await arrive(server.url, 'sloppy');
    const res = await p.api('POST', '/api/telemetry', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'validation_failed', message: expect.stringMatching(message) });
    const socket = await openSocket(server.wsUrl, p.token, sockets);
    socket.send({ type: 'telemetry', ...body });
    expect(await socket.next('error')).toMatchObject({ code: 'validation_failed' });
    expect(await storedEvents(server.config.databaseUrl, p.user.id)).toEqual([]);
  });

  it("refuses events naming another user's chat or message, storing none of the batch", async () => {
    server = await startStudyServer();
    const alice = await arrive(server.url, 'alice');
    const chat = (await alice.api('POST', '/api/chats')).body.chat;
    const bob = await arrive(server.url, 'bob');
    const own = (await bob.api('POST', '/api/chats')).body.chat;
    const clientTime = new Date().toISOString();
    const res = await bob.api('POST', '/api/telemetry', {
      events: [
        { kind: 'paste', clientTime, chatId: own.id, length: 3 },
        { kind: 'paste', clientTime, chatId: chat.id, length: 3 },
      ],
    });
    expect(res.status).toBe(404);
    const wrongMessage = await bob.api('POST', '/api/telemetry', { events: [{ kind: 'stop_pressed', clientTime, chatId: own.id, messageId: 'not-mine', shownChars: 1 }] });
    expect(wrongMessage.status).toBe(404);
    expect(await storedEvents(server.config.databaseUrl, bob.user.id)).toEqual([]);
  });

  it('is rate-limited per user, across the socket and the beacon', async () => {
    server = await startStudyServer({ env: { TELEMETRY_EVENTS_PER_MINUTE: '5' } });
    const p = await arrive(server.url, 'chatty');
    const event = { kind: 'visibility', clientTime: new Date().toISOString(), state: 'visible' };
    const socket = await openSocket(server.wsUrl, p.token, sockets);
    socket.send({ type: 'telemetry', events: [event, event, event, event] });
    await new Promise((r) => setTimeout(r, 100));
    expect(socket.ofType('error')).toEqual([]);
    const res = await p.api('POST', '/api/telemetry', { events: [event, event] });
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('rate_limited');
    expect(await storedEvents(server.config.databaseUrl, p.user.id)).toHaveLength(4);
  });

  it("stores an event sent with an earlier study's chat open under the current study, without that chat", async () => {
    const { study, p, chat: oldChat, reply: oldReply } = await participantWithReply('first', 'returning');
    await study.writeSettings({ agent: { provider: 'echo', echoDelayMs: 0 }, study: { id: 'second' } });
    const newChat = (await p.api('POST', '/api/chats')).body.chat;
    const clientTime = new Date().toISOString();

    const res = await p.api('POST', '/api/telemetry', {
      events: [
        { kind: 'visibility', clientTime, chatId: oldChat.id, state: 'hidden' },
        { kind: 'stop_pressed', clientTime, chatId: oldChat.id, messageId: oldReply.id, shownChars: 3 },
        { kind: 'paste', clientTime, chatId: newChat.id, length: 7 },
      ],
    });
    expect(res.status).toBe(202);

    const ids = await rawQuery<{ id: string; studyId: string }>(study.config.databaseUrl, 'SELECT "id", "studyId" FROM "Participant" WHERE "userId" = ?', [p.user.id]);
    const second = ids.find((row) => row.studyId === 'second')!.id;
    const rows = await storedEvents(study.config.databaseUrl, p.user.id);
    // The old chat (and its message) stays as it was when the first study ended; the event is the second study's.
    expect(rows.map((r) => [r.kind, r.participantId, r.chatId, r.messageId])).toEqual([
      ['visibility', second, null, null],
      ['stop_pressed', second, null, null],
      ['paste', second, newChat.id, null],
    ]);
  });

  it('collects nothing before consent', async () => {
    server = await startStudyServer({ study: { id: 'consent-first', consent: { text: 'Agree?' } } });
    const p = await arrive(server.url, 'undecided');
    const res = await p.api('POST', '/api/telemetry', { events: [{ kind: 'visibility', clientTime: new Date().toISOString(), state: 'hidden' }] });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('consent_required');
  });
});
