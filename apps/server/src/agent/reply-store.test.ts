import { afterEach, describe, expect, it } from 'vitest';
import { login } from '../testing/clients.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { createReplyStore } from './reply-store.ts';
import type { AgentSettings } from './providers/types.ts';

let server: TestServer;
afterEach(async () => server?.close());

const settings: AgentSettings = { provider: 'echo', model: 'echo', systemPrompt: '', temperature: 1, maxTokens: 10, timeoutMs: 1000, maxRetries: 0, contextChars: 1000 };

/** A server without agent replies, and a chat with one question in it, for the store to answer. */
async function chatWithQuestion(api?: Awaited<ReturnType<typeof login>>['api']) {
  if (!api) {
    server = await startTestServer({ AGENT_REPLIES: 'false' });
    api = (await login(server.url, 'alice')).api;
  }
  const chat = (await api('POST', '/api/chats')).body.chat as { id: string };
  await api('POST', `/api/chats/${chat.id}/messages`, { clientMsgId: 'q', content: 'hi' });
  return { chat, api, store: createReplyStore(server.server.database.prisma) };
}

describe('checkpointing many replies at once', () => {
  it('saves each reply its own text, leaves finished replies alone, and handles more than one statement', async () => {
    const { chat, store } = await chatWithQuestion();
    const rows = [];
    for (let i = 0; i < 230; i += 1) rows.push(await store.start(chat.id, null, settings, 'echo'));
    const finished = rows[7]!;
    await store.finish(finished.id, { content: 'final', status: 'complete', firstTokenMs: 1, durationMs: 2, inputTokens: null, outputTokens: null, errorCode: null });

    await store.checkpointMany(rows.map((r, i) => ({ messageId: r.id, content: `text of ${i} with 'quotes' and "more"` })));

    const stored = await server.server.database.prisma.message.findMany({ where: { role: 'assistant' } });
    const byId = new Map(stored.map((m) => [m.id, m]));
    rows.forEach((r, i) => {
      if (r.id === finished.id) expect(byId.get(r.id)!.content).toBe('final');
      else expect(byId.get(r.id)!.content).toBe(`text of ${i} with 'quotes' and "more"`);
    });
  });
});

describe('recovering orphans', () => {
  it('ends replies left streaming, except those another instance still runs, and those later once it is gone', async () => {
    const one = await chatWithQuestion();
    const two = await chatWithQuestion(one.api);
    const [crashed, running, store] = [one.chat.id, two.chat.id, one.store];
    const orphan = await store.start(crashed, null, settings, 'echo');
    const live = await store.start(running, null, settings, 'echo');
    const status = async (id: string) => (await server.server.database.prisma.message.findUniqueOrThrow({ where: { id } })).status;

    const first = await store.interruptOrphans(async (chatId) => chatId === running);
    expect(first).toEqual({ interrupted: 1, live: [live.id] });
    expect([await status(orphan.id), await status(live.id)]).toEqual(['interrupted', 'streaming']);
    // Its instance went away: the claim expired, and the second pass over just that reply ends it.
    expect(await store.interruptOrphans(async () => false, first.live)).toEqual({ interrupted: 1, live: [] });
    expect(await status(live.id)).toBe('interrupted');
  });
});

describe('the settings stored with a reply', () => {
  it('are the settings as used: a temperature only where the provider sends it', async () => {
    const { chat, store } = await chatWithQuestion();
    const stored = async (provider: AgentSettings['provider']) => {
      const reply = await store.start(chat.id, null, { ...settings, provider, temperature: 0.3 }, provider);
      const row = await server.server.database.prisma.message.findUniqueOrThrow({ where: { id: reply.id } });
      return JSON.parse(row.settings!) as Record<string, unknown>;
    };
    expect(await stored('openai-compatible')).toMatchObject({ temperature: 0.3, maxTokens: 10 });
    for (const provider of ['anthropic', 'echo'] as const) expect(await stored(provider)).not.toHaveProperty('temperature');
  });
});
