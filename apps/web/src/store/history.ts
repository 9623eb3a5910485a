import type { Message } from '@parley/protocol';
import type { ChatHistory } from './state.ts';

export function emptyHistory(loading: ChatHistory['loading'] = null): ChatHistory {
  return { messages: [], nextCursor: null, loading, error: null };
}

/** Merges messages by id (a newer copy wins) and keeps them in chat order. */
export function mergeMessages(existing: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return existing;
  const byId = new Map(existing.map((m) => [m.id, m]));
  for (const message of incoming) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => a.position - b.position);
}

/** Adds or replaces one message; cheap for the common case of a message appended at the end. */
export function upsertMessage(messages: Message[], message: Message): Message[] {
  const index = messages.findIndex((m) => m.id === message.id);
  if (index >= 0) {
    const copy = messages.slice();
    copy[index] = message;
    return copy;
  }
  const last = messages[messages.length - 1];
  if (!last || last.position < message.position) return [...messages, message];
  return mergeMessages(messages, [message]);
}

/**
 * Folds a freshly fetched newest page into what was loaded before (after a reconnect). When the
 * page overlaps or touches the loaded messages they are merged and older pages stay; when more
 * arrived meanwhile than one page holds, the loaded part is replaced so no hole is shown.
 */
export function withLatestPage(history: ChatHistory | undefined, page: Message[], nextCursor: string | null): ChatHistory {
  const newestLoaded = history?.messages[history.messages.length - 1];
  const oldestFetched = page[0];
  const contiguous = history && newestLoaded && oldestFetched && oldestFetched.position <= newestLoaded.position + 1;
  if (contiguous) return { ...history, messages: mergeMessages(history.messages, page), loading: null, error: null };
  return { messages: page, nextCursor, loading: null, error: null };
}
