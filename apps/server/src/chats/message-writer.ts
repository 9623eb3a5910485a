import { randomUUID } from 'node:crypto';
import type { Chat, Message } from '@parley/protocol';
import type { Prisma } from '../db/database.ts';
import type { Message as MessageRow, Prisma as PrismaTypes } from '../db/generated/sqlite/client.ts';
import { notFound } from '../http/app-error.ts';
import type { WritePathObserver } from '../metrics/server-metrics.ts';
import type { ChatOwners } from './chat-owners.ts';
import type { PostedMessage, PostUserMessage } from './chat-service.ts';
import { GroupCommit, type Pending } from './group-commit.ts';
import { DEFAULT_CHAT_TITLE, titleFromFirstMessage } from './message-content.ts';
import { findStored, insertUserMessages, readChats, reservePositions, titleNewChats, type ChatCounters, type NewUserMessage } from './message-sql.ts';
import { toChat, toMessage } from './serialize.ts';

/** Large enough to absorb a burst, small enough that one transaction stays short (a few ms). */
const MAX_BATCH = 256;
/** How long a batch stays open under sustained traffic (see group-commit.ts for the measurement). */
const BATCH_WINDOW_MS = 2;
/** Chats known to have messages (they never lose them), so their title needs no check. */
const NON_EMPTY_CAPACITY = 50_000;

type PrismaPromise<T> = PrismaTypes.PrismaPromise<T>;

const keyOf = (chatId: string, clientMsgId: string) => `${chatId}\u0000${clientMsgId}`;

/** A user message as the model API would read it back (a new column fails to compile here). */
const userMessageRow = (m: { id: string; chatId: string; position: number; content: string; clientMsgId: string; createdAt: Date }): MessageRow => ({
  ...m,
  role: 'user',
  status: 'complete',
  updatedAt: m.createdAt,
  replyToId: null,
  provider: null,
  model: null,
  settings: null,
  firstTokenMs: null,
  durationMs: null,
  inputTokens: null,
  outputTokens: null,
  errorCode: null,
  condition: null,
});

/**
 * Stores participants' messages with group commit (see group-commit.ts and docs/performance.md):
 * messages that arrive together share one short transaction, and each caller's promise resolves only
 * after that transaction committed, so an ack can never precede its row.
 *
 * Per message, as before: the chat's owner is checked (from ChatOwners), a repeated clientMsgId in the
 * chat returns the stored message and writes nothing (also when both copies are in one batch), and
 * positions follow arrival order within each chat. If a batch fails as a whole, each of its messages is
 * retried alone in its own transaction, so one bad message fails only itself.
 *
 * The batch's statements are portable SQL (message-sql.ts) and run on SQLite and PostgreSQL. On
 * PostgreSQL the position update locks the chat rows until commit, so another instance's writes
 * cannot interleave; a resend stored by another instance meanwhile fails the batch on the unique
 * (chat, clientMsgId) index, and the retry one by one answers it as a duplicate.
 */
