import { afterEach, describe, expect, it } from 'vitest';
import { login } from '../testing/clients.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { createReplyStore } from './reply-store.ts';
import type { AgentSettings } from './providers/types.ts';

let server: TestServer;
afterEach(async () => server?.close());

const settings: AgentSettings = { provider: 'echo', model: 'echo', systemPrompt: '', temperature: 1, maxTokens: 10, timeoutMs: 1000, maxRetries: 0, contextChars: 1000 };

describe('checkpointing many replies at once', () => {
  it('saves each reply its own text, leaves finished replies alone, and handles more than one statement', async () => {
    server = await startTestServer({ AGENT_REPLIES: 'false' });
    const { api } = await login(server.url, 'alice');
    const chat = (await api('POST', '/api/chats')).body.chat;
    await api('POST', `/api/chats/${chat.id}/messages`, { clientMsgId: 'q', content: 'hi' });
    const store = createReplyStore(server.server.database.prisma);
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
