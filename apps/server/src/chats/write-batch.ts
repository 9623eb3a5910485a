import type { Message as MessageRow } from '../db/generated/sqlite/client.ts';
import type { PostedMessage, PostUserMessage } from './chat-service.ts';
import type { WritePathObserver } from '../metrics/server-metrics.ts';

/**
 * Writes one group-commit batch of participants' messages whose chats' owners were already checked,
 * in one transaction. Per message, in order: the stored message (`duplicate`) when its clientMsgId is
 * already in the chat (or earlier in the batch), else the message newly stored at the chat's next
 * position; null when the chat turned out not to exist. Rejects if the batch failed as a whole
 * (nothing of it was written).
 */
export type WriteBatch = (inputs: PostUserMessage[]) => Promise<(PostedMessage | null)[]>;

export const keyOf = (chatId: string, clientMsgId: string) => `${chatId}\u0000${clientMsgId}`;

/** A user message as the model API would read it back (a new column fails to compile here). */
export const userMessageRow = (m: { id: string; chatId: string; position: number; content: string; clientMsgId: string; createdAt: Date }): MessageRow => ({
  ...m,
  role: 'user',
  status: 'complete',
  updatedAt: m.createdAt,
  replyToId: null,
  provider: null,
  model: null,
  settings: null,
  firstTokenMs: null,
  durationMs: null,
  inputTokens: null,
  outputTokens: null,
  errorCode: null,
  condition: null,
});

/** Runs one transaction of `messages` messages and reports its duration and outcome. */
export async function timedTransaction<T>(observer: WritePathObserver | undefined, messages: number, work: () => T | Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await work();
    observer?.transaction((performance.now() - started) / 1000, messages, 'committed');
    return result;
  } catch (err) {
    observer?.transaction((performance.now() - started) / 1000, messages, 'failed');
    throw err;
  }
}
