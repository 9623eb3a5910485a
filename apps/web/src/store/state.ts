import type { Chat, Message, PublicConfig, StudyView, User } from '@parley/protocol';
import type { ConnectionState } from '../connection/connection.ts';

export type AuthState =
  /** Checking the session cookie at start-up. */
  | { status: 'unknown' }
  | { status: 'anonymous' }
  | { status: 'authenticated'; user: User };

/** The part of one chat's history this tab has loaded: the newest pages, oldest message first. */
export interface ChatHistory {
  messages: Message[];
  /** Cursor for the next older page; null once the first message is loaded. */
  nextCursor: string | null;
  loading: 'initial' | 'older' | null;
  error: string | null;
}

/** The reply the agent is generating in one chat, assembled from numbered deltas. */
export interface LiveReply {
  messageId: string;
  /** seq of the last delta folded into `text`; -1 before the first. */
  seq: number;
  text: string;
  /** A gap was seen and `resume` sent; cleared by the snapshot that answers it. */
  resumeRequested: boolean;
}

/** A user message sent but not (yet) acknowledged by the server. */
export interface PendingMessage {
  clientMsgId: string;
  chatId: string;
  content: string;
  createdAt: string;
  state: 'sending' | 'failed';
  error: string | null;
}

export interface AppState {
  auth: AuthState;
  config: PublicConfig | null;
  /** Every chat this tab knows, by id, including the open chat while it is still empty. */
  chats: Record<string, Chat>;
  /** Ids of the chats the sidebar lists: never empty chats, latest user message first. */
  sidebarOrder: string[];
  chatsLoaded: boolean;
  /** The chat on screen; null for a new chat that has not been created yet. */
  activeChatId: string | null;
  histories: Record<string, ChatHistory>;
  /** By chat id: frames of every chat arrive on every tab, so everything is keyed by chat. */
  replies: Record<string, LiveReply>;
  /** By assistant message id: what the agent's failure means, for the participant. */
  replyErrors: Record<string, string>;
  /** By chat id, in send order. */
  pending: Record<string, PendingMessage[]>;
  connection: ConnectionState;
  /** A passing problem to show (rename failed, chat not found…); null when there is none. */
  notice: string | null;
  /** The participant's study as the server last described it; null when the server runs none. */
  study: StudyView | null;
  /** Whether `study` is known yet for this session; the chat is shown only once it is (store/study.ts). */
  studyLoad: 'loading' | 'ready' | 'failed';
}

export function initialState(): AppState {
  return {
    auth: { status: 'unknown' },
    config: null,
    chats: {},
    sidebarOrder: [],
    chatsLoaded: false,
    activeChatId: null,
    histories: {},
    replies: {},
    replyErrors: {},
    pending: {},
    connection: { status: 'idle' },
    notice: null,
    study: null,
    studyLoad: 'loading',
  };
}
