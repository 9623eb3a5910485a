import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { login } from '../testing/clients.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('shutdown and requests in progress', () => {
  it('answers a REST request that was still arriving when shutdown began, keeps its message, and answers it', async () => {
    server = await startTestServer({}, { agent: { provider: 'echo', echoDelayMs: 10 } });
    const user = await login(server.url, 'ada');
    const chat = (await user.api('POST', '/api/chats')).body.chat as { id: string };

    const body = JSON.stringify({ clientMsgId: 'in-flight', content: '/long 20 sent during shutdown' });
    const half = Math.floor(body.length / 2);
    const request = http.request(`${server.url}/api/chats/${chat.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${user.token}` },
    });
    const answered = new Promise<{ status: number; body: any }>((resolve, reject) => {
      request.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      request.on('error', reject);
    });
    request.write(body.slice(0, half));
    // The server is serving it (headers read, body still arriving) when shutdown begins.
    while (server.server.requestsInFlight === 0) await new Promise((r) => setTimeout(r, 10));
    const stopping = server.server.stop();
    await new Promise((r) => setTimeout(r, 50));
    request.end(body.slice(half));

    const response = await answered;
    expect(response.status).toBe(201);
    expect(response.body.message).toMatchObject({ clientMsgId: 'in-flight', content: '/long 20 sent during shutdown' });
    await stopping;

    server = await server.restart();
    const again = await login(server.url, 'ada');
    const stored = async () => (await again.api('GET', `/api/chats/${chat.id}`)).body.messages as { role: string; content: string; status: string }[];
    expect((await stored())[0]).toMatchObject({ role: 'user', content: '/long 20 sent during shutdown' });
    // Answered either way: its reply began before shutdown ended the running ones (kept as
    // interrupted), or shutdown came first and the next start answered it.
    await expect.poll(async () => (await stored()).map((m) => m.role), { timeout: 10_000 }).toEqual(['user', 'assistant']);
    await expect.poll(async () => ['interrupted', 'complete'].includes((await stored())[1]!.status), { timeout: 10_000 }).toBe(true);
  });
});
