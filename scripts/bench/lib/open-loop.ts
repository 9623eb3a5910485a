import type { Participant } from './accounts.ts';
import type { BenchSocket, Frame } from './client.ts';
import { round, sleep, summarize, type LatencySummary } from './stats.ts';

/**
 * Open-loop send → ack: message i is due at t0 + i/rate whether or not earlier ones were answered,
 * and its latency counts from that due time, so a slow server cannot hide behind a slow client
 * (coordinated omission). Messages go round-robin over the sockets, each into its participant's chat.
 */
export interface OpenLoopOptions {
  sockets: BenchSocket[];
  participants: Participant[];
  rate: number;
  durationMs: number;
  /** Makes clientMsgIds unique per run: `${prefix}-${i}`. */
  prefix: string;
  /** How long to wait for the last acks after the last send. */
  drainMs?: number;
  /** Stop sending early (crash scenario): checked before every send. */
  shouldStop?: () => boolean;
}

export interface OpenLoopResult {
  rate: number;
  durationMs: number;
  scheduled: number;
  sent: number;
  acked: number;
  lost: number;
  /** Acks for an id already acked, or acks marked duplicate by the server. */
  duplicated: number;
  errors: number;
  errorCodes: Record<string, number>;
  latencyMs: LatencySummary;
  /** How late the client itself sent, ms (p99): if this is large the client, not the server, is the bottleneck. */
  clientSendLagP99Ms: number;
  /** Per message: its chat, content, and whether it was sent / acked (for the crash scenario's checks). */
  messages: { chatId: string; clientMsgId: string; content: string; sent: boolean; acked: boolean; socket: number; ackedAt?: number }[];
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { sockets, participants, rate, durationMs, prefix } = options;
  const total = Math.round((rate * durationMs) / 1000);
  const interval = 1000 / rate;
  const messages: OpenLoopResult['messages'] = [];
  const latencies: number[] = [];
  const sendLags: number[] = [];
  const ackCount = new Uint8Array(total);
  let acked = 0;
  let duplicated = 0;
  let errors = 0;
  const errorCodes: Record<string, number> = {};
  const t0 = performance.now() + 50;

  const indexOf = (clientMsgId: unknown): number => {
    if (typeof clientMsgId !== 'string' || !clientMsgId.startsWith(`${prefix}-`)) return -1;
    return Number(clientMsgId.slice(prefix.length + 1));
  };
  const onFrame = (frame: Frame, receivedAt: number) => {
    if (frame.type === 'ack') {
      const i = indexOf(frame.clientMsgId);
      if (i < 0) return;
      ackCount[i]! += 1;
      if (ackCount[i]! > 1 || frame.duplicate) duplicated += 1;
      if (ackCount[i] === 1) {
        acked += 1;
        messages[i]!.acked = true;
        messages[i]!.ackedAt = receivedAt;
        latencies.push(receivedAt - (t0 + i * interval));
      }
    } else if (frame.type === 'error') {
      if (indexOf(frame.clientMsgId) < 0) return;
      errors += 1;
      errorCodes[frame.code] = (errorCodes[frame.code] ?? 0) + 1;
    }
  };
  for (const socket of sockets) socket.handler = onFrame;

  let i = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (i < total && t0 + i * interval <= now) {
        if (options.shouldStop?.()) return resolve();
        const socketIndex = i % sockets.length;
        const socket = sockets[socketIndex]!;
        const chatId = participants[socketIndex]!.chatId!;
        const clientMsgId = `${prefix}-${i}`;
        const content = `bench message ${i}`;
        const sent = socket.open;
        if (sent) socket.send({ type: 'send', chatId, clientMsgId, content });
        messages.push({ chatId, clientMsgId, content, sent, acked: false, socket: socketIndex });
        sendLags.push(performance.now() - (t0 + i * interval));
        i += 1;
      }
      if (i >= total) return resolve();
      setTimeout(tick, Math.max(0, t0 + i * interval - performance.now()));
    };
    setTimeout(tick, Math.max(0, t0 - performance.now()));
  });

  const sent = messages.filter((m) => m.sent).length;
  const drainUntil = performance.now() + (options.drainMs ?? 5000);
  while (acked + errors < sent && performance.now() < drainUntil && !options.shouldStop?.()) await sleep(20);

  return {
    rate,
    durationMs,
    scheduled: total,
    sent,
    acked,
    lost: sent - acked - errors,
    duplicated,
    errors,
    errorCodes,
    latencyMs: summarize(latencies),
    clientSendLagP99Ms: summarize(sendLags).p99,
    messages,
  };
}

/** The JSON-friendly part of a result (without the per-message list). */
export function brief(result: OpenLoopResult) {
  const { messages: _messages, ...rest } = result;
  return { ...rest, achievedRate: round((result.acked / result.durationMs) * 1000, 0) };
}
