import { describe, expect, it } from 'vitest';
import { chat } from '../test/fixtures.ts';
import { compareChats, sidebarOrderOf, withChats } from './chats.ts';
import { reduceServerFrame } from './frames.ts';
import { initialState } from './state.ts';

describe('sidebar order', () => {
  it('lists the latest user activity first', () => {
    const chats = {
      a: chat('a', '2024-03-01T10:00:00.000Z'),
      b: chat('b', '2024-03-02T10:00:00.000Z'),
      c: chat('c', '2024-02-01T10:00:00.000Z'),
    };
    expect(sidebarOrderOf(chats)).toEqual(['b', 'a', 'c']);
  });

  it('never lists an empty chat', () => {
    expect(sidebarOrderOf({ a: chat('a', null), b: chat('b', '2024-03-02T10:00:00.000Z') })).toEqual(['b']);
  });

  it('breaks ties by creation time, then id, so the order is stable', () => {
    const at = '2024-03-01T10:00:00.000Z';
    const older = chat('z', at, { createdAt: '2024-01-01T00:00:00.000Z' });
    const newer = chat('y', at, { createdAt: '2024-01-02T00:00:00.000Z' });
    expect([older, newer].sort(compareChats).map((c) => c.id)).toEqual(['y', 'z']);
    expect([chat('b', at), chat('a', at)].sort(compareChats).map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('moves a chat to the top when its user activity is newer (chat.updated)', () => {
    let state = { ...initialState(), ...withChats(initialState(), [chat('a', '2024-03-01T00:00:00.000Z'), chat('b', '2024-03-02T00:00:00.000Z')]) };
    expect(state.sidebarOrder).toEqual(['b', 'a']);
    const { patch } = reduceServerFrame(state, { type: 'chat.updated', chat: chat('a', '2024-03-03T00:00:00.000Z') });
    state = { ...state, ...patch };
    expect(state.sidebarOrder).toEqual(['a', 'b']);
  });

  it('is not moved by a rename or by a stale copy of the chat', () => {
    const state = { ...initialState(), ...withChats(initialState(), [chat('a', '2024-03-05T00:00:00.000Z'), chat('b', '2024-03-02T00:00:00.000Z')]) };
    const renamed = withChats(state, [chat('b', '2024-03-02T00:00:00.000Z', { title: 'Renamed' })]);
    expect(renamed.sidebarOrder).toBe(state.sidebarOrder); // same array: nothing re-renders
    expect(renamed.chats.b?.title).toBe('Renamed');
    const stale = withChats(state, [chat('a', '2024-03-01T00:00:00.000Z')]);
    expect(stale.chats.a?.lastUserMessageAt).toBe('2024-03-05T00:00:00.000Z');
  });

  it('adds a chat to the sidebar once its first message is acknowledged', () => {
    const state = { ...initialState(), ...withChats(initialState(), [chat('old', '2024-03-01T00:00:00.000Z'), chat('new', null)]) };
    expect(state.sidebarOrder).toEqual(['old']);
    const { patch } = reduceServerFrame(state, {
      type: 'ack',
      chatId: 'new',
      clientMsgId: 'm1',
      duplicate: false,
      message: { id: 'x', chatId: 'new', position: 1, role: 'user', content: 'hi', status: 'complete', clientMsgId: 'm1', createdAt: '2024-04-01T00:00:00.000Z', agent: null },
    });
    expect(patch.sidebarOrder).toEqual(['new', 'old']);
  });
});