export function createMessageWriter(prisma: Prisma, owners: ChatOwners, observer?: WritePathObserver) {
  const nonEmpty = new Set<string>();
  const markNonEmpty = (chatId: string) => {
    if (nonEmpty.size >= NON_EMPTY_CAPACITY) nonEmpty.delete(nonEmpty.values().next().value!);
    nonEmpty.add(chatId);
  };

  const timed = async <T>(messages: number, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      const result = await work();
      observer?.transaction((performance.now() - started) / 1000, messages, 'committed');
      return result;
    } catch (err) {
      observer?.transaction((performance.now() - started) / 1000, messages, 'failed');
      throw err;
    }
  };

  const commits = new GroupCommit<PostUserMessage, PostedMessage>(async (batch) => {
    let chatOwners: Map<string, string | null>;
    try {
      chatOwners = await owners.lookup(batch.map((p) => p.item.chatId));
    } catch (err) {
      for (const pending of batch) pending.reject(err);
      return;
    }
    const owned: Pending<PostUserMessage, PostedMessage>[] = [];
    for (const pending of batch) {
      // Another user's chat is indistinguishable from a missing one.
      if (chatOwners.get(pending.item.chatId) === pending.item.userId) owned.push(pending);
      else pending.reject(notFound('Chat'));
    }
    if (owned.length === 0) return;
    let results: (PostedMessage | null)[];
    try {
      results = await writeBatch(owned.map((p) => p.item));
    } catch {
      for (const pending of owned) await writeOne(pending.item).then(pending.resolve, pending.reject);
      return;
    }
    owned.forEach((pending, i) => {
      const result = results[i];
      if (result) pending.resolve(result);
      else pending.reject(notFound('Chat'));
    });
    const stored = results.filter((r) => r && !r.duplicate).length;
    if (stored > 0) observer?.stored(stored);
  }, { maxBatch: MAX_BATCH, windowMs: BATCH_WINDOW_MS });

  /**
   * One batch: a read for resends, then one short transaction of a few statements whatever the batch
   * size. Null for a message whose chat turned out not to exist.
   */
  async function writeBatch(inputs: PostUserMessage[]): Promise<(PostedMessage | null)[]> {
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
    const results = await timed(inputs.length, () => prisma.$transaction([...statements, readChats(prisma, chatIds)]));
    const counters = results[results.length - 1] as ChatCounters[];

    const chats = new Map<string, { chat: Chat; messageCount: number }>(counters.map((c) => [c.id, { chat: toChat(c), messageCount: c.messageCount }]));
    for (const chatId of chatIds) {
      if (chats.has(chatId)) markNonEmpty(chatId);
      else owners.forget(chatId); // deleted outside Parley: nothing was written for it
    }
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
  }

  /** One message in its own transaction: the fallback when a batch fails as a whole. */
  async function writeOne(input: PostUserMessage): Promise<PostedMessage> {
    const posted = await timed(1, () =>
      prisma.$transaction(async (tx) => {
        const chat = await tx.chat.findFirst({ where: { id: input.chatId, userId: input.userId } });
        if (!chat) throw notFound('Chat');
        const existing = await tx.message.findUnique({ where: { chatId_clientMsgId: { chatId: input.chatId, clientMsgId: input.clientMsgId } } });
        if (existing) return { chat: toChat(chat), message: toMessage(existing), duplicate: true };
        const now = new Date();
        const updated = await tx.chat.update({
          where: { id: chat.id },
          data: {
            messageCount: { increment: 1 },
            lastUserMessageAt: now,
            ...(chat.messageCount === 0 && chat.title === DEFAULT_CHAT_TITLE ? { title: titleFromFirstMessage(input.content) } : {}),
          },
        });
        const row = await tx.message.create({
          data: { id: randomUUID(), chatId: chat.id, position: updated.messageCount, role: 'user', content: input.content, status: 'complete', clientMsgId: input.clientMsgId, createdAt: now },
        });
        return { chat: toChat(updated), message: toMessage(row), duplicate: false };
      }),
    ).catch(async (err: unknown) => {
      // The same clientMsgId stored meanwhile by another request or instance: the loser finds the winner's row.
      if ((err as { code?: string }).code !== 'P2002') throw err;
      const existing = await prisma.message.findUnique({
        where: { chatId_clientMsgId: { chatId: input.chatId, clientMsgId: input.clientMsgId } },
        include: { chat: true },
      });
      if (!existing) throw err;
      return { chat: toChat(existing.chat), message: toMessage(existing), duplicate: true };
    });
    if (!posted.duplicate) observer?.stored(1);
    return posted;
  }

  return {
    /** Resolves once the message is committed (or found already stored); rejects with not_found for a chat the user does not own. */
    write: (input: PostUserMessage): Promise<PostedMessage> => commits.submit(input),
  };
}

export type MessageWriter = ReturnType<typeof createMessageWriter>;
