import { PROTOCOL_VERSION, type Message, type ServerFrame, type ServerFrameOf } from '@parley/protocol';
import { withChats, withUserActivity } from './chats.ts';
import { upsertMessage } from './history.ts';
import { applyDelta, replyFromSnapshot } from './replies.ts';
import type { AppState, LiveReply } from './state.ts';

/** Work a frame asks for that the pure reducer cannot do itself. */
export type FrameEffect =
  /** A gap in a reply's deltas: ask the server for the text so far. */
  | { type: 'resume'; chatId: string }
  /** A reply ended while this tab was not listening: load the chat's stored messages. */
  | { type: 'refetchChat'; chatId: string }
  /** A (re)connection said hello: bring the chat list and the open chat up to date. */
  | { type: 'resync' };

export interface FrameOutcome {
  patch: Partial<AppState>;
  effects: FrameEffect[];
}

const nothing: FrameOutcome = { patch: {}, effects: [] };

/**
 * Applies one server frame to the state. Every frame names its chat and only that chat's slice
 * changes: frames of every chat arrive on every tab, whichever chat is on screen.
 */
export function reduceServerFrame(state: AppState, frame: ServerFrame): FrameOutcome {
  switch (frame.type) {
    case 'hello':
      return reduceHello(state, frame);
    case 'ack': {
      const patch: Partial<AppState> = {
        pending: withoutPending(state.pending, frame.chatId, frame.clientMsgId),
        ...withMessage(state, frame.chatId, frame.message),
        ...withUserActivity(state, frame.chatId, frame.message.createdAt),
      };
      return { patch, effects: [] };
    }
    case 'message':
      return {
        patch: {
          // The same message may be pending here too when two tabs retried the same clientMsgId.
          pending: frame.message.clientMsgId ? withoutPending(state.pending, frame.chatId, frame.message.clientMsgId) : state.pending,
          ...withMessage(state, frame.chatId, frame.message),
          ...withUserActivity(state, frame.chatId, frame.message.createdAt),
        },
        effects: [],
      };
    case 'chat.updated':
      return { patch: withChats(state, [frame.chat]), effects: [] };
    case 'agent.start': {
      const current = state.replies[frame.chatId];
      // A snapshot or delta of this very reply may have come first; keep that text.
      const reply: LiveReply =
        current?.messageId === frame.messageId ? current : { messageId: frame.messageId, seq: -1, text: '', resumeRequested: false };
      return {
        patch: { ...withMessage(state, frame.chatId, frame.message), replies: { ...state.replies, [frame.chatId]: reply } },
        effects: current && current.messageId !== frame.messageId ? [{ type: 'refetchChat', chatId: frame.chatId }] : [],
      };
    }
    case 'agent.delta': {
      const current = state.replies[frame.chatId];
      const { reply, requestResume } = applyDelta(current, frame.messageId, frame.seq, frame.text);
      if (reply === current) return nothing;
      return {
        patch: { replies: { ...state.replies, [frame.chatId]: reply } },
        effects: requestResume ? [{ type: 'resume', chatId: frame.chatId }] : [],
      };
    }
    case 'agent.snapshot': {
      if (frame.reply) return { patch: { replies: { ...state.replies, [frame.chatId]: replyFromSnapshot(frame.reply) } }, effects: [] };
      if (!state.replies[frame.chatId]) return nothing;
      // Nothing runs any more, yet this tab still had a reply: it ended unseen.
      return { patch: { replies: without(state.replies, frame.chatId) }, effects: [{ type: 'refetchChat', chatId: frame.chatId }] };
    }
    case 'agent.done':
      return {
        patch: {
          ...withMessage(state, frame.chatId, frame.message),
          replies: withoutReply(state.replies, frame.chatId, frame.message.id),
        },
        effects: [],
      };
    case 'agent.error': {
      const failed = frame.final ?? failedCopy(state, frame.chatId, frame.messageId);
      return {
        patch: {
          ...(failed ? withMessage(state, frame.chatId, failed) : {}),
          replies: withoutReply(state.replies, frame.chatId, frame.messageId),
          replyErrors: { ...state.replyErrors, [frame.messageId]: frame.message },
        },
        effects: [],
      };
    }
    case 'error':
      return reduceError(state, frame);
    case 'pong':
      return nothing;
    default:
      // Frames for features this client does not show yet (study state, feedback) change nothing here.
      return nothing;
  }
}

