import { afterEach, describe, expect, it } from 'vitest';
import { login, type TestSocket } from '../testing/clients.ts';
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

const CONSENT_TEXT = '# Consent\n\nYou may stop at any time.';
const STUDY = { id: 'pilot', consent: { text: CONSENT_TEXT }, conditions: { a: {}, b: {} } };
const PID = '5f1c0ffee0ddba11deadbeef';

describe('without a study section', () => {
  it('behaves as Parley without studies: no study view, no consent gate, every permission', async () => {
    server = await startStudyServer();
    const alice = await login(server.url, 'alice');
    expect((await alice.api('GET', '/api/study')).body).toEqual({ study: null });
    const chat = (await alice.api('POST', '/api/chats')).body.chat;
    expect((await send(alice, chat.id, 'hello')).status).toBe(201);
    expect((await alice.api('PUT', `/api/chats/${chat.id}/title`, { title: 'Mine' })).status).toBe(200);
    expect((await alice.api('POST', '/api/chats')).status).toBe(201);
    expect((await alice.api('POST', '/api/study/consent', { accept: true })).body.error.code).toBe('not_found');
  });
});

describe('participants from a study link', () => {
  it('are logged in under PROLIFIC_PID, with the study and session ids stored and every login recorded', async () => {
    server = await startStudyServer({ study: STUDY });
    const first = await arrive(server.url, { PROLIFIC_PID: PID, STUDY_ID: 'prolific-study', SESSION_ID: 'session-1' });
    expect(first.user.username).toBe(PID);
    const again = await arrive(server.url, { PROLIFIC_PID: PID, STUDY_ID: 'prolific-study', SESSION_ID: 'session-2' });
    expect(again.user.id).toBe(first.user.id);

    const [row] = await rawQuery<Record<string, string>>(server.config.databaseUrl, 'SELECT * FROM "Participant" WHERE "userId" = ?', [first.user.id]);
    expect(row).toMatchObject({ studyId: 'pilot', prolificPid: PID, externalStudyId: 'prolific-study', externalSessionId: 'session-1', consentStatus: 'pending' });
    const logins = await rawQuery<{ kind: string; source: string; data: string; participantId: string }>(
      server.config.databaseUrl,
      'SELECT "kind", "source", "data", "participantId" FROM "ParticipantEvent" WHERE "userId" = ? ORDER BY "id"',
      [first.user.id],
    );
    expect(logins.map((e) => [e.kind, e.source, JSON.parse(e.data).SESSION_ID, e.participantId])).toEqual([
      ['login', 'server', 'session-1', row!.id],
      ['login', 'server', 'session-2', row!.id],
    ]);
  });

  it('may use a generic pid', async () => {
    server = await startStudyServer({ study: STUDY });
    expect((await arrive(server.url, { pid: 'p-042' })).user.username).toBe('p-042');
  });

  it.each([
    [{ participant: { PROLIFIC_PID: '' } }, /PROLIFIC_PID/],
    [{ participant: { PROLIFIC_PID: 'a\u0007b' } }, /PROLIFIC_PID/],
    [{ participant: { SESSION_ID: 'x'.repeat(129) } }, /SESSION_ID/],
    [{ participant: { STUDY_ID: 'only-a-study' } }, /username/],
    [{ participant: { pid: 'p', role: 'researcher' } }, /role/],
  ])('refuses %j with a message naming the field', async (body, field) => {
    server = await startStudyServer({ study: STUDY });
    const { apiClient } = await import('../testing/clients.ts');
    const res = await apiClient(server.url)('POST', '/api/auth/login', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'validation_failed', message: expect.stringMatching(field) });
  });
});

