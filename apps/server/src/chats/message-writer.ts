import { randomUUID } from 'node:crypto';
import type { Prisma } from '../db/database.ts';
import type { Message } from '@parley/protocol';
import type { Message as MessageRow } from '../db/generated/sqlite/client.ts';
import { notFound } from '../http/app-error.ts';
import type { WritePathObserver } from '../metrics/server-metrics.ts';
import type { ChatOwners } from './chat-owners.ts';
import { GroupCommit, type Pending } from './group-commit.ts';
import { DEFAULT_CHAT_TITLE, titleFromFirstMessage } from './message-content.ts';
import { findStored, insertUserMessages, readChats, reservePositions, type NewUserMessage } from './message-sql.ts';
import { toChat, toMessage } from './serialize.ts';
import type { PostedMessage, PostUserMessage } from './chat-service.ts';

/** Large enough to absorb a burst, small enough that one transaction stays short (a few ms). */
const MAX_BATCH = 256;

type Transaction = Parameters<Parameters<Prisma['$transaction']>[0]>[0];

const keyOf = (chatId: string, clientMsgId: string) => `${chatId}\u0000${clientMsgId}`;

/** The row the batch insert wrote, as the model API would read it back (a new column fails to compile here). */
const asStoredRow = (row: NewUserMessage): MessageRow => ({
  ...row,
  role: 'user',
  status: 'complete',
  updatedAt: row.createdAt,
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
 * retried alone, so one bad message fails only itself.
 *
 * Plain Prisma model calls only (no engine-specific SQL), so the same code runs on PostgreSQL, where the
 * chat rows' update locks keep another instance's writes from interleaving with a batch.
 */
export function createMessageWriter(prisma: Prisma, owners: ChatOwners, observer?: WritePathObserver) {
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
    let results: PostedMessage[];
    try {
      results = await timed(owned.length, () => prisma.$transaction((tx) => writeBatch(tx, owned.map((p) => p.item))));
    } catch {
      for (const pending of owned) await writeOne(pending.item).then(pending.resolve, pending.reject);
      return;
    }
    owned.forEach((pending, i) => pending.resolve(results[i]!));
    const stored = results.filter((r) => !r.duplicate).length;
    if (stored > 0) observer?.stored(stored);
  }, MAX_BATCH);

  /** One transaction for many messages: a handful of statements whatever the batch size. */
  async function writeBatch(tx: Transaction, inputs: PostUserMessage[]): Promise<PostedMessage[]> {
    const now = new Date();
    const chatIds = [...new Set(inputs.map((i) => i.chatId))];
    // Resends are rare: find which are stored (ids only), then read just those rows in full.
    const found = await findStored(tx, chatIds, [...new Set(inputs.map((i) => i.clientMsgId))]);
    const wanted = new Set(inputs.map((i) => keyOf(i.chatId, i.clientMsgId)));
    const storedIds = found.filter((f) => wanted.has(keyOf(f.chatId, f.clientMsgId))).map((f) => f.id);
    const stored = new Map<string, Message>();
    if (storedIds.length > 0) {
      for (const row of await tx.message.findMany({ where: { id: { in: storedIds } } })) stored.set(keyOf(row.chatId, row.clientMsgId!), toMessage(row));
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

    // Reserve positions: one update per distinct count of new messages (usually one or two statements).
    // On PostgreSQL the update also locks the chat rows until commit, so positions cannot interleave.
    const chatsByCount = new Map<number, string[]>();
    for (const [chatId, list] of newPerChat) {
      const ids = chatsByCount.get(list.length) ?? [];
      ids.push(chatId);
      chatsByCount.set(list.length, ids);
    }
    for (const [count, ids] of chatsByCount) await reservePositions(tx, ids, count, now);
    const counters = new Map((await readChats(tx, chatIds)).map((c) => [c.id, c]));
    if (counters.size !== chatIds.length) throw new Error('a chat of the batch no longer exists'); // retried one by one

    const rows: NewUserMessage[] = [];
    for (const [chatId, list] of newPerChat) {
      const chat = counters.get(chatId)!;
      const firstPosition = chat.messageCount - list.length + 1;
      // A chat's first message names it, unless it was renamed while empty.
      if (firstPosition === 1 && chat.title === DEFAULT_CHAT_TITLE) {
        chat.title = titleFromFirstMessage(list[0]!.content);
        await tx.chat.update({ where: { id: chatId }, data: { title: chat.title } });
      }
      list.forEach((input, i) =>
        rows.push({ id: randomUUID(), chatId, position: firstPosition + i, content: input.content, clientMsgId: input.clientMsgId, createdAt: now }),
      );
    }
    if (rows.length > 0) await insertUserMessages(tx, rows);
    for (const row of rows) stored.set(keyOf(row.chatId, row.clientMsgId), toMessage(asStoredRow(row)));

    const chats = new Map([...counters.values()].map((c) => [c.id, toChat(c)]));
    return inputs.map((input) => {
      const key = keyOf(input.chatId, input.clientMsgId);
      return { chat: chats.get(input.chatId)!, message: stored.get(key)!, duplicate: fresh.get(key) !== input };
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
