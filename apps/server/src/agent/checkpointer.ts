import type { Logger } from '../logging/logger.ts';

export interface CheckpointWriter {
  /** Saves the text so far of several streaming replies in one transaction. */
  checkpointMany(items: { messageId: string; content: string }[]): Promise<void>;
}

/**
 * Saves the text of every streaming reply once per interval, all of them in one transaction:
 * with a thousand replies streaming, that is one commit a second instead of a thousand.
 * A crash loses at most one interval of any reply. Writes only touch rows still `streaming`,
 * so a checkpoint landing after a reply finished cannot overwrite its final text.
 */
export class Checkpointer {
  readonly #replies = new Map<string, { read: () => string; savedLength: number }>();
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly writer: CheckpointWriter,
    intervalMs: number,
    private readonly logger: Logger,
  ) {
    this.#timer = setInterval(() => this.flush(), intervalMs);
    this.#timer.unref();
  }

  track(messageId: string, read: () => string): void {
    this.#replies.set(messageId, { read, savedLength: 0 });
  }

  untrack(messageId: string): void {
    this.#replies.delete(messageId);
  }

  /** Writes every reply whose text grew since its last checkpoint; one flush at a time. */
  flush(): Promise<void> {
    const items: { messageId: string; content: string }[] = [];
    for (const [messageId, entry] of this.#replies) {
      const content = entry.read();
      if (content.length === entry.savedLength) continue;
      entry.savedLength = content.length;
      items.push({ messageId, content });
    }
    if (items.length === 0) return this.#flushing;
    this.#flushing = this.#flushing
      .then(() => this.writer.checkpointMany(items))
      .catch((err) => this.logger.warn({ err, replies: items.length }, 'checkpoint failed'));
    return this.#flushing;
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
