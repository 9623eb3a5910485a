import { describe, expect, it, vi } from 'vitest';
import type { ChatDetailResponse } from '@parley/protocol';
import { ApiError, type ApiClient } from '../api/client.ts';
import { createMemoryRouter } from '../router.ts';
import { FakeConnection, assistant, chat, fakeApi, message, user } from '../test/fixtures.ts';
import { createChatController } from './controller.ts';
import { createAppStore } from './createAppStore.ts';

function detail(chatId: string, messages = [message(chatId, 1)], extra: Partial<ChatDetailResponse> = {}): ChatDetailResponse {
  return { chat: chat(chatId, messages.length ? '2024-03-01T00:00:00.000Z' : null), messages, nextCursor: null, streaming: null, ...extra };
}

/** A logged-in controller with a fake connection and API; `api` overrides what a test needs. */
async function loggedIn(api: Partial<ApiClient> = {}, url: string | null = null) {
  const store = createAppStore();
  const connection = new FakeConnection();
  const router = createMemoryRouter(url);
  let ids = 0;
  const fullApi = fakeApi({
    getConfig: async () => ({ accessCodeRequired: false, protocolVersion: 1 }),
    me: async () => user,
    listChats: async () => [chat('old', '2024-03-01T00:00:00.000Z')],
    getChat: async (id) => detail(id),
    ...api,
  });
  const controller = createChatController({ store, api: fullApi, connection, router, newClientMsgId: () => `cm${++ids}` });
  await controller.bootstrap();
  connection.open();
  return { store, connection, router, controller, api: fullApi };
}

describe('session', () => {
  it('logs in silently with a valid cookie and opens the chat named in the URL', async () => {
    const { store, connection } = await loggedIn({}, 'old');
    expect(store.getState().auth).toEqual({ status: 'authenticated', user });
    expect(store.getState().activeChatId).toBe('old');
    expect(store.getState().histories.old?.messages).toHaveLength(1);
    expect(connection.started).toBe(1);
  });

  it('shows the login form without a session and explains a wrong access code', async () => {
    const store = createAppStore();
    const api = fakeApi({
      getConfig: async () => ({ accessCodeRequired: true, protocolVersion: 1 }),
      me: async () => Promise.reject(new ApiError(401, 'unauthorized', 'Log in first.')),
      login: async () => Promise.reject(new ApiError(401, 'bad_access_code', 'Wrong code.')),
    });
    const controller = createChatController({ store, api, connection: new FakeConnection(), router: createMemoryRouter() });
    await controller.bootstrap();
    expect(store.getState().auth.status).toBe('anonymous');
    expect(store.getState().config?.accessCodeRequired).toBe(true);
    expect(await controller.login('   ')).toBe('Enter a username.');
    expect(await controller.login('ada', 'nope')).toBe('That access code is not right.');
  });

  it('goes back to the login form when the server ends the session, and stops reconnecting', async () => {
    const { store, connection } = await loggedIn();
    connection.setState({ status: 'ended' });
    expect(store.getState().auth.status).toBe('anonymous');
    expect(store.getState().chats).toEqual({});
    expect(store.getState().notice).toMatch(/session has ended/);
    expect(connection.stopped).toBe(1);
  });

  it('tells a refused upgrade (expired cookie) from a server that is down', async () => {
    let sessionValid = true;
    const { store, connection } = await loggedIn({
      me: async () => (sessionValid ? user : Promise.reject(new ApiError(401, 'unauthorized', 'no'))),
    });
    connection.setState({ status: 'waiting', failures: 0, retryInMs: 300, neverOpened: true });
    await vi.waitFor(() => expect(store.getState().connection.status).toBe('waiting'));
    expect(store.getState().auth.status).toBe('authenticated');
    sessionValid = false;
    connection.setState({ status: 'waiting', failures: 1, retryInMs: 600, neverOpened: true });
    await vi.waitFor(() => expect(store.getState().auth.status).toBe('anonymous'));
  });
});

