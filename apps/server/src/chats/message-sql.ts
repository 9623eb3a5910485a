import type { Prisma } from '../db/database.ts';
import { Prisma as Sql } from '../db/generated/sqlite/client.ts';

/**
 * The statements of the write batch through Prisma (prisma-write-batch.ts, used on PostgreSQL; SQLite
 * runs its own synchronous batch, sqlite-write-batch.ts), in raw SQL.
 *
 * Why raw: profiled under load, Prisma's model API spent most of the server's CPU per message even
 * with batching, building and decoding every row in JavaScript and compiling a new query plan
 * (WebAssembly) for every batch size; and inside an interactive transaction each statement cost about
 * 100 µs of Prisma's machinery (docs/performance.md). These statements cost one placeholder per value,
 * and all but the first run as one non-interactive `$transaction([...])`.
 *
 * Portable: plain SQL (IN lists, CASE, INSERT … SELECT … UNION ALL, the quoted identifiers Prisma
 * creates) with placeholders from Prisma.sql, so the same text would run on SQLite too. Dates are
 * written as Date and stored exactly as the model API stores them.
 */

type Runner = Pick<Prisma, '$queryRaw' | '$executeRaw'>;

export interface ChatCounters {
  id: string;
  messageCount: number;
  title: string;
  createdAt: Date;
  lastUserMessageAt: Date | null;
}

/** A user message to insert; its position is the chat's message count (after reserving) minus `fromEnd`. */
export interface NewUserMessage {
  id: string;
  chatId: string;
  fromEnd: number;
  content: string;
  clientMsgId: string;
}

/** (chat, clientMsgId) pairs among these that are already stored, with their message ids. */
export function findStored(db: Runner, chatIds: string[], clientMsgIds: string[]) {
  return db.$queryRaw<{ id: string; chatId: string; clientMsgId: string }[]>`
    SELECT "id", "chatId", "clientMsgId" FROM "Message"
    WHERE "chatId" IN (${Sql.join(chatIds)}) AND "clientMsgId" IN (${Sql.join(clientMsgIds)})`;
}

/** Reserves `count` positions in each chat and records the user activity at `at`. */
export function reservePositions(db: Runner, chatIds: string[], count: number, at: Date) {
  return db.$executeRaw`
    UPDATE "Chat" SET "messageCount" = "messageCount" + ${count}, "lastUserMessageAt" = ${at}
    WHERE "id" IN (${Sql.join(chatIds)})`;
}

/**
 * Names chats by their first message: only those that were empty before this batch reserved `count`
 * positions (their count is now exactly `count`) and still carry the default title.
 */
export function titleNewChats(db: Runner, titles: { chatId: string; title: string }[], count: number, defaultTitle: string) {
  const cases = titles.map((t) => Sql.sql`WHEN ${t.chatId} THEN ${t.title}`);
  return db.$executeRaw`
    UPDATE "Chat" SET "title" = CASE "id" ${Sql.join(cases, ' ')} ELSE "title" END
    WHERE "id" IN (${Sql.join(titles.map((t) => t.chatId))}) AND "messageCount" = ${count} AND "title" = ${defaultTitle}`;
}

/**
 * Inserts user messages at the positions just reserved, computed from each chat's count in the same
 * statement, and timestamped with the chat's new activity time (the batch's time, correctly typed on
 * every engine without a cast).
 */
export function insertUserMessages(db: Runner, rows: NewUserMessage[]) {
  const selects = rows.map(
    (r) => Sql.sql`SELECT ${r.id}, c."id", c."messageCount" - ${r.fromEnd}, 'user', ${r.content}, 'complete', ${r.clientMsgId}, c."lastUserMessageAt", c."lastUserMessageAt"
      FROM "Chat" c WHERE c."id" = ${r.chatId}`,
  );
  return db.$executeRaw`
    INSERT INTO "Message" ("id", "chatId", "position", "role", "content", "status", "clientMsgId", "createdAt", "updatedAt")
    ${Sql.join(selects, ' UNION ALL ')}`;
}

/** What the acks need of the batch's chats: their counts and the fields of the wire shape. */
export function readChats(db: Runner, chatIds: string[]) {
  return db.$queryRaw<ChatCounters[]>`
    SELECT "id", "messageCount", "title", "createdAt", "lastUserMessageAt" FROM "Chat"
    WHERE "id" IN (${Sql.join(chatIds)})`;
}
