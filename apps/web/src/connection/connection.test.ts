import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerFrame } from '@parley/protocol';
import { Connection, socketUrlFor, type ConnectionState, type SocketLike } from './connection.ts';

/** A socket the test drives by hand: open it, push frames, close it with a code. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  closedWith: number | null = null;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000) {
    this.closedWith = code;
    this.readyState = 3;
  }
  serverOpens() {
    this.readyState = 1;
    this.onopen?.({});
    this.push({ type: 'hello', protocolVersion: 1, user: { id: 'u1', username: 'ada', createdAt: '2024-01-01T00:00:00.000Z' }, streaming: [] });
  }
  push(frame: ServerFrame | Record<string, unknown>) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  serverCloses(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

function setup(random = () => 0.5) {
  const sockets: FakeSocket[] = [];
  const online = new EventTarget();
  const connection = new Connection({
    url: 'ws://test/ws',
    createSocket: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    random,
    onlineEvents: online,
    heartbeatMs: 1_000,
  });
  const states: ConnectionState[] = [];
  const frames: ServerFrame[] = [];
  connection.subscribe({ onState: (s) => states.push(s), onFrame: (f) => frames.push(f) });
  const latest = () => sockets[sockets.length - 1]!;
  return { connection, sockets, latest, online, states, frames };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Connection', () => {
  it('is open only after the hello frame, and only then sends', () => {
    const { connection, latest, frames } = setup();
    connection.start();
    expect(connection.getState().status).toBe('connecting');
    expect(connection.send({ type: 'ping' })).toBe(false);
    latest().serverOpens();
    expect(connection.getState()).toEqual({ status: 'open' });
    expect(frames.map((f) => f.type)).toEqual(['hello']);
    expect(connection.send({ type: 'stop', chatId: 'c1' })).toBe(true);
    expect(latest().sent).toEqual([{ type: 'stop', chatId: 'c1' }]);
  });

  it('queues nothing while disconnected', () => {
    const { connection, latest, sockets } = setup();
    connection.start();
    latest().serverOpens();
    latest().serverCloses();
    expect(connection.send({ type: 'send', chatId: 'c1', clientMsgId: 'm1', content: 'hi' })).toBe(false);
    vi.advanceTimersByTime(400);
    latest().serverOpens();
    expect(sockets.flatMap((s) => s.sent)).toEqual([]);
  });

  it('retries with a growing delay while the server stays down', () => {
    const { connection, latest, sockets, states } = setup();
    connection.start();
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      latest().serverCloses();
      const state = connection.getState();
      expect(state.status).toBe('waiting');
      if (state.status === 'waiting') waits.push(state.retryInMs);
      vi.advanceTimersByTime(state.status === 'waiting' ? state.retryInMs - 1 : 0);
      expect(sockets).toHaveLength(i + 1); // not a millisecond early
      vi.advanceTimersByTime(1);
      expect(sockets).toHaveLength(i + 2);
    }
    expect(waits).toEqual([300, 600, 1200, 2400, 4800]);
    expect(states.filter((s) => s.status === 'waiting').every((s) => s.status === 'waiting' && s.neverOpened)).toBe(true);
  });

  it('starts the backoff over after a successful hello', () => {
    const { connection, latest } = setup();
    connection.start();
    for (let i = 0; i < 3; i++) {
      latest().serverCloses();
      vi.runOnlyPendingTimers();
    }
    latest().serverOpens();
    latest().serverCloses();
    expect(connection.getState()).toMatchObject({ status: 'waiting', retryInMs: 300, neverOpened: false });
  });

  it('reconnects at once when the browser reports it is online again', () => {
    const { connection, latest, sockets, online } = setup();
    connection.start();
    for (let i = 0; i < 6; i++) {
      latest().serverCloses();
      vi.runOnlyPendingTimers();
    }
    latest().serverCloses();
    expect(connection.getState()).toMatchObject({ status: 'waiting', retryInMs: 10_000 });
    const before = sockets.length;
    online.dispatchEvent(new Event('online'));
    expect(sockets).toHaveLength(before + 1);
    expect(connection.getState().status).toBe('connecting');
    vi.advanceTimersByTime(20_000); // the cancelled timer must not open a second socket
    expect(sockets).toHaveLength(before + 1);
  });

  it('stops for good when the server ends the session (4001)', () => {
    const { connection, latest, sockets } = setup();
    connection.start();
    latest().serverOpens();
    latest().serverCloses(4001);
    expect(connection.getState()).toEqual({ status: 'ended' });
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('ignores malformed frames instead of crashing', () => {
    const { connection, latest, frames } = setup();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    connection.start();
    latest().serverOpens();
    latest().onmessage?.({ data: '{not json' });
    latest().push({ type: 'agent.delta', chatId: 'c1' });
    latest().push({ type: 'pong', t: 1 });
    expect(frames.map((f) => f.type)).toEqual(['hello', 'pong']);
  });

  it('pings, and treats a silent connection as dead', () => {
    const { connection, latest, sockets } = setup();
    connection.start();
    latest().serverOpens();
    vi.advanceTimersByTime(1_000);
    expect(latest().sent).toEqual([expect.objectContaining({ type: 'ping' })]);
    vi.advanceTimersByTime(2_000); // nothing came back for two intervals
    expect(sockets[0]!.closedWith).toBe(4000);
    expect(connection.getState().status).toBe('waiting');
    vi.runOnlyPendingTimers();
    expect(sockets).toHaveLength(2);
  });

  it('stop() closes the socket and cancels any retry', () => {
    const { connection, latest, sockets } = setup();
    connection.start();
    latest().serverCloses();
    connection.stop();
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
    expect(connection.getState()).toEqual({ status: 'idle' });
  });
});

describe('socketUrlFor', () => {
  it('uses wss on https pages and the same host', () => {
    expect(socketUrlFor({ protocol: 'https:', host: 'lab.example:8443' })).toBe('wss://lab.example:8443/ws');
    expect(socketUrlFor({ protocol: 'http:', host: '127.0.0.1:3000' })).toBe('ws://127.0.0.1:3000/ws');
  });
});
