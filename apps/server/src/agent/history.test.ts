import { describe, expect, it } from 'vitest';
import { buildHistory, type StoredMessageLike } from './history.ts';

const user = (content: string, status = 'complete'): StoredMessageLike => ({ role: 'user', content, status });
const agent = (content: string, status = 'complete'): StoredMessageLike => ({ role: 'assistant', content, status });

describe('buildHistory', () => {
  it('passes a short alternating chat through unchanged', () => {
    expect(buildHistory([user('a'), agent('b'), user('c')], 1000)).toEqual([
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
      { role: 'user', content: 'c' },
    ]);
  });

  it('keeps interrupted replies, skips failed, streaming and blank ones, and merges the resulting same-role neighbours', () => {
    const history = buildHistory(
      [user('q1'), agent('partial answer', 'interrupted'), user('q2'), agent('', 'error'), agent('boom', 'error'), user('q3'), agent('   ', 'complete'), user('q4'), agent('being written', 'streaming')],
      1000,
    );
    expect(history).toEqual([
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'partial answer' },
      { role: 'user', content: 'q2\n\nq3\n\nq4' },
    ]);
  });

  it('drops the oldest turns first to fit the character budget, keeping a contiguous recent stretch', () => {
    const messages = [user('x'.repeat(50)), agent('y'.repeat(50)), user('u'.repeat(10)), agent('a'.repeat(10)), user('latest')];
    const history = buildHistory(messages, 40);
    expect(history).toEqual([
      { role: 'user', content: 'u'.repeat(10) },
      { role: 'assistant', content: 'a'.repeat(10) },
      { role: 'user', content: 'latest' },
    ]);
    const total = history.reduce((sum, turn) => sum + turn.content.length, 0);
    expect(total).toBeLessThanOrEqual(40);
  });

  it('does not skip over a message that does not fit to include older ones', () => {
    const history = buildHistory([user('old'), agent('z'.repeat(100)), user('new')], 50);
    expect(history).toEqual([{ role: 'user', content: 'new' }]);
  });

  it('starts with a user turn when the budget cuts between a question and its answer', () => {
    const history = buildHistory([user('q'.repeat(30)), agent('a'.repeat(10)), user('latest')], 20);
    expect(history).toEqual([{ role: 'user', content: 'latest' }]);
  });

  it('always keeps the latest user message, even over budget', () => {
    expect(buildHistory([agent('hi'), user('w'.repeat(500))], 100)).toEqual([{ role: 'user', content: 'w'.repeat(500) }]);
  });

  it('ends at the latest user message and returns nothing when there is none', () => {
    expect(buildHistory([user('q'), agent('a')], 100)).toEqual([{ role: 'user', content: 'q' }]);
    expect(buildHistory([agent('a')], 100)).toEqual([]);
    expect(buildHistory([], 100)).toEqual([]);
  });

  it('does not mutate its input', () => {
    const messages = [user('a'), user('b')];
    buildHistory(messages, 100);
    expect(messages).toEqual([user('a'), user('b')]);
  });
});
