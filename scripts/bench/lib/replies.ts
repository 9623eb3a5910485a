import type { BenchSocket, Frame } from './client.ts';

/**
 * Follows one streamed reply on a socket: checks every delta arrives once, in order, and that the
 * final text is exactly the deltas joined; records when each delta arrived.
 */
export class ReplyTracker {
  messageId: string | null = null;
  nextSeq = 0;
  text = '';
  outOfOrder = 0;
  arrivals: number[] = [];
  done: Frame | null = null;
  error: Frame | null = null;
  sentAt = 0;

  constructor(readonly chatId: string) {}

  onFrame(frame: Frame, at: number): void {
    if (frame.chatId !== this.chatId) return;
    if (frame.type === 'agent.start') this.messageId = frame.messageId;
    else if (frame.type === 'agent.delta') {
      if (frame.messageId !== this.messageId) return;
      if (frame.seq !== this.nextSeq) this.outOfOrder += 1;
      this.nextSeq = frame.seq + 1;
      this.text += frame.text;
      this.arrivals.push(at);
    } else if (frame.type === 'agent.done') this.done = frame;
    else if (frame.type === 'agent.error') this.error = frame;
  }

  get finished(): boolean {
    return this.done !== null || this.error !== null;
  }

  /** Every token, in order, none lost, and the stored text equals what was streamed. */
  intact(expectedTokens: number): boolean {
    return this.done !== null && this.outOfOrder === 0 && this.arrivals.length === expectedTokens && this.done.message.content === this.text;
  }

  /**
   * Gaps between consecutive deltas beyond the agent's own pace: what the server (and the wire) added.
   * A gap shorter than the pace (two deltas read at once, or catching up after a late one) adds nothing.
   */
  addedDelays(paceMs: number): number[] {
    const added: number[] = [];
    for (let i = 1; i < this.arrivals.length; i += 1) added.push(Math.max(0, this.arrivals[i]! - this.arrivals[i - 1]! - paceMs));
    return added;
  }
}

/** How many replies are streaming at once, as the clients see it (first delta to done). */
export class Concurrency {
  active = 0;
  peak = 0;
}

/** Routes a socket's frames to the trackers of its chats. */
export function trackReplies(socket: BenchSocket, trackers: ReplyTracker[], concurrency?: Concurrency): void {
  const byChat = new Map(trackers.map((t) => [t.chatId, t]));
  socket.handler = (frame, at) => {
    const tracker = byChat.get(frame.chatId);
    if (!tracker) return;
    const before = tracker.arrivals.length > 0 && !tracker.finished;
    tracker.onFrame(frame, at);
    const after = tracker.arrivals.length > 0 && !tracker.finished;
    if (concurrency && before !== after) {
      concurrency.active += after ? 1 : -1;
      concurrency.peak = Math.max(concurrency.peak, concurrency.active);
    }
  };
}
