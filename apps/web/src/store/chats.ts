import type { Chat } from '@parley/protocol';
import type { AppState } from './state.ts';

const time = (iso: string | null): number => (iso === null ? Number.NEGATIVE_INFINITY : Date.parse(iso));

/**
 * The sidebar's order: the latest *user* message first (never a server-side update time, so an
 * agent reply or a rename does not reorder chats). Ties fall back to creation time, then id, so
 * the order is stable.
 */
export function compareChats(a: Chat, b: Chat): number {
  return (
    time(b.lastUserMessageAt) - time(a.lastUserMessageAt) ||
    time(b.createdAt) - time(a.createdAt) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Empty chats (no user message yet) are never listed: no "phantom" chats. */
export function sidebarOrderOf(chats: Record<string, Chat>): string[] {
  return Object.values(chats)
    .filter((chat) => chat.lastUserMessageAt !== null)
    .sort(compareChats)
    .map((chat) => chat.id);
}

/** Adds or updates chats; a stale copy never moves a chat's activity backwards. */
export function withChats(state: AppState, incoming: Chat[]): Pick<AppState, 'chats' | 'sidebarOrder'> {
  const chats = { ...state.chats };
  for (const chat of incoming) {
    const known = chats[chat.id];
    const keepActivity = known && time(known.lastUserMessageAt) > time(chat.lastUserMessageAt);
    chats[chat.id] = keepActivity ? { ...chat, lastUserMessageAt: known.lastUserMessageAt } : chat;
  }
  const sidebarOrder = sidebarOrderOf(chats);
  // Keep the old array when nothing moved, so components subscribed to it do not re-render.
  const same = sidebarOrder.length === state.sidebarOrder.length && sidebarOrder.every((id, i) => id === state.sidebarOrder[i]);
  return { chats, sidebarOrder: same ? state.sidebarOrder : sidebarOrder };
}

/** Records a user message's time as its chat's latest activity (the ack and the `message` frame carry it). */
export function withUserActivity(state: AppState, chatId: string, at: string): Pick<AppState, 'chats' | 'sidebarOrder'> | null {
  const chat = state.chats[chatId];
  if (!chat) return null;
  return withChats(state, [{ ...chat, lastUserMessageAt: at }]);
}
