import { describe, expect, it, vi } from 'vitest';
import type { FeedbackResponse, StudyView } from '@parley/protocol';
import { ApiError } from '../api/client.ts';
import type { StudyApi } from '../api/studyApi.ts';
import { FakeConnection, assistant, message, user } from '../test/fixtures.ts';
import { completion, studyView, turns } from '../test/studyFixtures.ts';
import { createAppStore } from './createAppStore.ts';
import { emptyHistory } from './history.ts';
import { createStudyController } from './studyController.ts';

/** A promise the test resolves when it wants, to order a fetch against frames. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function setup(api: Partial<StudyApi> = {}) {
  const store = createAppStore();
  const connection = new FakeConnection();
  const getStudy = vi.fn<StudyApi['getStudy']>(async () => studyView());
  const opened: string[] = [];
  const study = createStudyController({
    store,
    connection,
    api: {
      getStudy,
      decideConsent: () => Promise.reject(new Error('unexpected decideConsent')),
      putFeedback: () => Promise.reject(new Error('unexpected putFeedback')),
      ...api,
    },
    openChat: (chatId) => opened.push(chatId),
  });
  const logIn = () => store.setState({ auth: { status: 'authenticated', user } });
  return { store, connection, study, getStudy: (api.getStudy as typeof getStudy | undefined) ?? getStudy, opened, logIn };
}

describe('the study view', () => {
  it('is fetched after login and again on every hello (a study.updated may have been missed)', async () => {
    const { store, connection, getStudy, logIn } = setup();
    expect(store.getState().studyLoad).toBe('loading');
    logIn();
    await vi.waitFor(() => expect(store.getState().studyLoad).toBe('ready'));
    expect(getStudy).toHaveBeenCalledTimes(1);
    connection.open();
    await vi.waitFor(() => expect(getStudy).toHaveBeenCalledTimes(2));
  });

  it('is replaced by each study.updated frame, and a null study means no study', async () => {
    const { store, connection, logIn } = setup();
    logIn();
    await vi.waitFor(() => expect(store.getState().studyLoad).toBe('ready'));
    const finished = studyView({ state: 'finished', completion });
    connection.push({ type: 'study.updated', study: finished });
    expect(store.getState().study).toEqual(finished);
    connection.push({ type: 'study.updated', study: null });
    expect(store.getState().study).toBeNull();
  });

  it('drops a fetch answer when a frame arrived while it was on its way (the frame is at least as new)', async () => {
    const answer = deferred<StudyView | null>();
    const { store, connection, logIn } = setup({ getStudy: vi.fn(() => answer.promise) });
    logIn();
    const frame = studyView({ state: 'finished', completion });
    connection.push({ type: 'study.updated', study: frame });
    answer.resolve(studyView());
    await answer.promise;
    await Promise.resolve();
    expect(store.getState().study).toEqual(frame);
  });

  it('reports a failed first load instead of guessing, and keeps a known view when a later fetch fails', async () => {
    let fail = true;
    const { store, study, connection, logIn } = setup({
      getStudy: vi.fn(async () => (fail ? Promise.reject(new ApiError(0, 'unavailable', 'offline')) : studyView())),
    });
    logIn();
    await vi.waitFor(() => expect(store.getState().studyLoad).toBe('failed'));
    fail = false;
    await study.refresh();
    expect(store.getState().studyLoad).toBe('ready');
    fail = true;
    connection.open(); // hello → refetch, which fails
    await Promise.resolve();
    await study.refresh();
    expect(store.getState().studyLoad).toBe('ready');
    expect(store.getState().study).not.toBeNull();
  });

  it('ignores an answer that arrives after logout', async () => {
    const answer = deferred<StudyView | null>();
    const { store, logIn } = setup({ getStudy: vi.fn(() => answer.promise) });
    logIn();
    store.setState({ auth: { status: 'anonymous' }, study: null, studyLoad: 'loading' });
    answer.resolve(studyView());
    await answer.promise;
    await Promise.resolve();
    expect(store.getState().studyLoad).toBe('loading');
  });
});

describe('turns and refusals', () => {
  async function inStudy(view: StudyView) {
    const context = setup({ getStudy: vi.fn(async () => view) });
    context.logIn();
    await vi.waitFor(() => expect(context.store.getState().studyLoad).toBe('ready'));
    context.connection.open();
    await vi.waitFor(() => expect(context.getStudy).toHaveBeenCalledTimes(2));
    return context;
  }
  const twoTurns = (chats = [turns('c1', 1, 2)]) => studyView({ limits: { ...studyView().limits, maxTurnsPerChat: 2 }, chats });

  it('counts an acknowledged message at once, closing the chat on its last turn', async () => {
    const { store, connection, getStudy } = await inStudy(twoTurns());
    connection.push({ type: 'ack', chatId: 'c1', clientMsgId: 'x', duplicate: false, message: message('c1', 3, { clientMsgId: 'x' }) });
    expect(store.getState().study?.chats).toEqual([turns('c1', 2, 2)]);
    expect(getStudy).toHaveBeenCalledTimes(2); // a chat the study knows needs no refetch
    connection.push({ type: 'ack', chatId: 'c1', clientMsgId: 'x', duplicate: true, message: message('c1', 3, { clientMsgId: 'x' }) });
    expect(store.getState().study?.chats).toEqual([turns('c1', 2, 2)]); // a duplicate is not a turn
  });

  it('asks the server after the first message of a chat it did not list (the server claims it)', async () => {
    const { store, connection, getStudy } = await inStudy(twoTurns([]));
    connection.push({ type: 'ack', chatId: 'new', clientMsgId: 'x', duplicate: false, message: message('new', 1, { clientMsgId: 'x' }) });
    expect(store.getState().study?.chats).toEqual([turns('new', 1, 2)]);
    await vi.waitFor(() => expect(getStudy).toHaveBeenCalledTimes(3));
  });

  it('refetches when a send is refused for a study reason, and not for others', async () => {
    const { connection, getStudy } = await inStudy(twoTurns());
    connection.push({ type: 'error', code: 'rate_limited', message: 'slow down', clientMsgId: 'a', chatId: 'c1' });
    await Promise.resolve();
    expect(getStudy).toHaveBeenCalledTimes(2);
    connection.push({ type: 'error', code: 'limit_reached', message: 'limit', clientMsgId: 'b', chatId: 'c1' });
    await vi.waitFor(() => expect(getStudy).toHaveBeenCalledTimes(3));
  });

  it('opens the conversation a returning participant of a one-conversation study started', async () => {
    const view = studyView({ permissions: { renameChats: false, multipleChats: false, showModelName: false }, chats: [turns('mine', 1)] });
    const { opened } = await inStudy(view);
    expect(opened[0]).toBe('mine');
  });
});

describe('consent and feedback', () => {
  it('applies the consent answer at once', async () => {
    const accepted = studyView();
    const { store, study, logIn } = setup({ getStudy: vi.fn(async () => studyView({ state: 'consent_required' })), decideConsent: vi.fn(async () => accepted) });
    logIn();
    await vi.waitFor(() => expect(store.getState().study?.state).toBe('consent_required'));
    expect(await study.decideConsent(true)).toBeNull();
    expect(store.getState().study).toEqual(accepted);
  });

  it('returns the reason when the consent answer is refused', async () => {
    const { study, logIn } = setup({ decideConsent: vi.fn(async () => Promise.reject(new ApiError(409, 'conflict', 'You declined to take part; that decision is final.'))) });
    logIn();
    expect(await study.decideConsent(true)).toMatch(/decision is final/);
  });

  it('stores confirmed feedback from the PUT answer and from other tabs', async () => {
    const feedback = { rating: 'up' as const, comment: null, updatedAt: '2024-01-01T00:00:05.000Z' };
    const putFeedback = vi.fn(async (): Promise<FeedbackResponse> => ({ messageId: 'c1-m2', feedback }));
    const { store, study, connection, logIn } = setup({ putFeedback });
    logIn();
    store.setState({ histories: { c1: { ...emptyHistory(), messages: [message('c1', 1), assistant('c1', 2, { status: 'complete' })] } } });
    expect(await study.setFeedback('c1', 'c1-m2', { rating: 'up' })).toBeNull();
    expect(putFeedback).toHaveBeenCalledWith('c1-m2', { rating: 'up' });
    expect(store.getState().histories.c1?.messages[1]?.feedback).toEqual(feedback);

    const later = { rating: null, comment: 'meh', updatedAt: '2024-01-01T00:00:09.000Z' };
    connection.push({ type: 'feedback.updated', chatId: 'c1', messageId: 'c1-m2', feedback: later });
    expect(store.getState().histories.c1?.messages[1]?.feedback).toEqual(later);
  });
});
