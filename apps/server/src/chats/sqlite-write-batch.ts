import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';
import type { Message as MessageRow } from '../db/generated/sqlite/client.ts';
import type { WritePathObserver } from '../metrics/server-metrics.ts';
import type { PostedMessage, PostUserMessage } from './chat-service.ts';
import { DEFAULT_CHAT_TITLE, titleFromFirstMessage } from './message-content.ts';
import { toChat, toMessage } from './serialize.ts';
import { keyOf, timedTransaction, userMessageRow, type WriteBatch } from './write-batch.ts';

/** DateTime as Prisma's SQLite adapter writes it (ISO 8601, UTC offset spelled out). */
const toSqliteTime = (date: Date) => date.toISOString().replace('Z', '+00:00');
/** …and as it may be read back: Prisma's format, or SQLite's CURRENT_TIMESTAMP ("YYYY-MM-DD HH:MM:SS", UTC). */
const fromSqliteTime = (value: string) => new Date(value.includes('T') ? value : `${value.replace(' ', 'T')}Z`);

interface ChatState {
  id: string;
  title: string;
  createdAt: string;
  lastUserMessageAt: string | null;
  messageCount: number;
  changed: boolean;
}

/** The batch's statements, in the order it runs them per message (also replayed by scripts/bench/sqlite-write-cost.ts). */
export const SQLITE_BATCH_SQL = {
  readChat: 'SELECT "id", "title", "createdAt", "lastUserMessageAt", "messageCount" FROM "Chat" WHERE "id" = ?',
  findStored: 'SELECT * FROM "Message" WHERE "chatId" = ? AND "clientMsgId" = ?',
  insert: `INSERT INTO "Message" ("id", "chatId", "position", "role", "content", "status", "clientMsgId", "createdAt", "updatedAt")
     VALUES (?, ?, ?, 'user', ?, 'complete', ?, ?, ?)`,
  updateChat: 'UPDATE "Chat" SET "messageCount" = ?, "lastUserMessageAt" = ?, "title" = ? WHERE "id" = ?',
} as const;

type StoredRow = Omit<MessageRow, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };

function prepare(db: BetterSqlite3.Database) {
  // Numbers as numbers: the adapter turns safe integers on for the whole connection.
  const chat = db.prepare<[string], ChatState>(SQLITE_BATCH_SQL.readChat).safeIntegers(false);
  const stored = db.prepare<[string, string], StoredRow>(SQLITE_BATCH_SQL.findStored).safeIntegers(false);
  const insert = db.prepare<[string, string, number, string, string, string, string]>(SQLITE_BATCH_SQL.insert);
  const update = db.prepare<[number, string, string, string]>(SQLITE_BATCH_SQL.updateChat);

  /** Runs inside BEGIN IMMEDIATE … COMMIT; a throw rolls the whole batch back. */
  const write = db.transaction((inputs: PostUserMessage[], now: Date): (PostedMessage | null)[] => {
    const at = toSqliteTime(now);
    const chats = new Map<string, ChatState | undefined>();
    const firstCopies = new Map<string, MessageRow>();
    const outcomes = inputs.map((input) => {
      if (!chats.has(input.chatId)) chats.set(input.chatId, chat.get(input.chatId));
      const state = chats.get(input.chatId);
      if (!state) return null;
      const key = keyOf(input.chatId, input.clientMsgId);
      const earlier = firstCopies.get(key);
      if (earlier) return { row: earlier, duplicate: true };
      const existing = stored.get(input.chatId, input.clientMsgId);
      if (existing) {
        const row = { ...existing, createdAt: fromSqliteTime(existing.createdAt), updatedAt: fromSqliteTime(existing.updatedAt) };
        firstCopies.set(key, row);
        return { row, duplicate: true };
      }
      state.messageCount += 1;
      // A chat's first message names it, unless it was renamed while still empty.
      if (state.messageCount === 1 && state.title === DEFAULT_CHAT_TITLE) state.title = titleFromFirstMessage(input.content);
      state.lastUserMessageAt = at;
      state.changed = true;
      const row = userMessageRow({ id: randomUUID(), chatId: input.chatId, position: state.messageCount, content: input.content, clientMsgId: input.clientMsgId, createdAt: now });
      insert.run(row.id, row.chatId, row.position, row.content, input.clientMsgId, at, at);
      firstCopies.set(key, row);
      return { row, duplicate: false };
    });
    for (const state of chats.values()) {
      if (state?.changed) update.run(state.messageCount, at, state.title, state.id);
    }
    const wireChats = new Map([...chats.values()].filter((s) => s !== undefined).map((s) => [s.id, toChat({ ...s, createdAt: fromSqliteTime(s.createdAt), lastUserMessageAt: s.lastUserMessageAt === null ? null : fromSqliteTime(s.lastUserMessageAt) })]));
    return outcomes.map((outcome, i) => outcome && { chat: wireChats.get(inputs[i]!.chatId)!, message: toMessage(outcome.row), duplicate: outcome.duplicate });
  });
  return { db, write: (inputs: PostUserMessage[], now: Date) => write.immediate(inputs, now) };
}

/**
 * The write batch on SQLite, run synchronously on the connection Prisma itself uses, with prepared
 * statements. Measured under load, Prisma's machinery cost about 120 µs per message even for raw SQL
 * in batches (a statement is prepared anew on every call, and each costs 50–100 µs of its client);
 * SQLite's own work is about 50 µs (docs/performance.md).
 *
 * Why this is safe beside Prisma: the transaction begins and commits within one turn of the event
 * loop, so none of Prisma's statements can run inside it, and it never waits for a lock held in this
 * process. Only a transaction of Prisma's left open across turns (an interactive one) is in the way:
 * then the batch waits for it to end first. Because the batch reads each chat's count and each
 * clientMsgId inside BEGIN IMMEDIATE, positions and resends are decided under the write lock.
 */
export function createSqliteWriteBatch(connection: () => BetterSqlite3.Database, observer?: WritePathObserver): WriteBatch {
  let statements: ReturnType<typeof prepare> | null = null;
  return async (inputs) => {
    let db = connection();
    while (db.inTransaction) {
      await nextTurn();
      db = connection();
    }
    if (statements?.db !== db) statements = prepare(db);
    const { write } = statements;
    return timedTransaction(observer, inputs.length, () => write(inputs, new Date()));
  };
}
