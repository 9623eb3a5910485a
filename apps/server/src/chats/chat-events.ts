import type { Chat, Message } from '@parley/protocol';

export interface UserMessageStored {
  userId: string;
  chat: Chat;
  message: Message;
  /** The socket that sent it (it gets the ack rather than a copy), if it came over a socket. */
  originConnectionId?: string;
}

type Listener<T> = (event: T) => void;

/**
 * What happened to chats, for the parts that react to it (socket fan-out, the agent).
 * A listener that throws is isolated from the others and from the writer.
 */
export class ChatEvents {
  readonly #messageListeners: Listener<UserMessageStored>[] = [];
  readonly #chatListeners: Listener<{ userId: string; chat: Chat }>[] = [];

  constructor(private readonly onListenerError: (err: unknown) => void) {}

  onUserMessage(fn: Listener<UserMessageStored>): void {
    this.#messageListeners.push(fn);
  }

  onChatUpdated(fn: Listener<{ userId: string; chat: Chat }>): void {
    this.#chatListeners.push(fn);
  }

  userMessageStored(event: UserMessageStored): void {
    this.#emit(this.#messageListeners, event);
  }

  chatUpdated(userId: string, chat: Chat): void {
    this.#emit(this.#chatListeners, { userId, chat });
  }

  #emit<T>(listeners: Listener<T>[], event: T): void {
    for (const fn of listeners) {
      try {
        fn(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}
