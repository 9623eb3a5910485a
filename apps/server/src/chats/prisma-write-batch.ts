import { randomUUID } from 'node:crypto';
import type { Chat, Message } from '@parley/protocol';
import type { Prisma } from '../db/database.ts';
import type { Prisma as PrismaTypes } from '../db/generated/sqlite/client.ts';
import type { WritePathObserver } from '../metrics/server-metrics.ts';
import type { PostUserMessage } from './chat-service.ts';
import { DEFAULT_CHAT_TITLE, titleFromFirstMessage } from './message-content.ts';
import { findStored, insertUserMessages, readChats, reservePositions, titleNewChats, type ChatCounters, type NewUserMessage } from './message-sql.ts';
import { toChat, toMessage } from './serialize.ts';
import { keyOf, timedTransaction, userMessageRow, type WriteBatch } from './write-batch.ts';

/** Chats known to have messages (they never lose them), so their title needs no check. */
const NON_EMPTY_CAPACITY = 50_000;

type PrismaPromise<T> = PrismaTypes.PrismaPromise<T>;

/**
 * The write batch through Prisma, in portable SQL (message-sql.ts): used on PostgreSQL. A read for
 * resends, then one short non-interactive transaction of a few statements whatever the batch size.
 *
 * On PostgreSQL the position update locks the chat rows until commit, so another instance's writes
 * cannot interleave; a resend stored by another instance meanwhile fails the batch on the unique
 * (chat, clientMsgId) index, and the writer's retry one by one answers it as a duplicate.
 */
export function createPrismaWriteBatch(prisma: Prisma, observer?: WritePathObserver): WriteBatch {
  const nonEmpty = new Set<string>();
  const markNonEmpty = (chatId: string) => {
    if (nonEmpty.size >= NON_EMPTY_CAPACITY) nonEmpty.delete(nonEmpty.values().next().value!);
    nonEmpty.add(chatId);
  };

  return async (inputs) => {
    const now = new Date();
    const chatIds = [...new Set(inputs.map((i) => i.chatId))];

    // Resends are rare: find which are stored (ids only), then read just those rows in full. Outside
    // the transaction: one stored meanwhile by another instance fails the insert, and the batch is retried.
    const found = await findStored(prisma, chatIds, [...new Set(inputs.map((i) => i.clientMsgId))]);
    const wanted = new Set(inputs.map((i) => keyOf(i.chatId, i.clientMsgId)));
    const storedIds = found.filter((f) => wanted.has(keyOf(f.chatId, f.clientMsgId))).map((f) => f.id);
    const stored = new Map<string, Message>();
    if (storedIds.length > 0) {
      for (const row of await prisma.message.findMany({ where: { id: { in: storedIds } } })) stored.set(keyOf(row.chatId, row.clientMsgId!), toMessage(row));
    }

    // The first copy of each new (chat, clientMsgId) is written; later copies in the batch are its duplicates.
    const fresh = new Map<string, PostUserMessage>();
    const newPerChat = new Map<string, PostUserMessage[]>();
    for (const input of inputs) {
      const key = keyOf(input.chatId, input.clientMsgId);
      if (stored.has(key) || fresh.has(key)) continue;
      fresh.set(key, input);
      let list = newPerChat.get(input.chatId);
      if (!list) newPerChat.set(input.chatId, (list = []));
      list.push(input);
    }

    // Chats grouped by how many new messages they get: one position update per group (usually one or two).
    const byCount = new Map<number, string[]>();
    for (const [chatId, list] of newPerChat) byCount.set(list.length, [...(byCount.get(list.length) ?? []), chatId]);
    const rows: NewUserMessage[] = [];
    for (const [chatId, list] of newPerChat) {
      list.forEach((input, i) => rows.push({ id: randomUUID(), chatId, fromEnd: list.length - 1 - i, content: input.content, clientMsgId: input.clientMsgId }));
    }
    const statements: PrismaPromise<unknown>[] = [];
    for (const [count, ids] of byCount) {
      statements.push(reservePositions(prisma, ids, count, now));
      // A chat's first message names it (unless it was renamed while empty); chats known to have
      // messages are skipped, so this statement runs only for chats new to this process.
      const maybeEmpty = ids.filter((id) => !nonEmpty.has(id));
      if (maybeEmpty.length > 0) {
        const titles = maybeEmpty.map((chatId) => ({ chatId, title: titleFromFirstMessage(newPerChat.get(chatId)![0]!.content) }));
        statements.push(titleNewChats(prisma, titles, count, DEFAULT_CHAT_TITLE));
      }
    }
    if (rows.length > 0) statements.push(insertUserMessages(prisma, rows));
    // One non-interactive transaction: the statements go to the database back to back, and it commits
    // before any ack is sent (the callers' promises resolve after it).
    const results = await timedTransaction(observer, inputs.length, () => prisma.$transaction([...statements, readChats(prisma, chatIds)]));
    const counters = results[results.length - 1] as ChatCounters[];

    const chats = new Map<string, { chat: Chat; messageCount: number }>(counters.map((c) => [c.id, { chat: toChat(c), messageCount: c.messageCount }]));
    for (const chatId of chatIds) if (chats.has(chatId)) markNonEmpty(chatId);
    for (const row of rows) {
      const chat = chats.get(row.chatId);
      if (!chat) continue;
      const position = chat.messageCount - row.fromEnd;
      stored.set(keyOf(row.chatId, row.clientMsgId), toMessage(userMessageRow({ ...row, position, createdAt: now })));
    }
    return inputs.map((input) => {
      const chat = chats.get(input.chatId);
      const key = keyOf(input.chatId, input.clientMsgId);
      if (!chat) return null;
      return { chat: chat.chat, message: stored.get(key)!, duplicate: fresh.get(key) !== input };
    });
  };
}
