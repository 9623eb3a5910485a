import { describe, expect, it } from 'vitest';
import { assistant, message } from '../test/fixtures.ts';
import { emptyHistory } from './history.ts';
import { nextRating, withFeedback } from './feedback.ts';
import type { AppState } from './state.ts';

const at = (second: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, second)).toISOString();

function withReply(feedback: Parameters<typeof withFeedback>[3] | null = null): Pick<AppState, 'histories'> {
  return { histories: { c1: { ...emptyHistory(), messages: [message('c1', 1), assistant('c1', 2, { status: 'complete', content: 'hi', feedback })] } } };
}

describe('feedback', () => {
  it('toggles: the active thumb withdraws, the other replaces', () => {
    expect(nextRating(null, 'up')).toBe('up');
    expect(nextRating('up', 'up')).toBeNull();
    expect(nextRating('up', 'down')).toBe('down');
    expect(nextRating('down', 'down')).toBeNull();
  });

  it('stores a confirmed rating on the message in the loaded history', () => {
    const state = withReply();
    const patch = withFeedback(state, 'c1', 'c1-m2', { rating: 'up', comment: null, updatedAt: at(1) });
    expect(patch?.histories.c1?.messages[1]?.feedback).toEqual({ rating: 'up', comment: null, updatedAt: at(1) });
    // Other rows keep their identity, so their memoized rendering is not redone.
    expect(patch?.histories.c1?.messages[0]).toBe(state.histories.c1?.messages[0]);
  });

  it('never lets an older answer undo a newer change (two clicks answered out of order)', () => {
    const state = withReply({ rating: 'down', comment: 'too long', updatedAt: at(5) });
    expect(withFeedback(state, 'c1', 'c1-m2', { rating: 'up', comment: null, updatedAt: at(4) })).toBeNull();
    const newer = withFeedback(state, 'c1', 'c1-m2', { rating: null, comment: 'too long', updatedAt: at(6) });
    expect(newer?.histories.c1?.messages[1]?.feedback?.rating).toBeNull();
  });

  it('leaves chats this tab has not loaded alone, and unknown messages too', () => {
    expect(withFeedback(withReply(), 'other', 'x', { rating: 'up', comment: null, updatedAt: at(1) })).toBeNull();
    expect(withFeedback(withReply(), 'c1', 'missing', { rating: 'up', comment: null, updatedAt: at(1) })).toBeNull();
  });
});