describe('consent', () => {
  it('gates chats and sending over REST and the socket until accepted, then tells every tab', async () => {
    server = await startStudyServer({ study: STUDY });
    const p = await arrive(server.url, { PROLIFIC_PID: PID });
    const view = (await p.api('GET', '/api/study')).body.study;
    expect(view).toMatchObject({ id: 'pilot', state: 'consent_required', consent: { required: true, status: 'pending', text: CONSENT_TEXT, decidedAt: null } });
    // The participant's condition is never shown to them.
    expect(JSON.stringify(view)).not.toMatch(/"(a|b)"|condition/);

    expect((await p.api('POST', '/api/chats')).body.error.code).toBe('consent_required');
    const rest = await send(p, 'any-chat', 'hello');
    expect(rest.status).toBe(403);
    expect(rest.body.error).toEqual({ code: 'consent_required', message: expect.stringContaining('consent') });
    const tab1 = await openSocket(server.wsUrl, p.token, sockets);
    const tab2 = await openSocket(server.wsUrl, p.token, sockets);
    tab1.send({ type: 'send', chatId: 'any-chat', clientMsgId: 'm1', content: 'hello' });
    expect(await tab1.next('error')).toMatchObject({ code: 'consent_required', clientMsgId: 'm1', chatId: 'any-chat' });

    const accepted = await p.api('POST', '/api/study/consent', { accept: true });
    expect(accepted.status).toBe(200);
    expect(accepted.body.study).toMatchObject({ state: 'active', consent: { status: 'accepted', decidedAt: server.clock.now().toISOString() } });
    expect((await tab2.next('study.updated')).study).toMatchObject({ state: 'active' });
    expect((await p.api('POST', '/api/study/consent', { accept: true })).status).toBe(200);

    const [row] = await rawQuery<Record<string, string | null>>(server.config.databaseUrl, 'SELECT * FROM "Participant" WHERE "userId" = ?', [p.user.id]);
    expect(row!.consentStatus).toBe('accepted');
    expect(row!.consentTextSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(['a', 'b']).toContain(row!.condition);

    const chat = (await p.api('POST', '/api/chats')).body.chat;
    tab1.send({ type: 'send', chatId: chat.id, clientMsgId: 'm2', content: 'hello' });
    expect(await tab1.next('ack')).toMatchObject({ clientMsgId: 'm2', duplicate: false });
    await tab1.next('agent.done');
  });

  it('records a decline as final: no chats, no messages, no feedback or telemetry, no change of mind', async () => {
    server = await startStudyServer({ study: STUDY });
    const p = await arrive(server.url, { PROLIFIC_PID: PID });
    const declined = await p.api('POST', '/api/study/consent', { accept: false });
    expect(declined.body.study).toMatchObject({ state: 'declined', consent: { status: 'declined' }, completion: null });
    const again = await p.api('POST', '/api/study/consent', { accept: true });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect((await p.api('POST', '/api/chats')).body.error.code).toBe('consent_declined');
    expect((await send(p, 'x', 'hi')).body.error.code).toBe('consent_declined');
    const beacon = await p.api('POST', '/api/telemetry', { events: [{ kind: 'visibility', clientTime: new Date().toISOString(), state: 'hidden' }] });
    expect(beacon.body.error.code).toBe('consent_declined');
    const socket = await openSocket(server.wsUrl, p.token, sockets);
    socket.send({ type: 'send', chatId: 'x', clientMsgId: 'm', content: 'hi' });
    expect(await socket.next('error')).toMatchObject({ code: 'consent_declined' });
    const [row] = await rawQuery<Record<string, string | null>>(server.config.databaseUrl, 'SELECT * FROM "Participant" WHERE "userId" = ?', [p.user.id]);
    expect(row).toMatchObject({ consentStatus: 'declined', condition: null });
    expect(row!.consentAt).toBeTruthy();
  });

  it('validates the decision', async () => {
    server = await startStudyServer({ study: STUDY });
    const p = await arrive(server.url, 'someone');
    for (const body of [{}, { accept: 'yes' }, { accept: true, extra: 1 }]) {
      const res = await p.api('POST', '/api/study/consent', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });

  it('asks someone who was chatting before the study began, and keeps their earlier chats read-only', async () => {
    server = await startStudyServer();
    const p = await arrive(server.url, 'early-bird');
    const before = (await p.api('POST', '/api/chats')).body.chat;
    expect((await send(p, before.id, 'before the study')).status).toBe(201);
    await server.writeSettings({ agent: { provider: 'echo', echoDelayMs: 0 }, study: STUDY });

    expect((await send(p, before.id, 'still here?')).body.error.code).toBe('consent_required');
    const chatId = await consentAndChat(p);
    const old = await send(p, before.id, 'still here?');
    expect(old.status).toBe(403);
    expect(old.body.error).toEqual({ code: 'forbidden', message: expect.stringContaining('outside the current study') });
    expect((await send(p, chatId, 'in the study')).status).toBe(201);
    const view = (await p.api('GET', '/api/study')).body.study;
    expect(view.chats.map((c: { chatId: string }) => c.chatId)).toEqual([chatId]);
  });
});