describe('New Chat', () => {
  it('reuses the open chat while it has no messages, and creates a chat only on the first send', async () => {
    const createChat = vi.fn(async () => ({ chat: chat('fresh', null), created: true }));
    const { store, controller, connection, router } = await loggedIn({ createChat });
    await controller.openChat('old');
    controller.newChat();
    expect(store.getState().activeChatId).toBeNull();
    expect(router.currentChatId()).toBeNull();
    controller.newChat();
    controller.newChat();
    expect(createChat).not.toHaveBeenCalled();

    expect(await controller.send('hello')).toBe(true);
    expect(createChat).toHaveBeenCalledTimes(1);
    expect(store.getState().activeChatId).toBe('fresh');
    expect(router.currentChatId()).toBe('fresh');
    expect(store.getState().sidebarOrder).toEqual(['old']); // still empty: not listed yet
    expect(connection.sent).toEqual([{ type: 'send', chatId: 'fresh', clientMsgId: 'cm1', content: 'hello' }]);
  });

  it('keeps an empty open chat instead of leaving it for another empty one', async () => {
    const createChat = vi.fn(async () => ({ chat: chat('fresh', null), created: true }));
    const { store, controller } = await loggedIn({ createChat, getChat: async (id) => detail(id, []) });
    await controller.openChat('empty');
    controller.newChat();
    expect(store.getState().activeChatId).toBe('empty');
  });

  it('creates only one chat when two sends race on a new chat', async () => {
    const createChat = vi.fn(async () => ({ chat: chat('fresh', null), created: true }));
    const { controller } = await loggedIn({ createChat });
    await Promise.all([controller.send('one'), controller.send('two')]);
    expect(createChat).toHaveBeenCalledTimes(1);
  });
});

describe('sending', () => {
  it('shows the message as sending, then as stored after the ack', async () => {
    const { store, controller, connection } = await loggedIn();
    await controller.openChat('old');
    await controller.send('  hi there  ');
    expect(store.getState().pending.old).toEqual([expect.objectContaining({ clientMsgId: 'cm1', content: 'hi there', state: 'sending' })]);
    connection.push({ type: 'ack', chatId: 'old', clientMsgId: 'cm1', duplicate: false, message: message('old', 2, { clientMsgId: 'cm1', content: 'hi there' }) });
    expect(store.getState().pending.old).toBeUndefined();
    expect(store.getState().histories.old?.messages.map((m) => m.content)).toEqual(['message 1', 'hi there']);
  });

  it('refuses to send while disconnected, and sends nothing later', async () => {
    const { store, controller, connection } = await loggedIn();
    await controller.openChat('old');
    connection.drop();
    expect(await controller.send('hi')).toBe(false);
    connection.open();
    expect(connection.sent).toEqual([]);
    expect(store.getState().pending).toEqual({});
  });

  it('retries a failed message with the same clientMsgId', async () => {
    const { store, controller, connection } = await loggedIn();
    await controller.openChat('old');
    await controller.send('hi');
    connection.push({ type: 'error', code: 'rate_limited', message: 'Slow down.', chatId: 'old', clientMsgId: 'cm1' });
    expect(store.getState().pending.old?.[0]).toMatchObject({ state: 'failed', error: 'Slow down.' });
    controller.retry('old', 'cm1');
    expect(connection.sent).toEqual([
      { type: 'send', chatId: 'old', clientMsgId: 'cm1', content: 'hi' },
      { type: 'send', chatId: 'old', clientMsgId: 'cm1', content: 'hi' },
    ]);
    expect(store.getState().pending.old?.[0]).toMatchObject({ state: 'sending', error: null });
  });

  it('sends stop for the open chat only while its reply runs', async () => {
    const { controller, connection } = await loggedIn();
    await controller.openChat('old');
    controller.stop();
    expect(connection.sent).toEqual([]);
    connection.push({ type: 'agent.start', chatId: 'old', messageId: 'old-m2', message: assistant('old', 2) });
    controller.stop();
    expect(connection.sent).toEqual([{ type: 'stop', chatId: 'old' }]);
  });
});

