import type { StudyChatTurns, StudyCompletion, StudyView } from '@parley/protocol';
import type { AppState } from './state.ts';

/**
 * What a running study allows on screen, decided from the study view the server sent
 * (GET /api/study, `study.updated`). Pure functions of the state, so the rules are tested
 * without a browser. With no study (`study: null`) every answer is "as without studies".
 */

/** What the authenticated part of the app shows. */
export type StudyGate =
  /** The first study view of this session has not arrived: show nothing of the chat yet. */
  | 'loading'
  /** It could not be loaded: say so and offer a retry (never guess "no study"). */
  | 'failed'
  /** Only the consent form. */
  | 'consent'
  /** The participant declined: a final screen, no chat. */
  | 'declined'
  /** The chat (its input may still be closed, see composerClosure). */
  | 'chat';

export function studyGate(state: Pick<AppState, 'study' | 'studyLoad'>): StudyGate {
  if (state.studyLoad === 'loading') return 'loading';
  if (state.studyLoad === 'failed') return 'failed';
  if (state.study?.state === 'consent_required') return 'consent';
  if (state.study?.state === 'declined') return 'declined';
  return 'chat';
}

/** Why the message box is replaced by a closing note. */
export type ClosureReason =
  /** Every limit that ends participation is reached (or time is up). */
  | 'finished'
  /** This conversation used its turns; others may be started when the study allows. */
  | 'chat_closed'
  /** A conversation from before the study (or another study): it can be read, not continued. */
  | 'read_only'
  /** Any other state in which the server refuses messages (consent not given). */
  | 'unavailable';

export interface ComposerClosure {
  reason: ClosureReason;
  /** What to show where the input was (closing message, completion code, redirect); null before any limit. */
  completion: StudyCompletion | null;
}

/**
 * Whether the open chat may receive messages. `chatId` null is a new chat that the first message
 * creates, which a running study claims: it is open while the study is. A chat the study does not
 * list is read-only only when it has messages: an empty chat is new, not from before the study.
 */
export function composerClosure(study: StudyView | null, chatId: string | null, chatHasMessages: boolean): ComposerClosure | null {
  if (!study) return null;
  if (study.state !== 'active') return { reason: study.state === 'finished' ? 'finished' : 'unavailable', completion: study.completion };
  if (chatId === null) return null;
  const turns = study.chats.find((c) => c.chatId === chatId);
  if (turns?.closed) return { reason: 'chat_closed', completion: study.completion };
  if (!turns && chatHasMessages) return { reason: 'read_only', completion: null };
  return null;
}

/** Stored messages only: a chat holding just this tab's unacknowledged first message is still new. */
export function chatHasMessages(state: Pick<AppState, 'chats' | 'histories'>, chatId: string | null): boolean {
  if (chatId === null) return false;
  return (state.chats[chatId]?.lastUserMessageAt ?? null) !== null || (state.histories[chatId]?.messages.length ?? 0) > 0;
}

export function mayRenameChats(study: StudyView | null): boolean {
  return study?.permissions.renameChats ?? true;
}

/**
 * "New chat" is offered unless the study allows one conversation and the participant has
 * already written in one (a message being sent counts, so the button goes as soon as they send).
 */
export function mayStartNewChat(state: Pick<AppState, 'study' | 'activeChatId' | 'pending'>): boolean {
  const study = state.study;
  if (!study || study.permissions.multipleChats) return true;
  if (study.chats.some((c) => c.turnsUsed > 0)) return false;
  return !(state.activeChatId && (state.pending[state.activeChatId]?.length ?? 0) > 0);
}

/**
 * In a one-conversation study, the participant who comes back (the study link opens "/") is taken
 * to the conversation they started instead of an empty one they could not use.
 */
export function chatToResume(study: StudyView | null, activeChatId: string | null): string | null {
  if (!study || study.permissions.multipleChats || activeChatId !== null) return null;
  if (study.state !== 'active' && study.state !== 'finished') return null;
  const used = study.chats.filter((c) => c.turnsUsed > 0);
  return used[used.length - 1]?.chatId ?? null;
}

/**
 * A user message was stored in `chatId` (ack, or a message from another tab): count the turn now,
 * as the server did, so "messages left" and the closing of the last turn show without waiting for
 * a refetch. A chat the study did not list yet was just claimed by the study with this message.
 */
export function withTurnTaken(study: StudyView, chatId: string): StudyView {
  const max = study.limits.maxTurnsPerChat;
  const existing = study.chats.find((c) => c.chatId === chatId);
  const turnsUsed = (existing?.turnsUsed ?? 0) + 1;
  const turns: StudyChatTurns = {
    chatId,
    turnsUsed,
    turnsRemaining: max === null ? null : Math.max(0, max - turnsUsed),
    closed: max !== null && turnsUsed >= max,
  };
  const chats = existing ? study.chats.map((c) => (c.chatId === chatId ? turns : c)) : [...study.chats, turns];
  return { ...study, chats };
}

/** Only http(s) links are offered as the study's redirect: a `javascript:` URL is never a link. */
export function safeHttpUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}
