import { afterEach, describe, expect, it } from 'vitest';
import { login, TestSocket } from '../testing/clients.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

let server: TestServer;
const sockets: TestSocket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await server?.close();
});

async function connectedUser(name: string) {
  const user = await login(server.url, name);
  const chat = (await user.api('POST', '/api/chats')).body.chat as { id: string };
  const socket = await TestSocket.connect(server.wsUrl, { token: user.token });
  sockets.push(socket);
  await socket.next('hello');
  return { ...user, chat, socket };
}

describe('AGENT_REPLIES=false', () => {
  it('stores and acknowledges user messages without starting an agent reply', async () => {
    server = await startTestServer({ AGENT_REPLIES: 'false' });
    const { chat, socket, api } = await connectedUser('alice');
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'quiet', content: 'hello' });
    expect(await socket.next('ack')).toMatchObject({ duplicate: false, message: { content: 'hello' } });
    await new Promise((r) => setTimeout(r, 200));
    expect(socket.frames.filter((f) => f.type.startsWith('agent.'))).toEqual([]);
    const messages = (await api('GET', `/api/chats/${chat.id}`)).body.messages as { role: string }[];
    expect(messages.map((m) => m.role)).toEqual(['user']);
  });
});
