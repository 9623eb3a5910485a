import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type ServerFrame } from '@parley/protocol';
import { assistant, chat, message } from '../test/fixtures.ts';
import { withChats } from './chats.ts';
import { reduceServerFrame, type FrameEffect } from './frames.ts';
import { emptyHistory } from './history.ts';
import { initialState, type AppState } from './state.ts';

/** Applies frames in order and collects the effects they asked for. */
function run(state: AppState, frames: ServerFrame[]): { state: AppState; effects: FrameEffect[] } {
  const effects: FrameEffect[] = [];
  for (const frame of frames) {
    const outcome = reduceServerFrame(state, frame);
    state = { ...state, ...outcome.patch };
    effects.push(...outcome.effects);
  }
  return { state, effects };
}

/** Two loaded chats, A on screen and B in the background, each with one user message. */
function twoChats(): AppState {
  const base = initialState();
  return {
    ...base,
    ...withChats(base, [chat('A', '2024-03-02T00:00:00.000Z'), chat('B', '2024-03-01T00:00:00.000Z')]),
    activeChatId: 'A',
    histories: {
      A: { ...emptyHistory(), messages: [message('A', 1)] },
      B: { ...emptyHistory(), messages: [message('B', 1)] },
    },
  };
}

const start = (chatId: string, position = 2): ServerFrame => ({
  type: 'agent.start',
  chatId,
  messageId: `${chatId}-m${position}`,
  message: assistant(chatId, position),
});
const delta = (chatId: string, seq: number, text: string, position = 2): ServerFrame => ({
  type: 'agent.delta',
  chatId,
  messageId: `${chatId}-m${position}`,
  seq,
  text,
});

describe('streaming assembly', () => {
  it('appends deltas in order', () => {
    const { state } = run(twoChats(), [start('A'), delta('A', 0, 'Hel'), delta('A', 1, 'lo'), delta('A', 2, '!')]);
    expect(state.replies.A).toMatchObject({ messageId: 'A-m2', seq: 2, text: 'Hello!' });
    expect(state.histories.A?.messages.map((m) => m.id)).toEqual(['A-m1', 'A-m2']);
  });

  it('ignores a delta it already has', () => {
    const { state, effects } = run(twoChats(), [start('A'), delta('A', 0, 'a'), delta('A', 1, 'b'), delta('A', 1, 'b'), delta('A', 0, 'a')]);
    expect(state.replies.A?.text).toBe('ab');
    expect(effects).toEqual([]);
  });

  it('asks to resume once on a gap and does not guess the missing text', () => {
    const { state, effects } = run(twoChats(), [start('A'), delta('A', 0, 'a'), delta('A', 2, 'c'), delta('A', 3, 'd')]);
    expect(state.replies.A).toMatchObject({ text: 'a', seq: 0, resumeRequested: true });
    expect(effects).toEqual([{ type: 'resume', chatId: 'A' }]);
  });

  it('asks to resume when the reply began before this tab was listening', () => {
    const { state, effects } = run(twoChats(), [delta('A', 7, 'late')]);
    expect(state.replies.A).toMatchObject({ messageId: 'A-m2', seq: -1, text: '' });
    expect(effects).toEqual([{ type: 'resume', chatId: 'A' }]);
  });

  it('lets a snapshot replace what it had, then continues from its seq', () => {
    const { state } = run(twoChats(), [
      start('A'),
      delta('A', 0, 'a'),
      delta('A', 2, 'c'), // gap
      { type: 'agent.snapshot', chatId: 'A', reply: { chatId: 'A', messageId: 'A-m2', seq: 2, text: 'abc' } },
      delta('A', 2, 'c'), // already in the snapshot
      delta('A', 3, 'd'),
    ]);
    expect(state.replies.A).toMatchObject({ text: 'abcd', seq: 3, resumeRequested: false });
  });

  it('replaces the live text with the stored message when the reply is done', () => {
    const final = assistant('A', 2, { content: 'Hello!', status: 'complete' });
    const { state } = run(twoChats(), [start('A'), delta('A', 0, 'Hel'), { type: 'agent.done', chatId: 'A', message: final }]);
    expect(state.replies.A).toBeUndefined();
    expect(state.histories.A?.messages.at(-1)).toEqual(final);
  });

  it('keeps an interrupted reply with its text and records why a failed one failed', () => {
    const interrupted = assistant('A', 2, { content: 'Hel', status: 'interrupted' });
    const done = run(twoChats(), [start('A'), delta('A', 0, 'Hel'), { type: 'agent.done', chatId: 'A', message: interrupted }]);
    expect(done.state.histories.A?.messages.at(-1)).toMatchObject({ status: 'interrupted', content: 'Hel' });

    const failed = run(twoChats(), [
      start('A'),
      delta('A', 0, 'partial'),
      { type: 'agent.error', chatId: 'A', messageId: 'A-m2', code: 'agent_timeout', message: 'The agent took too long.', final: null },
    ]);
    expect(failed.state.replies.A).toBeUndefined();
    expect(failed.state.histories.A?.messages.at(-1)).toMatchObject({ status: 'error', content: 'partial' });
    expect(failed.state.replyErrors['A-m2']).toBe('The agent took too long.');
  });

  it('a snapshot saying nothing runs ends a reply the tab missed the end of, and refetches', () => {
    const { state, effects } = run(twoChats(), [start('A'), delta('A', 0, 'a'), { type: 'agent.snapshot', chatId: 'A', reply: null }]);
    expect(state.replies.A).toBeUndefined();
    expect(effects).toEqual([{ type: 'refetchChat', chatId: 'A' }]);
  });
});

