import { afterEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeLlmServer } from '../agent/testing/fake-anthropic.ts';
import type { TestSocket } from '../testing/clients.ts';
import { rawQuery } from '../testing/test-databases.ts';
import { arrive, openSocket, send } from './testing/participants.ts';
import { startStudyServer, type StudyServer } from './testing/study-server.ts';

let server: StudyServer | undefined;
let fake: FakeLlmServer | undefined;
const sockets: TestSocket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await server?.close();
  await fake?.close();
  server = undefined;
  fake = undefined;
});

const assistantRows = (url: string, chatId: string) =>
  rawQuery<{ condition: string | null; model: string; settings: string }>(url, `SELECT "condition", "model", "settings" FROM "Message" WHERE "chatId" = ? AND "role" = 'assistant'`, [chatId]);

describe('conditions', () => {
  it('are balanced: 30 participants arriving at once over 3 conditions get exactly 10 each', async () => {
    server = await startStudyServer({ study: { id: 'balance', conditions: { a: {}, b: {}, c: {} } }, env: { LOGIN_ATTEMPTS_PER_MINUTE: '1000' } });
    await Promise.all(Array.from({ length: 30 }, (_, i) => arrive(server!.url, { pid: `p${i}` })));
    const rows = await rawQuery<{ condition: string; n: number }>(
      server.config.databaseUrl,
      `SELECT "condition", COUNT(*) AS n FROM "Participant" WHERE "studyId" = 'balance' GROUP BY "condition" ORDER BY "condition"`,
    );
    expect(rows.map((r) => [r.condition, Number(r.n)])).toEqual([
      ['a', 10],
      ['b', 10],
      ['c', 10],
    ]);
  });

  it('fill a condition added later first', async () => {
    server = await startStudyServer({ study: { id: 'grow', conditions: { a: {}, b: {} } }, env: { LOGIN_ATTEMPTS_PER_MINUTE: '1000' } });
    for (let i = 0; i < 4; i += 1) await arrive(server.url, { pid: `early${i}` });
    await server.writeSettings({ agent: { provider: 'echo', echoDelayMs: 0 }, study: { id: 'grow', conditions: { a: {}, b: {}, c: {} } } });
    const late = await Promise.all([0, 1].map((i) => arrive(server!.url, { pid: `late${i}` })));
    const conditions = await rawQuery<{ condition: string }>(server.config.databaseUrl, `SELECT "condition" FROM "Participant" WHERE "userId" IN (?, ?)`, late.map((p) => p.user.id));
    expect(conditions.map((r) => r.condition)).toEqual(['c', 'c']);
  });

  it("answer each participant with their condition's settings in every chat, and store the condition with every reply", async () => {
    fake = await startFakeAnthropic({ tokens: ['Hi', '!'] });
    server = await startStudyServer({
      agent: { provider: 'anthropic', baseUrl: fake.url, model: 'base-model', systemPrompt: 'Base prompt.', maxRetries: 0 },
      study: { id: 'prompts', conditions: { warm: { systemPrompt: 'Be warm.', model: 'model-warm' }, cool: { systemPrompt: 'Be cool.' } } },
      env: { ANTHROPIC_API_KEY: 'test-key' },
    });
    const participants = await Promise.all(['p1', 'p2'].map((pid) => arrive(server!.url, { pid })));
    const conditionOf = new Map<string, string>();
    for (const p of participants) {
      const [row] = await rawQuery<{ condition: string }>(server.config.databaseUrl, `SELECT "condition" FROM "Participant" WHERE "userId" = ?`, [p.user.id]);
      conditionOf.set(p.user.id, row!.condition);
    }
    expect([...conditionOf.values()].sort()).toEqual(['cool', 'warm']);

    for (const p of participants) {
      const socket = await openSocket(server.wsUrl, p.token, sockets);
      const expected = conditionOf.get(p.user.id) === 'warm' ? { system: 'Be warm.', model: 'model-warm' } : { system: 'Be cool.', model: 'base-model' };
      for (let chatNo = 0; chatNo < 2; chatNo += 1) {
        const chat = (await p.api('POST', '/api/chats')).body.chat;
        socket.send({ type: 'send', chatId: chat.id, clientMsgId: `m${chatNo}`, content: `question ${chatNo}` });
        const done = await socket.next('agent.done', (f) => f.chatId === chat.id);
        expect(done.message.agent).toMatchObject({ model: expected.model });
        expect(fake.lastRequest!.body).toMatchObject(expected);
        const stored = await assistantRows(server.config.databaseUrl, chat.id);
        expect(stored).toHaveLength(1);
        expect(stored[0]!.condition).toBe(conditionOf.get(p.user.id));
        expect(JSON.parse(stored[0]!.settings).systemPrompt).toBe(expected.system);
      }
    }
  });

  it('are absent outside a study: replies use the agent section and record no condition', async () => {
    server = await startStudyServer();
    const p = await arrive(server.url, 'no-study');
    const chat = (await p.api('POST', '/api/chats')).body.chat;
    const socket = await openSocket(server.wsUrl, p.token, sockets);
    await send(p, chat.id, 'hello');
    await socket.next('agent.done');
    expect(await assistantRows(server.config.databaseUrl, chat.id)).toEqual([expect.objectContaining({ condition: null, model: 'echo' })]);
  });
});
