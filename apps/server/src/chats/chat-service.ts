import { randomUUID } from 'node:crypto';
import { PAGE_SIZE_DEFAULT, type Chat, type Message } from '@parley/protocol';
import type { Database } from '../db/database.ts';
import { AppError, notFound } from '../http/app-error.ts';
import type { WritePathObserver } from '../metrics/server-metrics.ts';
import type { ChatEvents } from './chat-events.ts';
import { ChatOwners } from './chat-owners.ts';
import { checkMessageContent, DEFAULT_CHAT_TITLE } from './message-content.ts';
import { createMessageWriter } from './message-writer.ts';
import type { SendLimit } from './send-limit.ts';
import { toChat, toMessage } from './serialize.ts';

export interface PostUserMessage {
  userId: string;
  chatId: string;
  clientMsgId: string;
  content: string;
  originConnectionId?: string;
}

export interface PostedMessage {
  chat: Chat;
  message: Message;
  duplicate: boolean;
}

export interface ChatPage {
  chat: Chat;
  messages: Message[];
  nextCursor: string | null;
}

/** Another user's chat is answered exactly like a missing one. */
const chatNotFound = () => notFound('Chat');

export interface ChatServiceOptions {
  observer?: WritePathObserver;
  /** Refuses a user's message when they send too many; checked before anything is stored. */
  sendLimit?: SendLimit;
}

export function createChatService(database: Pick<Database, 'prisma' | 'sqlite'>, events: ChatEvents, options: ChatServiceOptions = {}) {
  const { observer, sendLimit } = options;
  const { prisma } = database;
  const owners = new ChatOwners(prisma);
  const writer = createMessageWriter(database, owners, observer);

  async function ownedChat(userId: string, chatId: string) {
    const chat = await prisma.chat.findFirst({ where: { id: chatId, userId } });
    // Another user's chat is indistinguishable from a missing one.
    if (!chat) throw chatNotFound();
    return chat;
  }

  return {
    /** The user's chats with at least one message, latest user activity first. */
    async listChats(userId: string): Promise<Chat[]> {
      const rows = await prisma.chat.findMany({
        where: { userId, lastUserMessageAt: { not: null } },
        orderBy: [{ lastUserMessageAt: 'desc' }, { id: 'desc' }],
        select: { id: true, title: true, createdAt: true, lastUserMessageAt: true },
      });
      return rows.map(toChat);
    },

    /** A new chat, unless the user already has an empty one: then that one (no phantom chats). */
    async createChat(userId: string): Promise<{ chat: Chat; created: boolean }> {
      return prisma.$transaction(async (tx) => {
        const empty = await tx.chat.findFirst({
          where: { userId, messageCount: 0 },
          orderBy: { createdAt: 'desc' },
        });
        if (empty) return { chat: toChat(empty), created: false };
        const row = await tx.chat.create({ data: { id: randomUUID(), userId, title: DEFAULT_CHAT_TITLE } });
        owners.remember(row.id, userId);
        return { chat: toChat(row), created: true };
      });
    },

    async ownsChat(userId: string, chatId: string): Promise<boolean> {
      return owners.owns(userId, chatId);
    },

    /** The newest `limit` messages before the cursor (a message position), oldest first. */
    async getChatPage(userId: string, chatId: string, page: { limit?: number; before?: string }): Promise<ChatPage> {
      const chat = await ownedChat(userId, chatId);
      const limit = page.limit ?? PAGE_SIZE_DEFAULT;
      let before: number | undefined;
      if (page.before !== undefined) {
        before = Number(page.before);
        if (!Number.isSafeInteger(before) || before < 1) throw new AppError('validation_failed', 'before: not a cursor from this API.');
      }
      const rows = await prisma.message.findMany({
        where: { chatId, ...(before !== undefined ? { position: { lt: before } } : {}) },
        orderBy: { position: 'desc' },
        take: limit,
      });
      rows.reverse();
      const oldest = rows[0];
      return {
        chat: toChat(chat),
        messages: rows.map(toMessage),
        nextCursor: oldest && oldest.position > 1 ? String(oldest.position) : null,
      };
    },

    async renameChat(userId: string, chatId: string, title: string): Promise<Chat> {
      await ownedChat(userId, chatId);
      const row = await prisma.chat.update({ where: { id: chatId }, data: { title } });
      const chat = toChat(row);
      events.chatUpdated(userId, chat);
      return chat;
    },

    /**
     * Stores a participant's message: ownership check, idempotency by clientMsgId, insert, chat activity
     * update, in a transaction it may share with messages that arrived at the same time (message-writer.ts).
     * Resolves only after the commit, so an ack can never precede the row.
     */
    async postUserMessage(input: PostUserMessage): Promise<PostedMessage> {
      checkMessageContent(input.content);
      try {
        await sendLimit?.take(input.userId);
      } catch (refusal) {
        // A resend of a message already stored (after a reconnect) is answered as the duplicate it is.
        const stored = await writer.findStored(input);
        if (stored) return stored;
        throw refusal;
      }
      const result = await writer.write(input).catch((err: unknown) => {
        sendLimit?.giveBack(input.userId); // nothing was stored: the retry must not cost twice
        throw err;
      });
      if (!result.duplicate) {
        events.userMessageStored({
          userId: input.userId,
          chat: result.chat,
          message: result.message,
          originConnectionId: input.originConnectionId,
        });
      }
      return result;
    },
  };
}

export type ChatService = ReturnType<typeof createChatService>;