describe('isolation between chats', () => {
  const frames: ServerFrame[] = [
    start('A'),
    delta('A', 0, 'only for A'),
    { type: 'agent.snapshot', chatId: 'A', reply: { chatId: 'A', messageId: 'A-m2', seq: 0, text: 'only for A' } },
    { type: 'message', chatId: 'A', message: message('A', 3, { content: 'from another tab' }) },
    { type: 'ack', chatId: 'A', clientMsgId: 'c1', duplicate: false, message: message('A', 4, { clientMsgId: 'c1' }) },
    { type: 'agent.done', chatId: 'A', message: assistant('A', 2, { content: 'only for A', status: 'complete' }) },
    { type: 'agent.error', chatId: 'A', messageId: 'A-m5', code: 'agent_failed', message: 'failed', final: null },
    { type: 'error', code: 'message_too_long', message: 'too long', chatId: 'A', clientMsgId: 'c2' },
  ];

  it.each(frames.map((f, i) => [`${i}: ${f.type}`, f] as const))('frame %s for chat A leaves chat B untouched', (_name, frame) => {
    const before = twoChats();
    before.replies = { B: { messageId: 'B-m2', seq: 4, text: 'B is streaming', resumeRequested: false } };
    before.pending = { B: [{ clientMsgId: 'c2', chatId: 'B', content: 'hi', createdAt: '', state: 'sending', error: null }] };
    const { state } = run(before, [frame]);
    expect(state.histories.B).toBe(before.histories.B);
    expect(state.replies.B).toBe(before.replies.B);
    expect(state.pending.B).toBe(before.pending.B);
    expect(state.chats.B).toBe(before.chats.B);
  });

  it('assembles replies in two chats at once, each from its own deltas', () => {
    const { state } = run(twoChats(), [start('A'), start('B'), delta('A', 0, 'a0'), delta('B', 0, 'b0'), delta('B', 1, 'b1'), delta('A', 1, 'a1')]);
    expect(state.replies.A?.text).toBe('a0a1');
    expect(state.replies.B?.text).toBe('b0b1');
  });

  it('tracks a reply in a chat that is not loaded, without inventing a history for it', () => {
    const { state } = run(twoChats(), [start('C', 2), delta('C', 0, 'x', 2)]);
    expect(state.replies.C?.text).toBe('x');
    expect(state.histories.C).toBeUndefined();
  });
});

describe('send outcomes', () => {
  const pendingIn = (state: AppState) => ({
    ...state,
    pending: { A: [{ clientMsgId: 'c1', chatId: 'A', content: 'hi', createdAt: '', state: 'sending' as const, error: null }] },
  });

  it('an ack turns the pending message into the stored one', () => {
    const stored = message('A', 2, { clientMsgId: 'c1', content: 'hi' });
    const { state } = run(pendingIn(twoChats()), [{ type: 'ack', chatId: 'A', clientMsgId: 'c1', duplicate: false, message: stored }]);
    expect(state.pending.A).toBeUndefined();
    expect(state.histories.A?.messages.at(-1)).toEqual(stored);
  });

  it('an error naming the message marks it failed with the server text', () => {
    const { state } = run(pendingIn(twoChats()), [{ type: 'error', code: 'rate_limited', message: 'Slow down.', clientMsgId: 'c1' }]);
    expect(state.pending.A?.[0]).toMatchObject({ state: 'failed', error: 'Slow down.' });
    expect(state.notice).toBeNull();
  });

  it('an error naming no message becomes a notice', () => {
    const { state } = run(twoChats(), [{ type: 'error', code: 'forbidden', message: 'Not your chat.' }]);
    expect(state.notice).toBe('Not your chat.');
  });

  it('a refused telemetry batch is dropped quietly, not shown to the participant', () => {
    const { state } = run(twoChats(), [{ type: 'error', code: 'rate_limited', message: 'Too many events.', frame: 'telemetry' }]);
    expect(state.notice).toBeNull();
  });
});

describe('hello after a reconnect', () => {
  it('replaces every reply with the server snapshots and refetches chats whose reply ended meanwhile', () => {
    const before = twoChats();
    before.replies = {
      A: { messageId: 'A-m2', seq: 3, text: 'abcd', resumeRequested: false },
      B: { messageId: 'B-m2', seq: 1, text: 'xy', resumeRequested: false },
    };
    const { state, effects } = run(before, [
      { type: 'hello', protocolVersion: 1, user: { id: 'u1', username: 'ada', createdAt: '' }, streaming: [{ chatId: 'A', messageId: 'A-m2', seq: 9, text: 'abcdefghij' }] },
    ]);
    expect(state.replies).toEqual({ A: { messageId: 'A-m2', seq: 9, text: 'abcdefghij', resumeRequested: false } });
    expect(effects).toEqual([{ type: 'resync' }, { type: 'refetchChat', chatId: 'B' }]);
  });
});

describe('protocol version', () => {
  it('asks for a reload when the server speaks a newer protocol', () => {
    const hello = (protocolVersion: number): ServerFrame => ({ type: 'hello', protocolVersion, user: { id: 'u1', username: 'ada', createdAt: '' }, streaming: [] });
    expect(run(twoChats(), [hello(PROTOCOL_VERSION)]).state.notice).toBeNull();
    expect(run(twoChats(), [hello(PROTOCOL_VERSION + 1)]).state.notice).toMatch(/reload the page/);
  });
});
