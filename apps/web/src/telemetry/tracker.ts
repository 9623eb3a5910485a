import type { TelemetryEvent } from '@parley/protocol';
import type { AppStore } from '../store/createAppStore.ts';
import type { AppState } from '../store/state.ts';
import { telemetryPolicy } from './policy.ts';
import type { TelemetryQueue } from './queue.ts';

export interface TelemetryTrackerDeps {
  store: AppStore;
  queue: Pick<TelemetryQueue, 'record' | 'flush' | 'policyChanged' | 'clear'>;
  now?: () => number;
  /** Runs the callback once the current state is on screen (requestAnimationFrame in the browser). */
  afterPaint?: (callback: () => void) => void;
  /** UTF-16 length of the reply text rendered right now (AgentMessage's data-shown-chars), or null. */
  renderedLength?: (messageId: string) => number | null;
}

/** The events the store cannot see; the browser wiring (telemetry/browser.ts) reports them. */
export interface TelemetryTracker {
  /** Send was pressed: the message it creates is timed from now (a new chat is created first). */
  sendPressed(): void;
  /** That send is over (handed to the socket, or refused before becoming a message). */
  sendSettled(): void;
  stopPressed(): void;
  pasted(text: string): void;
  visibilityChanged(state: 'hidden' | 'visible'): void;
  dispose(): void;
}

/**
 * Lengths are counted in characters (code points), as the export's readers (Python's len, R's
 * nchar) count them, not in JavaScript's UTF-16 units: an emoji is one character.
 */
export function countCharacters(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/**
 * Turns what happens in the store into telemetry events: a message sent (a new pending message),
 * the first token of a reply shown, a reconnect after a drop. Watching the store keeps the chat
 * controller free of telemetry; the store holds every one of these facts anyway.
 */
export function createTelemetryTracker(deps: TelemetryTrackerDeps): TelemetryTracker {
  const { store, queue } = deps;
  const now = deps.now ?? Date.now;
  const afterPaint = deps.afterPaint ?? ((callback: () => void) => callback());

  const seenSends = new Set<string>();
  /** When send was last pressed in each chat; used once, by the first token of the reply that follows. */
  const sentAt = new Map<string, number>();
  /** Replies seen streaming: 'waiting' while no text has arrived, then 'shown'. */
  const replies = new Map<string, 'waiting' | 'shown'>();
  let droppedAt: number | null = null;
  let attempts = 0;
  let pressedAt: number | null = null;

  const clientTime = () => new Date(now()).toISOString();
  // Only chats this tab knows are named: an event naming a chat that is not the participant's
  // would make the server refuse its whole batch.
  const knownChat = (state: AppState, chatId: string | null) => (chatId && state.chats[chatId] ? chatId : undefined);
  const record = (event: TelemetryEvent) => queue.record(event);

  const unsubscribe = store.subscribe((state, previous) => {
    if (telemetryPolicy(state) !== telemetryPolicy(previous)) queue.policyChanged();
    if (userOf(state) !== userOf(previous)) forgetSession();
    if (state.pending !== previous.pending) observeSends(state);
    if (state.replies !== previous.replies) observeReplies(state);
    if (state.connection !== previous.connection) observeConnection(state, previous);
  });

  function forgetSession(): void {
    queue.clear();
    seenSends.clear();
    sentAt.clear();
    replies.clear();
    droppedAt = null;
  }

  function observeSends(state: AppState): void {
    for (const [chatId, list] of Object.entries(state.pending)) {
      for (const message of list) {
        if (seenSends.has(message.clientMsgId)) continue;
        seenSends.add(message.clientMsgId);
        const at = pressedAt ?? now();
        sentAt.set(chatId, at);
        record({ kind: 'message_sent', clientTime: new Date(at).toISOString(), chatId, clientMsgId: message.clientMsgId });
      }
    }
  }

  function observeReplies(state: AppState): void {
    const live = new Set<string>();
    for (const [chatId, reply] of Object.entries(state.replies)) {
      live.add(reply.messageId);
      const known = replies.get(reply.messageId);
      // A reply first seen with text (resumed after a reload or reconnect) has no first token to time.
      if (known === undefined) replies.set(reply.messageId, reply.text === '' ? 'waiting' : 'shown');
      else if (known === 'waiting' && reply.text !== '') {
        replies.set(reply.messageId, 'shown');
        firstTokenArrived(chatId, reply.messageId);
      }
    }
    for (const messageId of replies.keys()) if (!live.has(messageId)) replies.delete(messageId);
  }

  function firstTokenArrived(chatId: string, messageId: string): void {
    const pressedAt = sentAt.get(chatId);
    sentAt.delete(chatId);
    afterPaint(() => {
      // Shown means on screen: a reply streaming in a chat that is not open was not seen.
      if (store.getState().activeChatId !== chatId) return;
      const since = pressedAt === undefined ? undefined : Math.max(0, Math.round(now() - pressedAt));
      record({ kind: 'first_token', clientTime: clientTime(), chatId, messageId, ...(since === undefined ? {} : { sinceSendMs: since }) });
    });
  }

  function observeConnection(state: AppState, previous: AppState): void {
    const status = state.connection.status;
    if (status === 'open') {
      if (droppedAt !== null) {
        record({
          kind: 'reconnected',
          clientTime: clientTime(),
          disconnectedMs: Math.max(0, Math.round(now() - droppedAt)),
          attempts,
          chatId: knownChat(state, state.activeChatId),
        });
      }
      droppedAt = null;
      queue.flush();
    } else if (status === 'idle' || status === 'ended') {
      droppedAt = null; // logged out or stopped on purpose: not a drop
    } else if (previous.connection.status === 'open') {
      droppedAt = now();
      attempts = status === 'connecting' ? 1 : 0;
    } else if (status === 'connecting' && droppedAt !== null) {
      attempts += 1;
    }
  }

  return {
    sendPressed() {
      pressedAt = now();
    },
    sendSettled() {
      pressedAt = null;
    },
    stopPressed() {
      const state = store.getState();
      const chatId = state.activeChatId;
      const reply = chatId ? state.replies[chatId] : undefined;
      if (!chatId || !reply) return;
      // The text on screen lags the store by up to a frame; count what was rendered.
      const rendered = deps.renderedLength?.(reply.messageId) ?? reply.text.length;
      record({
        kind: 'stop_pressed',
        clientTime: clientTime(),
        chatId,
        messageId: reply.messageId,
        shownChars: countCharacters(reply.text.slice(0, rendered)),
      });
    },
    pasted(text) {
      const state = store.getState();
      // The length only: the pasted text itself never leaves this function.
      record({ kind: 'paste', clientTime: clientTime(), length: countCharacters(text), chatId: knownChat(state, state.activeChatId) });
    },
    visibilityChanged(visibility) {
      const state = store.getState();
      record({ kind: 'visibility', clientTime: clientTime(), state: visibility, chatId: knownChat(state, state.activeChatId) });
    },
    dispose: unsubscribe,
  };
}

function userOf(state: AppState): string | null {
  return state.auth.status === 'authenticated' ? state.auth.user.id : null;
}
