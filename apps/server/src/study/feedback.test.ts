import { afterEach, describe, expect, it } from 'vitest';
import type { TestSocket } from '../testing/clients.ts';
import { rawQuery } from '../testing/test-databases.ts';
import { arrive, openSocket, send, type Arrival } from './testing/participants.ts';
import { startStudyServer, type StudyServer } from './testing/study-server.ts';

let server: StudyServer | undefined;
const sockets: TestSocket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await server?.close();
  server = undefined;
});

/** A participant with one exchange: their user message and the agent's reply. */
async function exchange(p: Arrival) {
  const chat = (await p.api('POST', '/api/chats')).body.chat;
  const socket = await openSocket(server!.wsUrl, p.token, sockets);
  const userMessage = (await send(p, chat.id, 'rate my answer')).body.message;
  const reply = (await socket.next('agent.done')).message;
  return { chatId: chat.id as string, userMessage, reply, socket };
}

const rate = (p: Arrival, messageId: string, body: unknown) => p.api('PUT', `/api/messages/${messageId}/feedback`, body);

describe('feedback', () => {
  it('keeps every change as a new row; the latest is current, shown with the chat and pushed to other tabs', async () => {
    server = await startStudyServer({ study: { id: 'fb' } });
    const p = await arrive(server.url, 'rater');
    const { chatId, reply } = await exchange(p);
    const otherTab = await openSocket(server.wsUrl, p.token, sockets);

    const up = await rate(p, reply.id, { rating: 'up' });
    expect(up.status).toBe(200);
    expect(up.body).toEqual({ messageId: reply.id, feedback: { rating: 'up', comment: null, updatedAt: expect.any(String) } });
    expect(await otherTab.next('feedback.updated')).toMatchObject({ chatId, messageId: reply.id, feedback: { rating: 'up' } });
    await rate(p, reply.id, { rating: 'down', comment: '  Too long, and wrong.  ' });
    // A thumbs click without a comment keeps the comment written before.
    await rate(p, reply.id, { rating: 'up' });
    const withdrawn = await rate(p, reply.id, { rating: null, comment: null });
    expect(withdrawn.body.feedback).toMatchObject({ rating: null, comment: null });
    await rate(p, reply.id, { rating: 'down', comment: 'Final answer.' });

    const history = await rawQuery<{ rating: string | null; comment: string | null }>(
      server.config.databaseUrl,
      'SELECT "rating", "comment" FROM "Feedback" WHERE "messageId" = ? ORDER BY "id"',
      [reply.id],
    );
    expect(history).toEqual([
      { rating: 'up', comment: null },
      { rating: 'down', comment: 'Too long, and wrong.' },
      { rating: 'up', comment: 'Too long, and wrong.' },
      { rating: null, comment: null },
      { rating: 'down', comment: 'Final answer.' },
    ]);
    const page = (await p.api('GET', `/api/chats/${chatId}`)).body;
    expect(page.messages.map((m: { role: string; feedback?: unknown }) => [m.role, m.feedback])).toEqual([
      ['user', undefined],
      ['assistant', { rating: 'down', comment: 'Final answer.', updatedAt: expect.any(String) }],
    ]);
  });

  it("is only for assistant messages of the caller's own chats; everything else is not found", async () => {
    server = await startStudyServer();
    const alice = await arrive(server.url, 'alice');
    const bob = await arrive(server.url, 'bob');
    const { reply, userMessage } = await exchange(alice);
    const missing = await rate(bob, 'no-such-message', { rating: 'up' });
    expect(missing.status).toBe(404);
    for (const res of [await rate(bob, reply.id, { rating: 'up' }), await rate(alice, userMessage.id, { rating: 'up' })]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual(missing.body);
    }
    const [count] = await rawQuery<{ n: number }>(server.config.databaseUrl, 'SELECT COUNT(*) AS n FROM "Feedback"');
    expect(Number(count!.n)).toBe(0);
  });

  it("refuses feedback on an earlier study's reply: that conversation can only be read", async () => {
    server = await startStudyServer({ study: { id: 'first' } });
    const p = await arrive(server.url, 'returning');
    const { reply } = await exchange(p);
    expect((await rate(p, reply.id, { rating: 'up' })).status).toBe(200);
    await server.writeSettings({ agent: { provider: 'echo', echoDelayMs: 0 }, study: { id: 'second' } });

    const res = await rate(p, reply.id, { rating: 'down', comment: 'changed my mind' });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({ code: 'forbidden', message: expect.stringMatching(/can only be read/) });
    const history = await rawQuery<{ rating: string | null }>(server.config.databaseUrl, 'SELECT "rating" FROM "Feedback" WHERE "messageId" = ?', [reply.id]);
    expect(history).toEqual([{ rating: 'up' }]);
    // In the second study's own conversation, feedback works as before.
    const current = await exchange(p);
    expect((await rate(p, current.reply.id, { rating: 'down' })).status).toBe(200);
  });

  it.each([
    [{}, /rating/],
    [{ rating: 'meh' }, /rating/],
    [{ rating: 'up', comment: 'x'.repeat(2001) }, /2000/],
    [{ rating: 'up', comment: 'bad\u0000byte' }, /control/],
    [{ rating: 'up', extra: true }, /extra/],
  ])('refuses an invalid body %#', async (body, message) => {
    server = await startStudyServer();
    const p = await arrive(server.url, 'validator');
    const { reply } = await exchange(p);
    const res = await rate(p, reply.id, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'validation_failed', message: expect.stringMatching(message) });
  });

  it('needs a session', async () => {
    server = await startStudyServer();
    const res = await fetch(`${server.url}/api/messages/x/feedback`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"rating":"up"}' });
    expect(res.status).toBe(401);
  });
});
