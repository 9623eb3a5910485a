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
  it('answers a REST request that was still arriving when shutdown began, and keeps its message', async () => {
    server = await startTestServer({ AGENT_REPLIES: 'false' });
    const user = await login(server.url, 'ada');
    const chat = (await user.api('POST', '/api/chats')).body.chat as { id: string };

    const body = JSON.stringify({ clientMsgId: 'in-flight', content: 'sent during shutdown' });
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
    await new Promise((r) => setTimeout(r, 100)); // the request has reached the server
    const stopping = server.server.stop();
    await new Promise((r) => setTimeout(r, 200)); // shutdown is under way
    request.end(body.slice(half));

    const response = await answered;
    expect(response.status).toBe(201);
    expect(response.body.message).toMatchObject({ clientMsgId: 'in-flight', content: 'sent during shutdown' });
    await stopping;

    server = await server.restart();
    const again = await login(server.url, 'ada');
    const stored = (await again.api('GET', `/api/chats/${chat.id}`)).body;
    expect(JSON.stringify(stored)).toContain('sent during shutdown');
  });
});
