import type { ServerFrame } from '@parley/protocol';
import type { LimiterStore } from '../http/rate-limit.ts';

/**
 * What instances tell each other when several share one database (REDIS_URL set).
 * On a single instance, `createLocalCluster` delivers everything in-process and nothing else changes.
 */
export type ControlMessage =
  /** Stop the reply running in this chat, wherever it runs. */
  | { type: 'stop'; chatId: string }
  /** A user message was stored for a chat whose reply lane another instance holds. */
  | { type: 'user-message'; chatId: string; userId: string }
  /** A socket (re)connected or asked to resume: whoever runs replies for this user sends snapshots. */
  | { type: 'resync'; userId: string; chatId?: string }
  /** A session logged out: its sockets close on every instance. */
  | { type: 'logout'; sessionId: string };

/** What an instance is doing right now, for the research dashboard. */
export interface Activity {
  connections: number;
  replies: number;
}

export interface Cluster {
  readonly instanceId: string;
  /** Every socket of this user, on every instance (this one first, without a round trip). */
  toUser(userId: string, frame: ServerFrame, exceptConnectionId?: string): void;
  /** Sends a control message to the other instances. */
  control(message: ControlMessage): void;
  onControl(listener: (message: ControlMessage) => void): void;
  /**
   * Claims the right to run replies in a chat. Single instance: always granted.
   * Returns a release function, or null when another instance holds the chat.
   */
  claimChat(chatId: string): Promise<(() => Promise<void>) | null>;
  /** Whether any instance holds the chat (so a resume can be answered by its owner). */
  chatClaimed(chatId: string): Promise<boolean>;
  /** Where this instance's activity is read; set once by the composition root, then reported to the others. */
  setActivitySource(source: () => Activity): void;
  /**
   * This instance's activity now plus every other live instance's as last reported (each reports every
   * few seconds), and how many instances that covers.
   */
  activity(): Promise<Activity & { instances: number }>;
  /**
   * Runs `task` while no other task with the same key runs on any instance (a participant's sends,
   * so two tabs on two instances cannot both take the last turn). One instance: an in-process lock.
   */
  exclusive<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Rate-limit counters shared by every instance (in memory with one instance). */
  limiters: LimiterStore;
  /** For /health: 'ok' or a reason; single instance is always ok. */
  check(): Promise<void>;
  close(): Promise<void>;
}
