import type { FeedbackRating, MessageFeedback } from '@parley/protocol';
import type { AppState } from './state.ts';

/** Clicking the thumb that is already on withdraws the rating; the other one replaces it. */
export function nextRating(current: FeedbackRating | null, clicked: FeedbackRating): FeedbackRating | null {
  return current === clicked ? null : clicked;
}

/**
 * Folds a confirmed feedback (a PUT's answer or a `feedback.updated` frame) into the loaded
 * history of its chat. Both arrive for one change, in either order, and two quick changes can
 * answer out of order: the newer `updatedAt` (the server's clock) wins, so a late answer never
 * undoes a later click. A chat this tab has not loaded is left alone; it is fetched when opened.
 */
export function withFeedback(
  state: Pick<AppState, 'histories'>,
  chatId: string,
  messageId: string,
  feedback: MessageFeedback,
): Pick<AppState, 'histories'> | null {
  const history = state.histories[chatId];
  const index = history?.messages.findIndex((m) => m.id === messageId) ?? -1;
  if (!history || index < 0) return null;
  const message = history.messages[index]!;
  if (message.feedback && message.feedback.updatedAt > feedback.updatedAt) return null;
  const messages = history.messages.slice();
  messages[index] = { ...message, feedback };
  return { histories: { ...state.histories, [chatId]: { ...history, messages } } };
}
