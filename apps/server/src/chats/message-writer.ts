import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.ts';
import { notFound } from '../http/app-error.ts';
import type { WritePathObserver } from '../metrics/server-metrics.ts';
import type { ChatOwners } from './chat-owners.ts';
import type { PostedMessage, PostUserMessage } from './chat-service.ts';
import { GroupCommit, type Pending } from './group-commit.ts';
import { DEFAULT_CHAT_TITLE, titleFromFirstMessage } from './message-content.ts';
import { createPrismaWriteBatch } from './prisma-write-batch.ts';
import { toChat, toMessage } from './serialize.ts';
import { createSqliteWriteBatch } from './sqlite-write-batch.ts';
import { timedTransaction } from './write-batch.ts';

/** Large enough to absorb a burst, small enough that one transaction stays short (a few ms). */
const MAX_BATCH = 256;
/** How long a batch stays open under sustained traffic (see group-commit.ts for the measurement). */
const BATCH_WINDOW_MS = 2;

/**
 * Stores participants' messages with group commit (see group-commit.ts and docs/performance.md):
 * messages that arrive together share one short transaction, and each caller's promise resolves only
 * after that transaction committed, so an ack can never precede its row.
 *
 * Per message: the chat's owner is checked (from ChatOwners), a repeated clientMsgId in the
 * chat returns the stored message and writes nothing (also when both copies are in one batch), and
 * positions follow arrival order within each chat. If a batch fails as a whole, each of its messages is
 * retried alone in its own transaction, so one bad message fails only itself.
 *
 * The batch itself is written by one of two implementations with the same contract (write-batch.ts):
 * on SQLite synchronously on Prisma's own connection with prepared statements (sqlite-write-batch.ts),
 * on PostgreSQL in portable SQL through Prisma (prisma-write-batch.ts). Both are tested by the same
 * tests, which run on both engines.
 */
export function createMessageWriter(database: Pick<Database, 'prisma' | 'sqlite'>, owners: ChatOwners, observer?: WritePathObserver) {
  const { prisma } = database;
  const writeBatch = database.sqlite ? createSqliteWriteBatch(database.sqlite, observer) : createPrismaWriteBatch(prisma, observer);

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
      if (result) return pending.resolve(result);
      owners.forget(pending.item.chatId); // deleted outside Parley: nothing was written for it
      pending.reject(notFound('Chat'));
    });
    const stored = results.filter((r) => r && !r.duplicate).length;
    if (stored > 0) observer?.stored(stored);
  }, { maxBatch: MAX_BATCH, windowMs: BATCH_WINDOW_MS });

  /** The message already stored under this (chat, clientMsgId) in the user's own chat, as a duplicate; null if none. */
  async function findStored(input: PostUserMessage): Promise<PostedMessage | null> {
    const row = await prisma.message.findUnique({
      where: { chatId_clientMsgId: { chatId: input.chatId, clientMsgId: input.clientMsgId } },
      include: { chat: true },
    });
    if (!row || row.chat.userId !== input.userId) return null;
    return { chat: toChat(row.chat), message: toMessage(row), duplicate: true };
  }

  /** One message in its own transaction: the fallback when a batch fails as a whole. */
  async function writeOne(input: PostUserMessage): Promise<PostedMessage> {
    const posted = await timedTransaction(observer, 1, () =>
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
      const existing = await findStored(input);
      if (!existing) throw err;
      return existing;
    });
    if (!posted.duplicate) observer?.stored(1);
    return posted;
  }

  return {
    /** Resolves once the message is committed (or found already stored); rejects with not_found for a chat the user does not own. */
    write: (input: PostUserMessage): Promise<PostedMessage> => commits.submit(input),
    findStored,
  };
}

export type MessageWriter = ReturnType<typeof createMessageWriter>;
