import WebSocket from 'ws';
import { mapLimit, sleep } from './stats.ts';

/** A server frame as the bench sees it: parsed JSON with a type; nothing validated (speed over checks). */
export type Frame = { type: string; [field: string]: any };
export type FrameHandler = (frame: Frame, receivedAt: number) => void;

/**
 * A lean load-generator socket: parses each frame once and hands it to whoever listens now.
 * No per-frame validation or history, unlike the test client, so one core can drive thousands.
 */
export class BenchSocket {
  handler: FrameHandler = () => {};
  closeCode: number | null = null;
  pings = 0;
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket, readonly index: number) {
    ws.on('message', (data) => this.handler(JSON.parse(data.toString()) as Frame, performance.now()));
    ws.on('ping', () => (this.pings += 1));
    this.closed = new Promise((resolve) =>
      ws.once('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
    ws.on('error', () => {});
  }

  /** Opens a socket and waits for the server's hello. */
  static connect(url: string, index: number, token?: string): Promise<BenchSocket> {
    const ws = new WebSocket(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      perMessageDeflate: false,
      handshakeTimeout: 15_000,
    });
    const socket = new BenchSocket(ws, index);
    return new Promise((resolve, reject) => {
      socket.handler = (frame) => {
        if (frame.type !== 'hello') return;
        socket.handler = () => {};
        resolve(socket);
      };
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
      ws.once('close', (code) => reject(new Error(`closed before hello: ${code}`)));
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  close(): void {
    this.ws.close();
  }

  /** Stops reading: the kernel buffers fill, then the server's send buffer does (a stuck client). */
  pauseReading(): void {
    (this.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  }
}

/**
 * Opens `count` sockets at no more than `perSecond` (more than ~2,000/s overflows the accept backlog).
 * `tokenFor(i)` gives socket i's credential (none for the baseline).
 */
export async function connectMany(url: string, count: number, perSecond: number, tokenFor: (i: number) => string | undefined): Promise<BenchSocket[]> {
  const started = performance.now();
  const indexes = Array.from({ length: count }, (_, i) => i);
  // Each worker opens its share of sockets on a schedule; retries once on a refused or reset connection.
  return mapLimit(indexes, 200, async (i) => {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    try {
      return await BenchSocket.connect(url, i, tokenFor(i));
    } catch {
      await sleep(200);
      return BenchSocket.connect(url, i, tokenFor(i));
    }
  });
}

export async function closeAll(sockets: BenchSocket[], timeoutMs = 10_000): Promise<void> {
  for (const socket of sockets) socket.close();
  await Promise.race([Promise.all(sockets.map((s) => s.closed)), sleep(timeoutMs)]);
  for (const socket of sockets) if (socket.closeCode === null) socket.ws.terminate();
}
