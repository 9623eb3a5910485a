import type { ReplySnapshot } from '@parley/protocol';
import type { LiveReply } from './state.ts';

export interface DeltaResult {
  /** The reply after the delta (the same object when the delta changed nothing). */
  reply: LiveReply;
  /** True when a gap was seen for the first time: the caller sends `resume`. */
  requestResume: boolean;
}

/**
 * Folds one numbered delta into a reply. Deltas count from 0 without gaps per reply, so a seq at
 * or below the last one is a duplicate (ignored) and a seq beyond the next one means something
 * was lost: the text is left as it is and a snapshot is requested instead of guessing.
 */
export function applyDelta(current: LiveReply | undefined, messageId: string, seq: number, text: string): DeltaResult {
  if (!current || current.messageId !== messageId) {
    if (seq === 0) return { reply: { messageId, seq: 0, text, resumeRequested: false }, requestResume: false };
    // The start of this reply was missed (for example the tab connected mid-reply).
    return { reply: { messageId, seq: -1, text: '', resumeRequested: true }, requestResume: true };
  }
  if (seq <= current.seq) return { reply: current, requestResume: false };
  if (seq === current.seq + 1) return { reply: { ...current, seq, text: current.text + text }, requestResume: false };
  if (current.resumeRequested) return { reply: current, requestResume: false };
  return { reply: { ...current, resumeRequested: true }, requestResume: true };
}

/** A snapshot from the socket replaces what the tab had for that reply (the contract of `agent.snapshot`). */
export function replyFromSnapshot(snapshot: ReplySnapshot): LiveReply {
  return { messageId: snapshot.messageId, seq: snapshot.seq, text: snapshot.text, resumeRequested: false };
}

/**
 * A snapshot fetched over REST can be older than deltas that reached the socket meanwhile; for
 * the same reply the one further along wins.
 */
export function mergeFetchedSnapshot(current: LiveReply | undefined, snapshot: ReplySnapshot): LiveReply {
  if (current && current.messageId === snapshot.messageId && current.seq >= snapshot.seq) return current;
  return replyFromSnapshot(snapshot);
}
