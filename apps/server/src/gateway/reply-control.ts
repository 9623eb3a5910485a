import type { ReplySnapshot } from '@parley/protocol';

/** What the socket gateway needs from the agent: resume and stop. */
export interface ReplyControl {
  /** Every reply of this user generating now (for the hello frame). */
  snapshotsForUser(userId: string): ReplySnapshot[];
  /** The reply generating in this chat, or null. */
  snapshot(chatId: string): ReplySnapshot | null;
  /** Ends the reply running in this chat (if any), stored as interrupted with the text streamed so far. */
  stop(chatId: string): Promise<void>;
  /** With several instances: whether another one runs this chat's reply. */
  runsElsewhere(chatId: string): Promise<boolean>;
  /** With several instances: ask the others to send this user's running replies as snapshots. */
  requestRemoteSnapshots(userId: string, chatId?: string): void;
}
