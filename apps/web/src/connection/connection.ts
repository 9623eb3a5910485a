import { CLOSE_CODES, parseServerFrame, type ClientFrame, type ServerFrame } from '@parley/protocol';
import { DEFAULT_BACKOFF, reconnectDelay, type BackoffOptions } from './backoff.ts';

/**
 * Where the socket is in its life. `open` means the server's hello has arrived: only then is the
 * session known to be valid and sending allowed.
 */
export type ConnectionState =
  | { status: 'idle' }
  | { status: 'connecting'; failures: number }
  | { status: 'open' }
  | {
      status: 'waiting';
      /** Consecutive attempts that ended without a hello. */
      failures: number;
      retryInMs: number;
      /** True when the socket that just closed never got a hello (refused upgrade, server down…). */
      neverOpened: boolean;
    }
  /** The server ended the session (close code 4001): log in again, do not reconnect. */
  | { status: 'ended' };

/** The part of the browser's WebSocket this class uses, so tests can pass a fake. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface ConnectionOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  backoff?: BackoffOptions;
  random?: () => number;
  /** Where the browser's `online` event fires (window); null in tests that do not need it. */
  onlineEvents?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | null;
  /**
   * A ping goes out this often; a connection that has received nothing for two intervals is
   * treated as dead (a half-open TCP connection never fires `close` by itself).
   */
  heartbeatMs?: number;
}

export interface ConnectionListener {
  onFrame?(frame: ServerFrame): void;
  onState?(state: ConnectionState): void;
}

const SOCKET_OPEN = 1;

/** One WebSocket to /ws that reconnects by itself until stopped or until the session ends. */
export class Connection {
  private socket: SocketLike | null = null;
  private state: ConnectionState = { status: 'idle' };
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private lastFrameAt = 0;
  private readonly listeners = new Set<ConnectionListener>();
  private readonly options: Required<Omit<ConnectionOptions, 'onlineEvents'>> & Pick<ConnectionOptions, 'onlineEvents'>;

  constructor(options: ConnectionOptions) {
    this.options = {
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      backoff: DEFAULT_BACKOFF,
      random: Math.random,
      heartbeatMs: 25_000,
      ...options,
    };
  }

  getState(): ConnectionState {
    return this.state;
  }

  subscribe(listener: ConnectionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.state.status !== 'idle' && this.state.status !== 'ended') return;
    this.failures = 0;
    this.options.onlineEvents?.addEventListener('online', this.handleOnline);
    this.connect();
  }

  stop(): void {
    this.options.onlineEvents?.removeEventListener('online', this.handleOnline);
    this.clearTimers();
    this.dropSocket(1000, 'client stopped');
    this.setState({ status: 'idle' });
  }

  /**
   * Sends a frame if the connection is open. Returns false otherwise: nothing is queued, so a
   * message typed while offline is never delivered later behind the participant's back.
   */
  send(frame: ClientFrame): boolean {
    if (this.state.status !== 'open' || !this.socket || this.socket.readyState !== SOCKET_OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private connect(): void {
    this.clearTimers();
    this.setState({ status: 'connecting', failures: this.failures });
    let socket: SocketLike;
    try {
      socket = this.options.createSocket(this.options.url);
    } catch {
      this.scheduleRetry(true);
      return;
    }
    this.socket = socket;
    let helloReceived = false;
    socket.onmessage = (event) => {
      if (this.socket !== socket || typeof event.data !== 'string') return;
      this.lastFrameAt = Date.now();
      const parsed = parseServerFrame(event.data);
      if (!parsed.ok) {
        console.warn(`[parley] ignored a server frame: ${parsed.message}`);
        return;
      }
      if (parsed.value.type === 'hello') {
        helloReceived = true;
        this.failures = 0; // a hello proves the server and the session are fine: start over fast next time
        this.setState({ status: 'open' });
        this.startHeartbeat();
      }
      for (const listener of this.listeners) listener.onFrame?.(parsed.value);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (event.code === CLOSE_CODES.sessionEnded) {
        this.clearTimers();
        this.setState({ status: 'ended' });
        return;
      }
      this.scheduleRetry(!helloReceived);
    };
    // A failed connection fires `error` and then `close`; the close handler does the work.
    socket.onerror = () => {};
  }

  private scheduleRetry(neverOpened: boolean): void {
    this.clearTimers();
    const retryInMs = reconnectDelay(this.failures, this.options.backoff, this.options.random);
    this.setState({ status: 'waiting', failures: this.failures, retryInMs, neverOpened });
    this.failures += 1;
    this.retryTimer = setTimeout(() => this.connect(), retryInMs);
  }

  private readonly handleOnline = (): void => {
    // The network is back: waiting out the rest of a long backoff would only delay the participant.
    if (this.state.status === 'waiting') this.connect();
  };

  private startHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => {
      if (Date.now() - this.lastFrameAt > 2 * this.options.heartbeatMs) {
        // No pong for two intervals: the connection is dead even if the browser has not noticed.
        this.dropSocket(4000, 'heartbeat timeout');
        this.scheduleRetry(false);
        return;
      }
      this.send({ type: 'ping', t: Date.now() });
    }, this.options.heartbeatMs);
  }

  /** Detaches the socket first so its late `close` event cannot schedule a second retry. */
  private dropSocket(code: number, reason: string): void {
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onerror = null;
    socket.onclose = null;
    try {
      socket.close(code, reason);
    } catch {
      // Closing a socket that never connected can throw in some browsers; it is gone either way.
    }
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.retryTimer = this.heartbeatTimer = null;
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.listeners) listener.onState?.(state);
  }
}

/** ws:// or wss:// on the page's own host, so cookies and the Origin check just work. */
export function socketUrlFor(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}
