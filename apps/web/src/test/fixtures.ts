import type { Chat, Message, ServerFrame } from '@parley/protocol';
import type { ApiClient } from '../api/client.ts';
import type { ConnectionListener, ConnectionState } from '../connection/connection.ts';

/** Builders for protocol objects with sensible defaults, so each test states only what matters. */
export function chat(id: string, lastUserMessageAt: string | null, extra: Partial<Chat> = {}): Chat {
  return { id, title: `Chat ${id}`, createdAt: '2024-01-01T00:00:00.000Z', lastUserMessageAt, ...extra };
}

export function message(chatId: string, position: number, extra: Partial<Message> = {}): Message {
  return {
    id: `${chatId}-m${position}`,
    chatId,
    position,
    role: 'user',
    content: `message ${position}`,
    status: 'complete',
    clientMsgId: null,
    createdAt: new Date(Date.UTC(2024, 0, 1, 0, position)).toISOString(),
    agent: null,
    ...extra,
  };
}

export function assistant(chatId: string, position: number, extra: Partial<Message> = {}): Message {
  return message(chatId, position, {
    role: 'assistant',
    content: '',
    status: 'streaming',
    agent: { provider: 'echo', model: 'echo', simulated: true, firstTokenMs: null, durationMs: null, inputTokens: null, outputTokens: null, errorCode: null },
    ...extra,
  });
}

export const user = { id: 'u1', username: 'Ada Lovelace', createdAt: '2024-01-01T00:00:00.000Z' };

/** A connection the test drives: it records what was sent and lets the test push frames and states. */
export class FakeConnection {
  sent: unknown[] = [];
  started = 0;
  stopped = 0;
  private state: ConnectionState = { status: 'idle' };
  private listeners = new Set<ConnectionListener>();
  start() {
    this.started += 1;
    this.setState({ status: 'connecting', failures: 0 });
  }
  stop() {
    this.stopped += 1;
    this.setState({ status: 'idle' });
  }
  send(frame: unknown) {
    if (this.state.status !== 'open') return false;
    this.sent.push(frame);
    return true;
  }
  getState() {
    return this.state;
  }
  subscribe(listener: ConnectionListener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  setState(state: ConnectionState) {
    this.state = state;
    for (const l of this.listeners) l.onState?.(state);
  }
  push(frame: ServerFrame) {
    for (const l of this.listeners) l.onFrame?.(frame);
  }
  /** Opens the connection the way the server does: state open, then hello. */
  open(streaming: Extract<ServerFrame, { type: 'hello' }>['streaming'] = []) {
    this.setState({ status: 'open' });
    this.push({ type: 'hello', protocolVersion: 1, user, streaming });
  }
  drop() {
    this.setState({ status: 'waiting', failures: 0, retryInMs: 300, neverOpened: false });
  }
}

/** An API whose every method fails loudly unless the test provides it. */
export function fakeApi(overrides: Partial<ApiClient> = {}): ApiClient {
  const missing = (name: string) => () => Promise.reject(new Error(`unexpected api.${name}()`));
  return {
    getConfig: missing('getConfig'),
    login: missing('login'),
    logout: missing('logout'),
    me: missing('me'),
    listChats: missing('listChats'),
    createChat: missing('createChat'),
    getChat: missing('getChat'),
    renameChat: missing('renameChat'),
    ...overrides,
  };
}