describe('reconnecting', () => {
  it('marks unconfirmed messages failed when the socket drops', async () => {
    const { store, controller, connection } = await loggedIn();
    await controller.openChat('old');
    await controller.send('hi');
    connection.drop();
    expect(store.getState().connection.status).toBe('waiting');
    expect(store.getState().pending.old?.[0]).toMatchObject({ state: 'failed', error: expect.stringMatching(/connection dropped/) });
  });

  it('after the reconnect hello, re-reads the open chat and the list, and drops what was delivered after all', async () => {
    let serverMessages = [message('old', 1)];
    const getChat = vi.fn(async (id: string) => detail(id, serverMessages));
    const listChats = vi.fn(async () => [chat('old', '2024-03-01T00:00:00.000Z'), chat('other', '2024-03-09T00:00:00.000Z')]);
    const { store, controller, connection } = await loggedIn({ getChat, listChats });
    await controller.openChat('old');
    await controller.send('made it');
    await controller.send('lost');
    connection.drop();
    // While disconnected the server stored the first message (its ack was lost) and the agent answered it.
    serverMessages = [message('old', 1), message('old', 2, { clientMsgId: 'cm1', content: 'made it' }), assistant('old', 3, { status: 'complete', content: 'echo' })];
    getChat.mockClear();
    connection.open([]);
    await vi.waitFor(() => expect(store.getState().histories.old?.messages).toHaveLength(3));
    expect(getChat).toHaveBeenCalledWith('old', expect.anything());
    expect(listChats).toHaveBeenCalledTimes(2);
    expect(store.getState().sidebarOrder).toEqual(['other', 'old']);
    expect(store.getState().pending.old?.map((p) => p.content)).toEqual(['lost']);
    expect(store.getState().connection.status).toBe('open');
  });

  it('resumes a reply that is still streaming from the hello snapshot', async () => {
    const { store, controller, connection } = await loggedIn();
    await controller.openChat('old');
    connection.push({ type: 'agent.start', chatId: 'old', messageId: 'old-m2', message: assistant('old', 2) });
    connection.push({ type: 'agent.delta', chatId: 'old', messageId: 'old-m2', seq: 0, text: 'Hel' });
    connection.drop();
    connection.open([{ chatId: 'old', messageId: 'old-m2', seq: 3, text: 'Hello, w' }]);
    connection.push({ type: 'agent.delta', chatId: 'old', messageId: 'old-m2', seq: 4, text: 'orld' });
    expect(store.getState().replies.old?.text).toBe('Hello, world');
  });

  it('keeps the newer of a fetched snapshot and live deltas when opening a chat mid-reply', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const getChat = async (id: string) => {
      await gate;
      return detail(id, [message(id, 1), assistant(id, 2)], { streaming: { chatId: id, messageId: `${id}-m2`, seq: 1, text: 'ab' } });
    };
    const { store, controller, connection } = await loggedIn({ getChat });
    const opening = controller.openChat('busy');
    // Deltas overtake the REST response on the socket.
    connection.push({ type: 'agent.delta', chatId: 'busy', messageId: 'busy-m2', seq: 0, text: 'a' });
    connection.push({ type: 'agent.snapshot', chatId: 'busy', reply: { chatId: 'busy', messageId: 'busy-m2', seq: 2, text: 'abc' } });
    release();
    await opening;
    expect(store.getState().replies.busy).toMatchObject({ seq: 2, text: 'abc' });
  });
});

describe('history', () => {
  it('loads older pages with the cursor and keeps them in order', async () => {
    const getChat = vi.fn(async (id: string, query?: { before?: string }) =>
      query?.before === 'p2'
        ? detail(id, [message(id, 1), message(id, 2)], { nextCursor: null })
        : detail(id, [message(id, 3), message(id, 4)], { nextCursor: 'p2' }),
    );
    const { store, controller } = await loggedIn({ getChat });
    await controller.openChat('long');
    await controller.loadOlder();
    expect(store.getState().histories.long?.messages.map((m) => m.position)).toEqual([1, 2, 3, 4]);
    expect(store.getState().histories.long?.nextCursor).toBeNull();
    await controller.loadOlder(); // nothing older: no request
    expect(getChat).toHaveBeenCalledTimes(2);
  });

  it('leaves a chat that is not the participant’s with a notice', async () => {
    const { store, controller, router } = await loggedIn({ getChat: async () => Promise.reject(new ApiError(404, 'not_found', 'No such chat.')) });
    await controller.openChat('someone-elses');
    expect(store.getState().activeChatId).toBeNull();
    expect(router.currentChatId()).toBeNull();
    expect(store.getState().notice).toMatch(/does not exist/);
  });
});

describe('rename', () => {
  it('validates the title, then stores the renamed chat without reordering', async () => {
    const renameChat = vi.fn(async (id: string, title: string) => chat(id, '2024-03-01T00:00:00.000Z', { title }));
    const { store, controller } = await loggedIn({ renameChat });
    expect(await controller.rename('old', '   ')).toBe('A title cannot be empty.');
    expect(await controller.rename('old', 'Trip plans')).toBeNull();
    expect(store.getState().chats.old?.title).toBe('Trip plans');
    expect(renameChat).toHaveBeenCalledTimes(1);
  });
});
