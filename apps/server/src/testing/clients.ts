import { parseServerFrame, type ClientFrame, type ServerFrame, type ServerFrameOf } from '@parley/protocol';
import WebSocket from 'ws';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A REST client that speaks to a Parley server with a bearer token (or none). */
export function apiClient(baseUrl: string, token?: string) {
  return async function api<T = any>(method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const res = await fetch(baseUrl + pathname, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  };
}

export async function login(baseUrl: string, username: string, accessCode?: string) {
  const res = await apiClient(baseUrl)('POST', '/api/auth/login', { username, ...(accessCode ? { accessCode } : {}) });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  const token: string = res.body.token;
  return { token, user: res.body.user as { id: string; username: string }, expiresAt: res.body.expiresAt as string, api: apiClient(baseUrl, token) };
}

/** A real `ws` client that collects every frame, validated against the protocol. */
export class TestSocket {
  readonly frames: ServerFrame[] = [];
  readonly raw: WebSocket;
  closeCode: number | null = null;
  #waiters: { match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  /** Frames already returned by next(), so each is returned once. */
  #taken = new Set<ServerFrame>();

  private constructor(ws: WebSocket) {
    this.raw = ws;
    ws.on('message', (data) => {
      const parsed = parseServerFrame(data.toString());
      if (!parsed.ok) throw new Error(`server sent an invalid frame: ${parsed.message}: ${data.toString().slice(0, 200)}`);
      this.frames.push(parsed.value);
      this.#waiters = this.#waiters.filter((w) => {
        if (this.#taken.has(parsed.value) || !w.match(parsed.value)) return true;
        w.resolve(parsed.value);
        return false;
      });
    });
    ws.on('close', (code) => (this.closeCode = code));
  }

  static connect(wsUrl: string, options: { token?: string; origin?: string; headers?: Record<string, string> } = {}): Promise<TestSocket> {
    const ws = new WebSocket(wsUrl, {
      headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
      ...(options.origin ? { origin: options.origin } : {}),
    });
    const socket = new TestSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  send(frame: ClientFrame | Record<string, unknown>): void {
    this.raw.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer): void {
    this.raw.send(data);
  }

  /** The next frame (after those already taken) that matches; waits up to `timeoutMs`. */
  next<T extends ServerFrame['type']>(type: T, match: (f: ServerFrameOf<T>) => boolean = () => true, timeoutMs = 5000): Promise<ServerFrameOf<T>> {
    const test = (f: ServerFrame): f is ServerFrameOf<T> => f.type === type && match(f as ServerFrameOf<T>);
    const found = this.frames.find((f) => !this.#taken.has(f) && test(f));
    if (found) {
      this.#taken.add(found);
      return Promise.resolve(found as ServerFrameOf<T>);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${type}; got ${this.frames.map((f) => f.type).join(',')}`)), timeoutMs);
      this.#waiters.push({
        match: test,
        resolve: (f) => {
          clearTimeout(timer);
          this.#taken.add(f);
          resolve(f as ServerFrameOf<T>);
        },
      });
    });
  }

  ofType<T extends ServerFrame['type']>(type: T): ServerFrameOf<T>[] {
    return this.frames.filter((f): f is ServerFrameOf<T> => f.type === type);
  }

  waitClosed(timeoutMs = 5000): Promise<number> {
    if (this.closeCode !== null) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.raw.once('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  close(): void {
    this.raw.close();
  }
}
