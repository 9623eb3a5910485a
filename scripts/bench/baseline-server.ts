// The physical baseline: a bare `ws` server on the same machine, pinned like Parley, that answers the
// same frames with the least possible work (no auth, no validation, no database). Every Parley figure
// is printed next to this one, so a noisy or slow machine shows up in both.
//
// Speaks a subset of Parley's protocol: `hello` on connect, `send` → `ack` (a frame of the same
// shape and size), `send` with "/long N" → `agent.start`, N `agent.delta` at ECHO_DELAY_MS, `agent.done`,
// `ping` → `pong`. Heartbeat per the ws README. Deliberately no backpressure: scenario 4 shows why
// Parley needs it.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const echoDelayMs = Number(process.env.ECHO_DELAY_MS ?? 20);
const heartbeatMs = Number(process.env.HEARTBEAT_INTERVAL_MS ?? 30_000);

const server = http.createServer((_req, res) => res.end('{"status":"ok"}'));
const wss = new WebSocketServer({ server, path: '/ws' });
const alive = new WeakMap<WebSocket, boolean>();

function stream(ws: WebSocket, chatId: string, count: number): void {
  const messageId = randomUUID();
  ws.send(JSON.stringify({ type: 'agent.start', chatId, messageId }));
  let seq = 0;
  let text = '';
  const next = () => {
    if (ws.readyState !== ws.OPEN) return;
    if (seq === count) {
      ws.send(JSON.stringify({ type: 'agent.done', chatId, message: { id: messageId, content: text } }));
      return;
    }
    const piece = seq === 0 ? '(Simulated) ' : 'word ';
    text += piece;
    ws.send(JSON.stringify({ type: 'agent.delta', chatId, messageId, seq, text: piece }));
    seq += 1;
    setTimeout(next, echoDelayMs);
  };
  next();
}

wss.on('connection', (ws) => {
  alive.set(ws, true);
  ws.on('pong', () => alive.set(ws, true));
  ws.send(JSON.stringify({ type: 'hello', protocolVersion: 1 }));
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { type: string; chatId: string; clientMsgId: string; content: string; t?: number };
    if (frame.type === 'ping') return ws.send(JSON.stringify({ type: 'pong', t: frame.t }));
    if (frame.type !== 'send') return;
    const now = new Date().toISOString();
    ws.send(
      JSON.stringify({
        type: 'ack',
        chatId: frame.chatId,
        clientMsgId: frame.clientMsgId,
        duplicate: false,
        message: { id: randomUUID(), chatId: frame.chatId, position: 1, role: 'user', content: frame.content, status: 'complete', clientMsgId: frame.clientMsgId, createdAt: now, agent: null },
      }),
    );
    const long = /^\/long (\d+)/.exec(frame.content);
    if (long) stream(ws, frame.chatId, Number(long[1]));
  });
});

setInterval(() => {
  for (const ws of wss.clients) {
    if (!alive.get(ws)) {
      ws.terminate();
      continue;
    }
    alive.set(ws, false);
    ws.ping();
  }
}, heartbeatMs).unref();

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`LISTENING ${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => process.exit(0));
