import { describe, expect, it } from 'vitest';
import { completion, studyView, turns } from '../test/studyFixtures.ts';
import { chat, message } from '../test/fixtures.ts';
import { emptyHistory } from './history.ts';
import { chatHasMessages, chatToResume, composerClosure, mayRenameChats, mayStartNewChat, safeHttpUrl, studyGate, withTurnTaken } from './study.ts';

describe('what the page shows', () => {
  it('shows nothing of the chat until the study is known, and never guesses "no study" after a failure', () => {
    expect(studyGate({ study: null, studyLoad: 'loading' })).toBe('loading');
    expect(studyGate({ study: null, studyLoad: 'failed' })).toBe('failed');
    expect(studyGate({ study: null, studyLoad: 'ready' })).toBe('chat');
  });

  it('shows only the consent form before consent, and only the final screen after a decline', () => {
    expect(studyGate({ study: studyView({ state: 'consent_required' }), studyLoad: 'ready' })).toBe('consent');
    expect(studyGate({ study: studyView({ state: 'declined' }), studyLoad: 'ready' })).toBe('declined');
    expect(studyGate({ study: studyView({ state: 'finished' }), studyLoad: 'ready' })).toBe('chat');
  });
});

describe('whether the message box is open', () => {
  it('is always open without a study', () => {
    expect(composerClosure(null, 'c1', true)).toBeNull();
  });

  it('is open in a study chat with turns left, and in a new chat', () => {
    const study = studyView({ chats: [turns('c1', 1, 2)] });
    expect(composerClosure(study, 'c1', true)).toBeNull();
    expect(composerClosure(study, null, false)).toBeNull();
  });

  it('closes a chat that used its turns, with the completion to show', () => {
    const study = studyView({ chats: [turns('c1', 2, 2)], completion });
    expect(composerClosure(study, 'c1', true)).toEqual({ reason: 'chat_closed', completion });
  });

  it('closes everything once the study is finished, even a new chat', () => {
    const study = studyView({ state: 'finished', chats: [turns('c1', 2, 2)], completion: { ...completion, reason: 'time' } });
    expect(composerClosure(study, 'c1', true)?.reason).toBe('finished');
    expect(composerClosure(study, null, false)).toEqual({ reason: 'finished', completion: { ...completion, reason: 'time' } });
  });

  it('keeps chats from before the study read-only, but not an empty chat the study has not claimed yet', () => {
    const study = studyView({ chats: [turns('c1', 1)] });
    expect(composerClosure(study, 'older', true)).toEqual({ reason: 'read_only', completion: null });
    expect(composerClosure(study, 'fresh', false)).toBeNull();
  });

  it('refuses in any other state', () => {
    expect(composerClosure(studyView({ state: 'consent_required' }), null, false)?.reason).toBe('unavailable');
  });

  it('counts stored messages only, from the chat list or the loaded history', () => {
    const state = { chats: { a: chat('a', '2024-01-02T00:00:00.000Z'), b: chat('b', null) }, histories: { b: { ...emptyHistory(), messages: [message('b', 1)] } } };
    expect(chatHasMessages(state, 'a')).toBe(true);
    expect(chatHasMessages(state, 'b')).toBe(true);
    expect(chatHasMessages({ chats: { c: chat('c', null) }, histories: {} }, 'c')).toBe(false);
    expect(chatHasMessages(state, null)).toBe(false);
  });
});

describe('permissions', () => {
  const oneChat = { renameChats: false, multipleChats: false, showModelName: false };

  it('allows renaming unless the study turns it off', () => {
    expect(mayRenameChats(null)).toBe(true);
    expect(mayRenameChats(studyView())).toBe(true);
    expect(mayRenameChats(studyView({ permissions: oneChat }))).toBe(false);
  });

  it('offers "New chat" in a one-conversation study only until the participant writes', () => {
    const fresh = { study: studyView({ permissions: oneChat }), activeChatId: null, pending: {} };
    expect(mayStartNewChat(fresh)).toBe(true);
    expect(mayStartNewChat({ ...fresh, study: studyView({ permissions: oneChat, chats: [turns('c1', 1)] }) })).toBe(false);
    const sending = { ...fresh, activeChatId: 'c1', pending: { c1: [{ clientMsgId: 'm', chatId: 'c1', content: 'hi', createdAt: '', state: 'sending' as const, error: null }] } };
    expect(mayStartNewChat(sending)).toBe(false);
  });

  it('always offers "New chat" without a study or when several chats are allowed', () => {
    expect(mayStartNewChat({ study: null, activeChatId: 'x', pending: {} })).toBe(true);
    expect(mayStartNewChat({ study: studyView({ chats: [turns('c1', 5)] }), activeChatId: null, pending: {} })).toBe(true);
  });

  it('takes a returning participant of a one-conversation study back to their conversation', () => {
    const study = studyView({ permissions: oneChat, chats: [turns('empty', 0), turns('used', 2)] });
    expect(chatToResume(study, null)).toBe('used');
    expect(chatToResume(study, 'used')).toBeNull();
    expect(chatToResume(studyView({ chats: [turns('used', 2)] }), null)).toBeNull(); // several chats allowed
    expect(chatToResume(studyView({ permissions: oneChat, state: 'declined', chats: [turns('used', 2)] }), null)).toBeNull();
  });
});

describe('turns', () => {
  it('counts a stored message as the server does, closing the chat on its last turn', () => {
    let study = studyView({ limits: { ...studyView().limits, maxTurnsPerChat: 2 }, chats: [turns('c1', 0, 2)] });
    study = withTurnTaken(study, 'c1');
    expect(study.chats).toEqual([{ chatId: 'c1', turnsUsed: 1, turnsRemaining: 1, closed: false }]);
    study = withTurnTaken(study, 'c1');
    expect(study.chats).toEqual([{ chatId: 'c1', turnsUsed: 2, turnsRemaining: 0, closed: true }]);
  });

  it('adds the chat a first message claims, and never closes without a limit', () => {
    const study = withTurnTaken(studyView(), 'new');
    expect(study.chats).toEqual([{ chatId: 'new', turnsUsed: 1, turnsRemaining: null, closed: false }]);
  });
});

describe('redirect links', () => {
  it('offers http and https links only', () => {
    expect(safeHttpUrl('https://app.prolific.com/submissions/complete?cc=C1')).toBe('https://app.prolific.com/submissions/complete?cc=C1');
    expect(safeHttpUrl('http://lab.example/done')).toBe('http://lab.example/done');
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull();
    expect(safeHttpUrl('not a url')).toBeNull();
    expect(safeHttpUrl(null)).toBeNull();
  });
});
