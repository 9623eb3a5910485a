import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { login, TestSocket } from '../testing/clients.ts';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { checkMetricsAccess } from './metrics-access.ts';

let server: TestServer;
const sockets: TestSocket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.close());
  await server?.close();
});

const request = (remoteAddress: string, headers: Record<string, string> = {}) => ({ headers, socket: { remoteAddress } }) as never;

/** One sample's value from the Prometheus text, e.g. `parley_open_sockets` or `…_count`. */
function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  if (!line) throw new Error(`no sample ${name}`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

const scrape = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
};

/** An address of this machine that is not loopback, so a request to it arrives from a "remote" address. */
const externalAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

describe('metrics access', () => {
  it('lets a scraper on this machine in by the socket address, and nobody else without the token', () => {
    expect(checkMetricsAccess(request('127.0.0.1'), null)).toEqual({ allowed: true });
    expect(checkMetricsAccess(request('::1'), null)).toEqual({ allowed: true });
    expect(checkMetricsAccess(request('::ffff:127.0.0.1'), 'secret')).toEqual({ allowed: true });
    expect(checkMetricsAccess(request('203.0.113.9'), null)).toMatchObject({ allowed: false, status: 403, code: 'forbidden' });
    expect(checkMetricsAccess(request('203.0.113.9'), 'secret')).toMatchObject({ allowed: false, status: 401, code: 'unauthorized' });
  });

  it('accepts the bearer token from anywhere, refuses a wrong one, and never trusts forwarding headers', () => {
    expect(checkMetricsAccess(request('203.0.113.9', { authorization: 'Bearer secret' }), 'secret')).toEqual({ allowed: true });
    expect(checkMetricsAccess(request('203.0.113.9', { authorization: 'Bearer wrong' }), 'secret')).toMatchObject({ status: 401 });
    expect(checkMetricsAccess(request('203.0.113.9', { authorization: 'Bearer anything' }), null)).toMatchObject({ status: 401 });
    // A header cannot make a remote client local…
    expect(checkMetricsAccess(request('203.0.113.9', { 'x-forwarded-for': '127.0.0.1' }), null)).toMatchObject({ allowed: false });
    // …and a request a local reverse proxy forwarded is not local, although its socket is.
    expect(checkMetricsAccess(request('127.0.0.1', { 'x-forwarded-for': '198.51.100.4' }), null)).toMatchObject({ status: 403 });
    expect(checkMetricsAccess(request('127.0.0.1', { forwarded: 'for=198.51.100.4' }), 'secret')).toMatchObject({ status: 401 });
  });

  it.skipIf(!externalAddress)('refuses a real remote connection with Parley error bodies and lets the token in', async () => {
    server = await startTestServer({ HOST: '0.0.0.0', METRICS_TOKEN: 'op-token' });
    const remoteUrl = `http://${externalAddress}:${server.server.port}`;
    const refused = await fetch(`${remoteUrl}/metrics`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect((await scrape(remoteUrl, { authorization: 'Bearer wrong' })).status).toBe(401);
    const allowed = await scrape(remoteUrl, { authorization: 'Bearer op-token' });
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain('parley_open_sockets');
  });

  it.skipIf(!externalAddress)('refuses a remote scraper with 403 when no token is configured', async () => {
    server = await startTestServer({ HOST: '0.0.0.0' });
    const res = await fetch(`http://${externalAddress}:${server.server.port}/metrics`);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
  });
});

describe('metrics', () => {
  it('serve Prometheus text whose counters follow sockets, stored messages, acks and transactions', async () => {
    server = await startTestServer({}, { agent: { provider: 'echo', echoDelayMs: 0 } });
    const before = await scrape(server.url);
    expect(before.status).toBe(200);
    expect(before.type).toMatch(/^text\/plain/);
    expect(sample(before.text, 'parley_open_sockets')).toBe(0);
    expect(sample(before.text, 'parley_messages_stored_total')).toBe(0);
    expect(sample(before.text, 'parley_ack_latency_seconds_count')).toBe(0);
    // Default process metrics, event-loop delay among them.
    expect(before.text).toContain('process_resident_memory_bytes');
    expect(before.text).toContain('nodejs_eventloop_lag_p99_seconds');

    const { token, api } = await login(server.url, 'alice');
    const chat = (await api('POST', '/api/chats')).body.chat as { id: string };
    const socket = await TestSocket.connect(server.wsUrl, { token });
    sockets.push(socket);
    await socket.next('hello');
    for (const id of ['m1', 'm2', 'm1']) {
      socket.send({ type: 'send', chatId: chat.id, clientMsgId: id, content: `hello ${id}` });
      await socket.next('ack', (a) => a.clientMsgId === id);
    }
    await socket.next('agent.done');

    const after = await scrape(server.url);
    expect(sample(after.text, 'parley_open_sockets')).toBe(1);
    // The resend of m1 is acked but stores nothing.
    expect(sample(after.text, 'parley_messages_stored_total')).toBe(2);
    expect(sample(after.text, 'parley_ack_latency_seconds_count')).toBe(3);
    expect(sample(after.text, 'parley_ack_latency_seconds_sum')).toBeGreaterThan(0);
    expect(sample(after.text, 'parley_db_transaction_seconds_count')).toBeGreaterThanOrEqual(2);

    socket.close();
    await socket.waitClosed();
    await new Promise((r) => setTimeout(r, 50));
    expect(sample((await scrape(server.url)).text, 'parley_open_sockets')).toBe(0);
  });

  it('count the agent replies running', async () => {
    server = await startTestServer({}, { agent: { provider: 'echo', echoDelayMs: 20 } });
    const { token, api } = await login(server.url, 'alice');
    const chat = (await api('POST', '/api/chats')).body.chat as { id: string };
    const socket = await TestSocket.connect(server.wsUrl, { token });
    sockets.push(socket);
    await socket.next('hello');
    socket.send({ type: 'send', chatId: chat.id, clientMsgId: 'long', content: '/long 200' });
    await socket.next('agent.delta');
    expect(sample((await scrape(server.url)).text, 'parley_agent_replies_running')).toBe(1);
    socket.send({ type: 'stop', chatId: chat.id });
    await socket.next('agent.done');
    expect(sample((await scrape(server.url)).text, 'parley_agent_replies_running')).toBe(0);
  });

  it('keep each server’s numbers apart when several run in one process', async () => {
    server = await startTestServer();
    const other = await startTestServer();
    try {
      const { token } = await login(other.url, 'bob');
      const socket = await TestSocket.connect(other.wsUrl, { token });
      sockets.push(socket);
      await socket.next('hello');
      expect(sample((await scrape(other.url)).text, 'parley_open_sockets')).toBe(1);
      expect(sample((await scrape(server.url)).text, 'parley_open_sockets')).toBe(0);
    } finally {
      sockets.splice(0).forEach((s) => s.close());
      await other.close();
    }
  });
});
