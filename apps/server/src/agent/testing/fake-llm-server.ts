import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A scriptable fake model server for tests and benchmarks: real HTTP on 127.0.0.1, real
 * streaming wire formats, so the real SDKs are exercised end to end. The wire format itself
 * (Anthropic or OpenAI) is plugged in by fake-anthropic.ts / fake-openai.ts.
 */
export interface FakeLlmScript {
  /** Text pieces streamed in order. Default: a short five-piece sentence. */
  tokens?: string[];
  /** Pause before each token after the first, in ms. Default 0. */
  tokenDelayMs?: number;
  /** Answer with this HTTP status and a provider-shaped error body instead of a stream (429, 500, 529, 401…). */
  failStatus?: number;
  /** With failStatus: fail only the first N requests, then stream normally. Default: every request. */
  failTimes?: number;
  /** Sent as `retry-after-ms` on failures so SDK retries are quick in tests. Default 5. */
  retryAfterMs?: number;
  /** After this many tokens, send the format's in-stream error (Anthropic `event: error`, OpenAI `data: {"error":…}`). */
  streamErrorAfterTokens?: number;
  /** Provider error type for failStatus / streamErrorAfterTokens, e.g. 'overloaded_error'. Default derived from the status. */
  errorType?: string;
  /** Never answer (before headers), or stop sending after this many tokens and keep the connection open. */
  hang?: 'before-headers' | { afterTokens: number };
  /** After this many tokens, destroy the connection without the end-of-reply marker. */
  dropAfterTokens?: number;
  /** Token counts to report. Default: input 10, output = number of tokens. */
  usage?: { inputTokens?: number; outputTokens?: number };
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (undefined when it was not JSON). */
  body: any;
}

export interface FakeLlmServer {
  /** Base URL to configure the SDK with. */
  url: string;
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  /** The most recent request, if any. */
  readonly lastRequest: RecordedRequest | undefined;
  /** Replaces the script for the following requests (and resets the failTimes counter). */
  setScript(script: FakeLlmScript): void;
  /** Stops listening and destroys open connections (including hanging ones). */
  close(): Promise<void>;
}

/** One provider's wire format. `write*` calls write a complete SSE event. */
export interface WireFormat {
  /** Path of the streaming endpoint, e.g. '/v1/messages'. */
  path: string;
  /** Path prefix included in the base URL handed to the SDK ('' or '/v1'). */
  basePath: string;
  errorType(status: number): string;
  errorBody(status: number, type: string): unknown;
  start(res: ServerResponse, request: RecordedRequest, usage: { inputTokens: number }): void;
  token(res: ServerResponse, text: string): void;
  end(res: ServerResponse, usage: { inputTokens: number; outputTokens: number }): void;
  streamError(res: ServerResponse, type: string): void;
}

export const DEFAULT_FAKE_TOKENS = ['Hello', ' from', ' the', ' fake', ' model.'];

export async function startFakeLlmServer(wire: WireFormat, initialScript: FakeLlmScript = {}): Promise<FakeLlmServer> {
  let script = initialScript;
  let failuresSent = 0;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, body };
    requests.push(recorded);

    if (req.method !== 'POST' || recorded.path.split('?')[0] !== wire.path) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(wire.errorBody(404, wire.errorType(404))));
      return;
    }
    const current = script;
    if (current.hang === 'before-headers') return; // keep the socket open, answer nothing
    if (current.failStatus !== undefined && (current.failTimes === undefined || failuresSent < current.failTimes)) {
      failuresSent++;
      const type = current.errorType ?? wire.errorType(current.failStatus);
      res
        .writeHead(current.failStatus, { 'content-type': 'application/json', 'retry-after-ms': String(current.retryAfterMs ?? 5) })
        .end(JSON.stringify(wire.errorBody(current.failStatus, type)));
      return;
    }

    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const tokens = current.tokens ?? DEFAULT_FAKE_TOKENS;
    const inputTokens = current.usage?.inputTokens ?? 10;
    wire.start(res, recorded, { inputTokens });
    for (let i = 0; i < tokens.length; i++) {
      if (current.streamErrorAfterTokens === i) {
        wire.streamError(res, current.errorType ?? 'overloaded_error');
        res.end();
        return;
      }
      if (current.dropAfterTokens === i) {
        dropConnection(res);
        return;
      }
      if (typeof current.hang === 'object' && current.hang.afterTokens === i) return;
      if (i > 0 && current.tokenDelayMs) await later(current.tokenDelayMs);
      if (closed) return;
      wire.token(res, tokens[i] ?? '');
    }
    if (current.streamErrorAfterTokens !== undefined && current.streamErrorAfterTokens >= tokens.length) {
      wire.streamError(res, current.errorType ?? 'overloaded_error');
      res.end();
      return;
    }
    if (current.dropAfterTokens !== undefined && current.dropAfterTokens >= tokens.length) {
      dropConnection(res);
      return;
    }
    if (typeof current.hang === 'object') return;
    wire.end(res, { inputTokens, outputTokens: current.usage?.outputTokens ?? tokens.length });
    res.end();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${wire.basePath}`,
    requests,
    get lastRequest() {
      return requests.at(-1);
    },
    setScript(next) {
      script = next;
      failuresSent = 0;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Closes the socket after flushing what was written, without the stream's end marker or the final HTTP chunk. */
function dropConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (socket) socket.end();
  else res.destroy();
}

/** Writes one server-sent event; `event` omitted for data-only events (OpenAI). */
export function writeSse(res: ServerResponse, data: unknown, event?: string): void {
  if (res.writableEnded || res.destroyed) return;
  res.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}
