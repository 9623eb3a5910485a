import type { Prisma } from '../db/database.ts';
import { Prisma as Sql } from '../db/generated/sqlite/client.ts';

/**
 * The write path's three statements that run for every batch, in raw SQL through Prisma.
 *
 * Why raw: profiled under load, Prisma's model API spent most of the server's CPU per message
 * even with batching: building and decoding every row in JavaScript, and compiling a new query
 * plan (WebAssembly) for every batch size, since a plan's shape depends on the number of rows
 * (docs/performance.md). These statements cost one placeholder per value instead.
 *
 * Portable: plain SQL-92 (IN lists, multi-row VALUES, quoted identifiers as Prisma creates them)
 * with placeholders from Prisma.sql, so the same text runs on SQLite and PostgreSQL; the tests run
 * on both. Dates are passed as Date and stored exactly as the model API stores them.
 */

type Runner = Pick<Prisma, '$queryRaw' | '$executeRaw'>;

export interface ChatCounters {
  id: string;
  messageCount: number;
  title: string;
  createdAt: Date;
  lastUserMessageAt: Date | null;
}

export interface NewUserMessage {
  id: string;
  chatId: string;
  position: number;
  content: string;
  clientMsgId: string;
  createdAt: Date;
}

/** (chat, clientMsgId) pairs among these that are already stored, with their message ids. */
export function findStored(db: Runner, chatIds: string[], clientMsgIds: string[]) {
  return db.$queryRaw<{ id: string; chatId: string; clientMsgId: string }[]>`
    SELECT "id", "chatId", "clientMsgId" FROM "Message"
    WHERE "chatId" IN (${Sql.join(chatIds)}) AND "clientMsgId" IN (${Sql.join(clientMsgIds)})`;
}

/** Reserves `count` positions in each chat (and records the user activity). */
export function reservePositions(db: Runner, chatIds: string[], count: number, at: Date) {
  return db.$executeRaw`
    UPDATE "Chat" SET "messageCount" = "messageCount" + ${count}, "lastUserMessageAt" = ${at}
    WHERE "id" IN (${Sql.join(chatIds)})`;
}

/** What a batch needs of its chats after reserving: the new counts, and the fields of the wire shape. */
export function readChats(db: Runner, chatIds: string[]) {
  return db.$queryRaw<ChatCounters[]>`
    SELECT "id", "messageCount", "title", "createdAt", "lastUserMessageAt" FROM "Chat"
    WHERE "id" IN (${Sql.join(chatIds)})`;
}

export function insertUserMessages(db: Runner, rows: NewUserMessage[]) {
  const values = rows.map(
    (r) => Sql.sql`(${r.id}, ${r.chatId}, ${r.position}, ${'user'}, ${r.content}, ${'complete'}, ${r.clientMsgId}, ${r.createdAt}, ${r.createdAt})`,
  );
  return db.$executeRaw`
    INSERT INTO "Message" ("id", "chatId", "position", "role", "content", "status", "clientMsgId", "createdAt", "updatedAt")
    VALUES ${Sql.join(values)}`;
}
