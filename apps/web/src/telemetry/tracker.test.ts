import { describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '@parley/protocol';
import { createAppStore } from '../store/createAppStore.ts';
import type { AppState, PendingMessage } from '../store/state.ts';
import { chat, user } from '../test/fixtures.ts';
import { studyView } from '../test/studyFixtures.ts';
import { telemetryPolicy } from './policy.ts';
import { TelemetryQueue } from './queue.ts';
import { countCharacters, createTelemetryTracker } from './tracker.ts';

function setup(initial: Partial<AppState> = {}) {
  const store = createAppStore({
    auth: { status: 'authenticated', user },
    study: studyView(),
    studyLoad: 'ready',
    chats: { c1: chat('c1', null) },
    activeChatId: 'c1',
    connection: { status: 'open' },
    ...initial,
  });
  let clock = 1_000_000;
  const sent: TelemetryEvent[] = [];
  const paints: (() => void)[] = [];
  const rendered = new Map<string, number>();
  const queue = new TelemetryQueue({
    transport: { sendFrame: (events) => (sent.push(...events), true), sendBeacon: () => true },
    policy: () => telemetryPolicy(store.getState()),
    setTimer: () => 0,
    clearTimer: () => {},
  });
  const tracker = createTelemetryTracker({
    store,
    queue,
    now: () => clock,
    afterPaint: (callback) => paints.push(callback),
    renderedLength: (id) => rendered.get(id) ?? null,
  });
  const events = () => {
    queue.flush();
    return sent.map(({ clientTime: _, ...rest }) => rest);
  };
  const raw = () => {
    queue.flush();
    return sent;
  };
  return { store, tracker, queue, events, raw, advance: (ms: number) => (clock += ms), paint: () => paints.splice(0).forEach((p) => p()), rendered };
}

const pending = (clientMsgId: string, chatId = 'c1'): PendingMessage => ({ clientMsgId, chatId, content: 'secret words', createdAt: '', state: 'sending', error: null });
const reply = (messageId: string, text: string) => ({ messageId, seq: text ? 0 : -1, text, resumeRequested: false });

describe('telemetry from the store', () => {
  it('records a sent message once, and the first token shown with the time since send', () => {
    const { store, events, advance, paint } = setup();
    store.setState({ pending: { c1: [pending('m1')] } });
    store.setState({ pending: { c1: [{ ...pending('m1'), state: 'failed', error: 'x' }] } }); // same message: not sent twice
    store.setState({ pending: {}, replies: { c1: reply('r1', '') } });
    advance(850);
    store.setState({ replies: { c1: reply('r1', 'Hel') } });
    store.setState({ replies: { c1: reply('r1', 'Hello') } });
    expect(events()).toEqual([{ kind: 'message_sent', chatId: 'c1', clientMsgId: 'm1' }]);
    advance(16);
    paint();
    expect(events()).toEqual([
      { kind: 'message_sent', chatId: 'c1', clientMsgId: 'm1' },
      { kind: 'first_token', chatId: 'c1', messageId: 'r1', sinceSendMs: 866 },
    ]);
  });

  it('times a message from the press of send, before the new chat it needs was created', () => {
    const { store, tracker, raw, advance, paint } = setup({ chats: {}, activeChatId: null });
    const pressed = new Date(1_000_000).toISOString();
    tracker.sendPressed();
    advance(200); // POST /api/chats
    store.setState({ chats: { c1: chat('c1', null) }, activeChatId: 'c1', pending: { c1: [pending('m1')] } });
    tracker.sendSettled();
    store.setState({ replies: { c1: reply('r1', '') } });
    advance(100);
    store.setState({ replies: { c1: reply('r1', 'Hi') } });
    paint();
    expect(raw()).toEqual([
      { kind: 'message_sent', clientTime: pressed, chatId: 'c1', clientMsgId: 'm1' },
      { kind: 'first_token', clientTime: new Date(1_000_300).toISOString(), chatId: 'c1', messageId: 'r1', sinceSendMs: 300 },
    ]);
  });

  it('has no first token for a reply picked up mid-stream, nor for one streaming in a chat not on screen', () => {
    const { store, events, paint } = setup({ chats: { c1: chat('c1', null), c2: chat('c2', null) } });
    store.setState({ replies: { c1: reply('resumed', 'half of it') } });
    store.setState({ replies: { c1: reply('resumed', 'half of it and more') } });
    store.setState({ replies: { c2: reply('elsewhere', '') } });
    store.setState({ replies: { c2: reply('elsewhere', 'hi') } });
    paint();
    expect(events()).toEqual([]);
  });

  it('leaves sinceSendMs out when this tab did not send the message (another tab did)', () => {
    const { store, events, paint } = setup();
    store.setState({ replies: { c1: reply('r1', '') } });
    store.setState({ replies: { c1: reply('r1', 'x') } });
    paint();
    expect(events()).toEqual([{ kind: 'first_token', chatId: 'c1', messageId: 'r1' }]);
  });

  it('records a reconnect with how long the socket was down and how many tries it took', () => {
    const { store, events, advance } = setup();
    store.setState({ connection: { status: 'waiting', failures: 0, retryInMs: 300, neverOpened: false } });
    advance(300);
    store.setState({ connection: { status: 'connecting', failures: 0 } });
    store.setState({ connection: { status: 'waiting', failures: 1, retryInMs: 600, neverOpened: true } });
    advance(600);
    store.setState({ connection: { status: 'connecting', failures: 1 } });
    advance(100);
    store.setState({ connection: { status: 'open' } });
    expect(events()).toEqual([{ kind: 'reconnected', disconnectedMs: 1000, attempts: 2, chatId: 'c1' }]);
  });

  it('does not call a logout or the first connection a reconnect', () => {
    const { store, events } = setup({ connection: { status: 'idle' } });
    store.setState({ connection: { status: 'connecting', failures: 0 } });
    store.setState({ connection: { status: 'open' } });
    store.setState({ connection: { status: 'idle' } });
    store.setState({ connection: { status: 'connecting', failures: 0 } });
    store.setState({ connection: { status: 'open' } });
    expect(events()).toEqual([]);
  });
});

describe('telemetry from the browser', () => {
  it('counts the characters of a stopped reply that were on screen, not those still in the store', () => {
    const { store, tracker, events, rendered } = setup();
    store.setState({ replies: { c1: reply('r1', 'Hello 👋 world, more') } });
    rendered.set('r1', 'Hello 👋'.length); // UTF-16 units on screen
    tracker.stopPressed();
    expect(events()).toEqual([{ kind: 'stop_pressed', chatId: 'c1', messageId: 'r1', shownChars: 7 }]);
  });

  it('records only the length of pasted text, in characters, never the text', () => {
    const { tracker, queue, events } = setup();
    tracker.pasted('top secret 🙂');
    const recorded = events();
    expect(recorded).toEqual([{ kind: 'paste', length: 12, chatId: 'c1' }]);
    expect(JSON.stringify(recorded)).not.toContain('secret');
    expect(queue.size).toBe(0);
  });

  it('names only chats this tab knows (a wrong URL must not sink the batch)', () => {
    const { tracker, events } = setup({ activeChatId: 'someone-elses' });
    tracker.visibilityChanged('hidden');
    expect(events()).toEqual([{ kind: 'visibility', state: 'hidden', chatId: undefined }]);
  });

  it('sends nothing before consent, and nothing recorded then is sent after it', () => {
    const { store, tracker, events } = setup({ study: studyView({ state: 'consent_required', consent: { required: true, status: 'pending', text: 'x', decidedAt: null } }) });
    tracker.pasted('abc');
    tracker.visibilityChanged('hidden');
    store.setState({ connection: { status: 'waiting', failures: 0, retryInMs: 1, neverOpened: false } });
    store.setState({ connection: { status: 'open' } });
    expect(events()).toEqual([]);
    store.setState({ study: studyView() }); // accepted
    expect(events()).toEqual([]);
    tracker.pasted('abcd');
    expect(events()).toEqual([{ kind: 'paste', length: 4, chatId: 'c1' }]);
  });

  it('holds events until the study is known, then sends them when consent is not needed', () => {
    const { store, tracker, events } = setup({ study: null, studyLoad: 'loading' });
    tracker.pasted('ab');
    expect(events()).toEqual([]);
    store.setState({ studyLoad: 'ready', study: studyView({ consent: { required: false, status: 'not_required', text: null, decidedAt: null } }) });
    expect(events()).toEqual([{ kind: 'paste', length: 2, chatId: 'c1' }]);
  });
});

describe('countCharacters', () => {
  it('counts code points, as the export’s readers do', () => {
    expect(countCharacters('')).toBe(0);
    expect(countCharacters('abc')).toBe(3);
    expect(countCharacters('👋🏽')).toBe(2);
  });
});
