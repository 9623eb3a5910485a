import {
  MESSAGE_MAX_LENGTH,
  PAGE_SIZE_DEFAULT,
  chatTitleSchema,
  loginRequestSchema,
  type LoginRequest,
  type ParticipantIds,
  type ServerFrame,
  type User,
} from '@parley/protocol';
import { ApiError, type ApiClient } from '../api/client.ts';
import type { Connection, ConnectionState } from '../connection/connection.ts';
import { participantUsername } from '../participant/participantIds.ts';
import type { Router } from '../router.ts';
import { withChats } from './chats.ts';
import { newClientMsgId } from './clientMsgId.ts';
import type { AppStore } from './createAppStore.ts';
import type { Drafts } from './drafts.ts';
import { reduceServerFrame, withoutPending, type FrameEffect } from './frames.ts';
import { emptyHistory, mergeMessages, withLatestPage } from './history.ts';
import { mergeFetchedSnapshot } from './replies.ts';
import { initialState, type AppState, type PendingMessage } from './state.ts';

export interface ControllerDeps {
  store: AppStore;
  api: ApiClient;
  connection: Pick<Connection, 'start' | 'stop' | 'send' | 'subscribe' | 'getState'>;
  router: Router;
  newClientMsgId?: () => string;
  pageSize?: number;
  /** The ids of a study link this page was opened with: log in as that participant (participant/participantIds.ts). */
  participant?: ParticipantIds | null;
  /** Unsent text, forgotten when a session is ended on purpose (logout, another participant's link). */
  drafts?: Pick<Drafts, 'clear'>;
}

/** Everything the UI can ask for. Each method does the I/O and records the outcome in the store. */
export interface ChatController {
  /**
   * Reads the server config and the session cookie; logs in silently when the session is valid.
   * Opened from a study link, logs in as that participant unless they are the one logged in.
   */
  bootstrap(): Promise<void>;
  /** Returns an error message for the form, or null on success. From a study link, the username is ignored. */
  login(username: string, accessCode?: string): Promise<string | null>;
  logout(): Promise<void>;
  openChat(chatId: string): Promise<void>;
  /** Shows an empty new chat, or keeps the open chat when it has no messages yet (no second empty chat). */
  newChat(): void;
  /** Returns true when the message was handed to the socket (the composer then clears). */
  send(content: string): Promise<boolean>;
  retry(chatId: string, clientMsgId: string): void;
  discard(chatId: string, clientMsgId: string): void;
  stop(): void;
  loadOlder(): Promise<void>;
  /** Returns an error message, or null on success. */
  rename(chatId: string, title: string): Promise<string | null>;
  dismissNotice(): void;
  /** Detaches from the connection and the router (tests, hot reload). */
  dispose(): void;
}

const LOST_CONNECTION = 'The connection dropped before the server confirmed this message.';

