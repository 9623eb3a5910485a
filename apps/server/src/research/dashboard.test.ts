import { dashboardResponseSchema, participantListResponseSchema, conversationListResponseSchema, conversationDetailResponseSchema } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, type TestSocket } from '../testing/clients.ts';
import { arrive, openSocket, type Arrival } from '../study/testing/participants.ts';
import { startStudyServer, type StudyServer } from '../study/testing/study-server.ts';
import { hashPassword } from './password-hash.ts';

let server: StudyServer;
let researcher: ReturnType<typeof apiClient>;
const sockets: TestSocket[] = [];
const conditionOf = new Map<string, string>();
const chatOf = new Map<string, string>();

beforeAll(async () => {
  // Condition "broken" asks for Anthropic without a key: every reply there fails, as agent errors should show.
  server = await startStudyServer({
    study: { id: 'dash', conditions: { echo: {}, broken: { provider: 'anthropic' } } },
    env: { RESEARCHER_PASSWORD_HASH: await hashPassword('pw', { N: 1024, r: 8, p: 1 }) },
  });
  researcher = apiClient(server.url, (await apiClient(server.url)('POST', '/api/research/login', { password: 'pw' })).body.token);
  const people: Arrival[] = [];
  for (const pid of ['d1', 'd2', 'd3', 'd4']) people.push(await arrive(server.url, { pid }));
  for (const p of people) {
    const { body } = await researcher('GET', `/api/research/participants?limit=200`);
    conditionOf.set(p.user.username, body.participants.find((x: { participantId: string }) => x.participantId === p.user.username).condition);
    const socket = await openSocket(server.wsUrl, p.token, sockets);
    const chat = (await p.api('POST', '/api/chats')).body.chat;
    chatOf.set(p.user.username, chat.id);
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'q', content: `question from ${p.user.username}` });
    await socket.next(conditionOf.get(p.user.username) === 'echo' ? 'agent.done' : 'agent.error');
  }
  // Messages carry the real time; the study clock moves on a minute so they sit inside the window.
  server.clock.advance(60_000);
}, 60_000);

afterAll(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await server?.close();
});

describe('the dashboard', () => {
  it('counts participants, conversations, messages, errors and first-token medians per condition', async () => {
    const res = await researcher('GET', '/api/research/dashboard');
    expect(res.status).toBe(200);
    const dash = dashboardResponseSchema.parse(res.body);
    expect([...conditionOf.values()].sort()).toEqual(['broken', 'broken', 'echo', 'echo']);
    expect(dash).toMatchObject({
      studyId: 'dash',
      participants: { total: 4, consentPending: 0, consented: 4, declined: 0 },
      conversations: 4,
      activeConnections: 4,
      instances: 1,
      agentErrors: { total: 2, byCode: { agent_unavailable: 2 } },
    });
    const byName = Object.fromEntries(dash.byCondition.map((c) => [c.condition, c]));
    expect(byName.echo).toMatchObject({ participants: 2, conversations: 2, userMessages: 2 });
    expect(byName.echo!.medianFirstTokenMs).toEqual(expect.any(Number));
    expect(byName.broken).toMatchObject({ participants: 2, conversations: 2, userMessages: 2, medianFirstTokenMs: null });
    expect(dash.medianFirstTokenMs).toBe(byName.echo!.medianFirstTokenMs);
    expect(dash.agentErrors.recent.map((e) => e.chatId).sort()).toEqual(
      [...conditionOf.entries()].filter(([, c]) => c === 'broken').map(([pid]) => chatOf.get(pid)).sort(),
    );
    expect(dash.messagesPerMinute.buckets).toHaveLength(dash.messagesPerMinute.windowMinutes);
    expect(dash.messagesPerMinute.buckets.reduce((n, b) => n + b.user, 0)).toBe(4);
    expect(dash.messagesPerMinute.buckets.reduce((n, b) => n + b.assistant, 0)).toBe(4);
  });

  it('can look at another study (empty here)', async () => {
    const dash = dashboardResponseSchema.parse((await researcher('GET', '/api/research/dashboard?study=elsewhere')).body);
    expect(dash).toMatchObject({ studyId: 'elsewhere', participants: { total: 0 }, conversations: 0, agentErrors: { total: 0 }, medianFirstTokenMs: null, byCondition: [] });
  });
});

describe('browsing', () => {
  it('pages through participants with a cursor', async () => {
    const first = participantListResponseSchema.parse((await researcher('GET', '/api/research/participants?limit=3')).body);
    expect(first.participants).toHaveLength(3);
    expect(first.nextCursor).toBeTruthy();
    const second = participantListResponseSchema.parse((await researcher('GET', `/api/research/participants?limit=3&cursor=${first.nextCursor}`)).body);
    expect(second.participants).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    // All four arrived at the same instant of the study clock: the pages split ties by id, never repeating one.
    expect([...first.participants, ...second.participants].map((p) => p.participantId).sort()).toEqual(['d1', 'd2', 'd3', 'd4']);
    expect(first.participants[0]).toMatchObject({ studyId: 'dash', consentStatus: 'not_required', conversations: 1 });
    expect((await researcher('GET', '/api/research/participants?cursor=garbage')).status).toBe(400);
  });

  it('lists conversations by condition and participant, and shows one read-only with everything in it', async () => {
    const echo = conversationListResponseSchema.parse((await researcher('GET', '/api/research/conversations?condition=echo')).body);
    expect(echo.conversations.map((c) => c.participantId).sort()).toEqual([...conditionOf.entries()].filter(([, c]) => c === 'echo').map(([pid]) => pid).sort());
    const d1 = conversationListResponseSchema.parse((await researcher('GET', '/api/research/conversations?participant=d1')).body);
    expect(d1.conversations).toEqual([expect.objectContaining({ chatId: chatOf.get('d1'), messageCount: 2, condition: conditionOf.get('d1') })]);

    const detail = conversationDetailResponseSchema.parse((await researcher('GET', `/api/research/conversations/${chatOf.get('d1')}`)).body);
    expect(detail.conversation.messages.map((m) => [m.role, m.content.slice(0, 20)])).toEqual([
      ['user', 'question from d1'],
      ['assistant', conditionOf.get('d1') === 'echo' ? '(Simulated agent) Yo' : ''],
    ]);
    expect((await researcher('GET', '/api/research/conversations/nope')).status).toBe(404);
  });
});