function reduceHello(state: AppState, frame: ServerFrameOf<'hello'>): FrameOutcome {
  const replies: Record<string, LiveReply> = {};
  for (const snapshot of frame.streaming) replies[snapshot.chatId] = replyFromSnapshot(snapshot);
  const effects: FrameEffect[] = [{ type: 'resync' }];
  // Replies this tab was showing that no longer run finished while it was disconnected.
  for (const chatId of Object.keys(state.replies)) {
    if (!replies[chatId] && state.histories[chatId]) effects.push({ type: 'refetchChat', chatId });
  }
  const auth = state.auth.status === 'authenticated' ? { status: 'authenticated' as const, user: frame.user } : state.auth;
  // The server was updated while this page stayed open: only a reload brings the matching client.
  const outdated = frame.protocolVersion !== PROTOCOL_VERSION;
  const notice = outdated ? 'Parley has been updated. Please reload the page to keep chatting.' : state.notice;
  return { patch: { replies, auth, notice }, effects };
}

function reduceError(state: AppState, frame: ServerFrameOf<'error'>): FrameOutcome {
  if (frame.clientMsgId && frame.chatId) {
    const list = state.pending[frame.chatId];
    if (list?.some((p) => p.clientMsgId === frame.clientMsgId)) {
      const updated = list.map((p) => (p.clientMsgId === frame.clientMsgId ? { ...p, state: 'failed' as const, error: frame.message } : p));
      return { patch: { pending: { ...state.pending, [frame.chatId]: updated } }, effects: [] };
    }
  }
  if (frame.clientMsgId && !frame.chatId) {
    // The server named the message but not its chat: find it.
    for (const [chatId, list] of Object.entries(state.pending)) {
      if (list.some((p) => p.clientMsgId === frame.clientMsgId)) {
        return reduceError(state, { ...frame, chatId });
      }
    }
  }
  // Telemetry is best-effort: a refused batch is nothing the participant can act on.
  if (frame.frame === 'telemetry') return { patch: {}, effects: [] };
  return { patch: { notice: frame.message }, effects: [] };
}

/** Adds a message to the chat's history if this tab has loaded that chat; otherwise it is fetched when opened. */
function withMessage(state: AppState, chatId: string, message: Message): Pick<AppState, 'histories'> | null {
  const history = state.histories[chatId];
  if (!history) return null;
  return { histories: { ...state.histories, [chatId]: { ...history, messages: upsertMessage(history.messages, message) } } };
}

function failedCopy(state: AppState, chatId: string, messageId: string): Message | null {
  const row = state.histories[chatId]?.messages.find((m) => m.id === messageId);
  if (!row) return null;
  const reply = state.replies[chatId];
  const text = reply?.messageId === messageId ? reply.text : row.content;
  return { ...row, status: 'error', content: text };
}

export function withoutPending(pending: AppState['pending'], chatId: string, clientMsgId: string): AppState['pending'] {
  const list = pending[chatId];
  if (!list?.some((p) => p.clientMsgId === clientMsgId)) return pending;
  const rest = list.filter((p) => p.clientMsgId !== clientMsgId);
  return rest.length > 0 ? { ...pending, [chatId]: rest } : without(pending, chatId);
}

function withoutReply(replies: AppState['replies'], chatId: string, messageId: string): AppState['replies'] {
  return replies[chatId]?.messageId === messageId ? without(replies, chatId) : replies;
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const copy = { ...record };
  delete copy[key];
  return copy;
}
