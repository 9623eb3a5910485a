import { afterEach, describe, expect, it } from 'vitest';
import { createLocalCluster } from '../cluster/local-cluster.ts';
import { ConnectionRegistry } from '../gateway/connection-registry.ts';
import { createLogger } from '../logging/logger.ts';
import { login } from '../testing/clients.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { createEchoProvider } from './providers/echo.ts';
import { createReplyStore } from './reply-store.ts';
import { ReplyRunner } from './reply-runner.ts';
import { testSettings } from './testing/collect-stream.ts';

let server: TestServer;
let runner: ReplyRunner | undefined;
afterEach(async () => {
  await runner?.shutdown();
  await server?.close();
});

describe('a reply whose end cannot be stored at first', () => {
  it('is stored as soon as the database answers again, as the participant saw it, not left streaming', async () => {
    server = await startTestServer({ AGENT_REPLIES: 'false' });
    const { api, user } = await login(server.url, 'alice');
    const chat = (await api('POST', '/api/chats')).body.chat;
    await api('POST', `/api/chats/${chat.id}/messages`, { clientMsgId: 'q', content: 'Hello there' });
    const { prisma } = server.server.database;
    const store = createReplyStore(prisma);
    let failures = 2;
    runner = new ReplyRunner({
      // The database fails twice as the reply ends (e.g. a connection dropped), then answers.
      store: { ...store, finish: (id, outcome) => (failures-- > 0 ? Promise.reject(new Error('Connection terminated unexpectedly')) : store.finish(id, outcome)) },
      settings: async () => ({ settings: testSettings({ echoDelayMs: 0 }), condition: null }),
      providerFor: () => createEchoProvider(),
      cluster: createLocalCluster(new ConnectionRegistry()),
      logger: createLogger('silent'),
    });
    runner.onUserMessage(user.id, chat.id);

    const reply = async () => prisma.message.findFirst({ where: { chatId: chat.id, role: 'assistant' } });
    let row = await reply();
    for (let i = 0; i < 50 && (!row || row.status === 'streaming'); i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      row = await reply();
    }
    expect(failures).toBeLessThan(0);
    expect(row).toMatchObject({ status: 'error', errorCode: 'internal' });
    expect(row!.content).toContain('Hello there');
  });
});