export function createChatController(deps: ControllerDeps): ChatController {
  const { store, api, connection, router } = deps;
  const makeId = deps.newClientMsgId ?? newClientMsgId;
  const pageSize = deps.pageSize ?? PAGE_SIZE_DEFAULT;
  const get = store.getState;
  const set = (patch: Partial<AppState>) => store.setState(patch);

  let hellos = 0;
  let creatingChat: Promise<string | null> | null = null;
  let checkingSession = false;

  const unsubscribeConnection = connection.subscribe({
    onFrame: handleFrame,
    onState: handleConnectionState,
  });
  const unsubscribeRouter = router.onChange((chatId) => {
    if (get().auth.status !== 'authenticated') return;
    if (chatId) void openChat(chatId);
    else set({ activeChatId: null });
  });

  function handleFrame(frame: ServerFrame): void {
    if (frame.type === 'hello') hellos += 1;
    const { patch, effects } = reduceServerFrame(get(), frame);
    set(patch);
    for (const effect of effects) runEffect(effect);
  }

  function runEffect(effect: FrameEffect): void {
    switch (effect.type) {
      case 'resume':
        connection.send({ type: 'resume', chatId: effect.chatId });
        return;
      case 'refetchChat':
        refetchOrForget(effect.chatId);
        return;
      case 'resync':
        // The first hello follows the REST load at login; later ones follow a reconnect, and
        // anything could have happened meanwhile.
        if (hellos > 1) void resync();
        return;
    }
  }

  async function resync(): Promise<void> {
    const { activeChatId, histories } = get();
    // Chats not on screen are re-read when opened; only the open one is fetched now.
    for (const chatId of Object.keys(histories)) if (chatId !== activeChatId) forgetHistory(chatId);
    await Promise.all([refreshChatList(), activeChatId ? loadLatest(activeChatId) : Promise.resolve()]);
  }

  function refetchOrForget(chatId: string): void {
    if (get().activeChatId === chatId) void loadLatest(chatId);
    else forgetHistory(chatId);
  }

  function forgetHistory(chatId: string): void {
    const histories = { ...get().histories };
    delete histories[chatId];
    set({ histories });
  }

  function handleConnectionState(state: ConnectionState): void {
    set({ connection: state });
    if (state.status === 'waiting') {
      failAllSending(LOST_CONNECTION);
      if (state.neverOpened) void checkSession();
    }
    if (state.status === 'ended') endSession('Your session has ended. Please log in again.');
  }

  /**
   * A refused WebSocket upgrade looks the same as a server that is down; asking /api/me tells them
   * apart, so an expired session leads to the login form instead of endless reconnecting.
   */
  async function checkSession(): Promise<void> {
    if (checkingSession || get().auth.status !== 'authenticated') return;
    checkingSession = true;
    try {
      await api.me();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) endSession('Your session has ended. Please log in again.');
    } finally {
      checkingSession = false;
    }
  }

  function endSession(notice: string | null): void {
    connection.stop();
    hellos = 0;
    store.setState({ ...initialState(), config: get().config, auth: { status: 'anonymous' }, notice }, true);
  }

  function failAllSending(error: string): void {
    const pending = get().pending;
    let changed = false;
    const next: AppState['pending'] = {};
    for (const [chatId, list] of Object.entries(pending)) {
      next[chatId] = list.map((p) => {
        if (p.state !== 'sending') return p;
        changed = true;
        return { ...p, state: 'failed', error };
      });
    }
    if (changed) set({ pending: next });
  }

  async function bootstrap(): Promise<void> {
    const [config, me] = await Promise.allSettled([api.getConfig(), api.me()]);
    if (config.status === 'fulfilled') set({ config: config.value });
    if (deps.participant) return enterAsParticipant(deps.participant, me.status === 'fulfilled' ? me.value : null);
    if (me.status === 'fulfilled') return startSession(me.value);
    const unreachable = !(me.reason instanceof ApiError) || me.reason.status === 0 || me.reason.status >= 500;
    set({ auth: { status: 'anonymous' }, notice: unreachable ? 'The Parley server cannot be reached right now.' : null });
  }

  async function startSession(user: User): Promise<void> {
    hellos = 0;
    set({ auth: { status: 'authenticated', user }, notice: null });
    connection.start();
    const fromUrl = router.currentChatId();
    await Promise.all([refreshChatList(), fromUrl ? openChat(fromUrl) : Promise.resolve()]);
  }

  async function enterAsParticipant(ids: ParticipantIds, current: User | null): Promise<void> {
    if (current?.username === participantUsername(ids)) {
      // Logging in again records this visit's study and session ids; without the access code it cannot, so keep the session.
      if (get().config?.accessCodeRequired) return startSession(current);
      const problem = await login('');
      return problem ? startSession(current) : undefined;
    }
    // Someone else's session must not stay open in the participant's browser (a shared lab computer).
    if (current) {
      await api.logout().catch(() => {});
      deps.drafts?.clear();
    }
    // The form asks for the access code only; the ids from the link are kept.
    if (get().config?.accessCodeRequired) return set({ auth: { status: 'anonymous' } });
    const problem = await login('');
    if (problem) set({ auth: { status: 'anonymous' }, notice: problem });
  }

  async function login(username: string, accessCode?: string): Promise<string | null> {
    const body: LoginRequest = {
      ...(deps.participant ? { participant: deps.participant } : { username }),
      ...(accessCode ? { accessCode } : {}),
    };
    const valid = loginRequestSchema.safeParse(body);
    if (!valid.success) return valid.error.issues[0]?.message ?? 'Check your username.';
    try {
      const { user } = await api.login(valid.data);
      await startSession(user);
      return null;
    } catch (error) {
      return loginErrorText(error);
    }
  }

  async function logout(): Promise<void> {
    connection.stop();
    try {
      await api.logout();
    } catch {
      // The cookie is cleared server-side when reachable; locally the session ends either way.
    }
    deps.drafts?.clear();
    endSession(null);
    router.show(null);
  }

  async function refreshChatList(): Promise<void> {
    try {
      const chats = await api.listChats();
      set({ ...withChats(get(), chats), chatsLoaded: true });
    } catch (error) {
      handleRequestError(error);
    }
  }

  async function openChat(chatId: string): Promise<void> {
    set({ activeChatId: chatId });
    router.show(chatId);
    const history = get().histories[chatId];
    if (!history || history.error) await loadLatest(chatId);
  }

  /** Fetches the newest page of a chat and folds it into what this tab has. */
  async function loadLatest(chatId: string): Promise<void> {
    if (!get().histories[chatId]) set({ histories: { ...get().histories, [chatId]: emptyHistory('initial') } });
    try {
      const detail = await api.getChat(chatId, { limit: pageSize });
      const state = get();
      const known = state.histories[chatId];
      const history = withLatestPage(known?.messages.length ? known : undefined, detail.messages, detail.nextCursor);

      // A message whose ack was lost is stored all the same: it is delivered, not failed.
      const stored = new Set(detail.messages.map((m) => m.clientMsgId));
      const pendingList = (state.pending[chatId] ?? []).filter((p) => !stored.has(p.clientMsgId));
      const pending = { ...state.pending };
      if (pendingList.length > 0) pending[chatId] = pendingList;
      else delete pending[chatId];

      const replies = { ...state.replies };
      const live = replies[chatId];
      if (detail.streaming) replies[chatId] = mergeFetchedSnapshot(live, detail.streaming);
      else if (live && detail.messages.some((m) => m.id === live.messageId && m.status !== 'streaming')) delete replies[chatId];

      set({ ...withChats(state, [detail.chat]), histories: { ...state.histories, [chatId]: history }, pending, replies });
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 403)) {
        forgetHistory(chatId);
        if (get().activeChatId === chatId) {
          set({ activeChatId: null, notice: 'That chat does not exist or belongs to someone else.' });
          router.show(null);
        }
        return;
      }
      const history = get().histories[chatId] ?? emptyHistory();
      set({ histories: { ...get().histories, [chatId]: { ...history, loading: null, error: describeError(error) } } });
      handleRequestError(error);
    }
  }

  async function loadOlder(): Promise<void> {
    const chatId = get().activeChatId;
    const history = chatId ? get().histories[chatId] : undefined;
    if (!chatId || !history?.nextCursor || history.loading) return;
    set({ histories: { ...get().histories, [chatId]: { ...history, loading: 'older' } } });
    try {
      const page = await api.getChat(chatId, { limit: pageSize, before: history.nextCursor });
      const current = get().histories[chatId] ?? history;
      set({
        histories: {
          ...get().histories,
          [chatId]: { ...current, messages: mergeMessages(current.messages, page.messages), nextCursor: page.nextCursor, loading: null, error: null },
        },
      });
    } catch (error) {
      const current = get().histories[chatId] ?? history;
      set({ histories: { ...get().histories, [chatId]: { ...current, loading: null, error: describeError(error) } } });
      handleRequestError(error);
    }
  }

  function isEmptyChat(state: AppState, chatId: string): boolean {
    const chat = state.chats[chatId];
    const history = state.histories[chatId];
    return (
      (chat ? chat.lastUserMessageAt === null : true) &&
      (history ? history.messages.length === 0 && history.loading === null : false) &&
      !(state.pending[chatId]?.length ?? 0)
    );
  }

  function newChat(): void {
    const { activeChatId } = get();
    if (activeChatId === null || isEmptyChat(get(), activeChatId)) return;
    set({ activeChatId: null });
    router.show(null);
  }

  /** The chat is created on the first message, so "New Chat" never leaves an empty chat behind. */
  async function ensureActiveChat(): Promise<string | null> {
    const active = get().activeChatId;
    if (active) return active;
    creatingChat ??= (async () => {
      try {
        const { chat } = await api.createChat();
        const state = get();
        set({
          ...withChats(state, [chat]),
          histories: state.histories[chat.id] ? state.histories : { ...state.histories, [chat.id]: emptyHistory() },
          activeChatId: chat.id,
        });
        router.show(chat.id);
        return chat.id;
      } catch (error) {
        set({ notice: `Could not start a new chat: ${describeError(error)}` });
        handleRequestError(error);
        return null;
      } finally {
        creatingChat = null;
      }
    })();
    return creatingChat;
  }

  async function send(content: string): Promise<boolean> {
    const text = content.trim();
    if (!text) return false;
    if (text.length > MESSAGE_MAX_LENGTH) {
      set({ notice: `A message has at most ${MESSAGE_MAX_LENGTH.toLocaleString('en')} characters.` });
      return false;
    }
    if (connection.getState().status !== 'open') return false;
    const chatId = await ensureActiveChat();
    if (!chatId) return false;
    const message: PendingMessage = {
      clientMsgId: makeId(),
      chatId,
      content: text,
      createdAt: new Date().toISOString(),
      state: 'sending',
      error: null,
    };
    const pending = get().pending;
    set({ pending: { ...pending, [chatId]: [...(pending[chatId] ?? []), message] } });
    transmit(message);
    return true;
  }

  function transmit(message: PendingMessage): void {
    const sent = connection.send({ type: 'send', chatId: message.chatId, clientMsgId: message.clientMsgId, content: message.content });
    updatePending(message.chatId, message.clientMsgId, sent ? { state: 'sending', error: null } : { state: 'failed', error: 'Not sent: you are offline.' });
  }

  function updatePending(chatId: string, clientMsgId: string, change: Partial<PendingMessage>): void {
    const list = get().pending[chatId];
    if (!list) return;
    set({ pending: { ...get().pending, [chatId]: list.map((p) => (p.clientMsgId === clientMsgId ? { ...p, ...change } : p)) } });
  }

  function retry(chatId: string, clientMsgId: string): void {
    const message = get().pending[chatId]?.find((p) => p.clientMsgId === clientMsgId);
    // Same clientMsgId: if the first attempt was stored after all, the server answers with it instead of storing twice.
    if (message) transmit(message);
  }

  function discard(chatId: string, clientMsgId: string): void {
    set({ pending: withoutPending(get().pending, chatId, clientMsgId) });
  }

  function stop(): void {
    const chatId = get().activeChatId;
    if (chatId && get().replies[chatId]) connection.send({ type: 'stop', chatId });
  }

  async function rename(chatId: string, title: string): Promise<string | null> {
    const valid = chatTitleSchema.safeParse(title);
    if (!valid.success) return valid.error.issues[0]?.message ?? 'That title cannot be used.';
    if (get().chats[chatId]?.title === valid.data) return null;
    try {
      const chat = await api.renameChat(chatId, valid.data);
      set(withChats(get(), [chat]));
      return null;
    } catch (error) {
      handleRequestError(error);
      return describeError(error);
    }
  }

  /** A 401 from any request means the session is gone. */
  function handleRequestError(error: unknown): void {
    if (error instanceof ApiError && error.status === 401 && get().auth.status === 'authenticated') {
      endSession('Your session has ended. Please log in again.');
    }
  }

  return {
    bootstrap,
    login,
    logout,
    openChat,
    newChat,
    send,
    retry,
    discard,
    stop,
    loadOlder,
    rename,
    dismissNotice: () => set({ notice: null }),
    dispose() {
      unsubscribeConnection();
      unsubscribeRouter();
    },
  };
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : 'Something went wrong.';
}

function loginErrorText(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Logging in failed. Please try again.';
  switch (error.code) {
    case 'bad_access_code':
      return 'That access code is not right.';
    case 'rate_limited':
      return 'Too many attempts. Please wait a minute and try again.';
    case 'unavailable':
      return 'The Parley server cannot be reached right now. Please try again shortly.';
    default:
      return error.message;
  }
}
