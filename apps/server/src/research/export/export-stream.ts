import { EXPORT_CSV_COLUMNS, type ExportConversationRecord, type ExportCsvColumn } from '@parley/protocol';
import type { Prisma } from '../../db/database.ts';
import { csvRow } from './csv.ts';
import type { Pseudonymizer } from './pseudonymize.ts';
import { loadConversationRecords, participantRecord, type ChatWithOwner, type ParticipantWithUser } from './records.ts';

export interface ExportFilters {
  study?: string;
  condition?: string;
  /** Conversations started (participants enrolled) at or after this time. */
  from?: Date;
  /** ... and before this time. */
  to?: Date;
}

/** Where the export goes; `write` resolves once the chunk may be followed by more (backpressure). */
export interface ExportSink {
  write(chunk: string): Promise<void>;
}

export interface ExportOptions {
  format: 'jsonl' | 'csv';
  filters: ExportFilters;
  pseudo: Pseudonymizer;
  /** Conversations (or participants) read per query. */
  pageSize?: number;
}

export interface ExportCounts {
  participants: number;
  conversations: number;
  messages: number;
}

const DEFAULT_PAGE_SIZE = 50;

/**
 * Writes the export page by page: each query reads at most `pageSize` conversations (with their
 * messages, feedback and events) after the last one written, in (createdAt, id) order, and the
 * page is written before the next is read. Memory is bounded by a page, never the data set.
 */
export async function writeExport(prisma: Prisma, options: ExportOptions, sink: ExportSink): Promise<ExportCounts> {
  const counts: ExportCounts = { participants: 0, conversations: 0, messages: 0 };
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const { filters, pseudo } = options;

  if (options.format === 'csv') {
    await sink.write(csvRow(EXPORT_CSV_COLUMNS));
  } else {
    for await (const page of participantPages(prisma, filters, pageSize)) {
      // A participant's events, except those their conversations carry (chats of this
      // participation with messages; see isConversationEvent): events without a chat, and any
      // naming a chat outside this participation (an earlier study's, or one empty or deleted).
      const chats = await prisma.chat.findMany({ where: { participantId: { in: page.map((p) => p.id) }, messageCount: { gt: 0 } }, select: { id: true, participantId: true } });
      const events = await prisma.participantEvent.findMany({
        where: {
          OR: page.map((p) => ({
            participantId: p.id,
            OR: [{ chatId: null }, { chatId: { notIn: chats.filter((c) => c.participantId === p.id).map((c) => c.id) } }],
          })),
        },
        orderBy: [{ serverTime: 'asc' }, { id: 'asc' }],
      });
      const chunk = page.map((p) => JSON.stringify(participantRecord(p, events.filter((e) => e.participantId === p.id), pseudo)) + '\n').join('');
      await sink.write(chunk);
      counts.participants += page.length;
    }
  }

  for await (const page of conversationPages(prisma, filters, pageSize)) {
    const records = await loadConversationRecords(prisma, page, pseudo);
    const chunk = records.map((r) => (options.format === 'csv' ? csvRows(r) : JSON.stringify(r) + '\n')).join('');
    await sink.write(chunk);
    counts.conversations += records.length;
    counts.messages += records.reduce((n, r) => n + r.messages.length, 0);
  }
  return counts;
}

/** Keyset pages in (createdAt, id) order: stable while rows are being added, no OFFSET scans. */
async function* keysetPages<T extends { id: string }>(read: (after: T | null) => Promise<T[]>, pageSize: number): AsyncGenerator<T[]> {
  let after: T | null = null;
  for (;;) {
    const page = await read(after);
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    after = page.at(-1)!;
  }
}

const range = (from?: Date, to?: Date) => (from || to ? { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } : undefined);

function conversationPages(prisma: Prisma, filters: ExportFilters, pageSize: number): AsyncGenerator<ChatWithOwner[]> {
  const inStudy = filters.study !== undefined || filters.condition !== undefined;
  const createdAt = range(filters.from, filters.to);
  return keysetPages(
    (after) =>
      prisma.chat.findMany({
        where: {
          AND: [
            { messageCount: { gt: 0 } },
            inStudy ? { participant: { is: { ...(filters.study ? { studyId: filters.study } : {}), ...(filters.condition ? { condition: filters.condition } : {}) } } } : {},
            createdAt ? { createdAt } : {},
            after ? { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] } : {},
          ],
        },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: pageSize,
        include: { user: { select: { username: true } }, participant: true },
      }),
    pageSize,
  );
}

function participantPages(prisma: Prisma, filters: ExportFilters, pageSize: number): AsyncGenerator<ParticipantWithUser[]> {
  const enrolledAt = range(filters.from, filters.to);
  return keysetPages(
    (after) =>
      prisma.participant.findMany({
        where: {
          AND: [
            filters.study ? { studyId: filters.study } : {},
            filters.condition ? { condition: filters.condition } : {},
            enrolledAt ? { enrolledAt } : {},
            after ? { OR: [{ enrolledAt: { gt: after.enrolledAt } }, { enrolledAt: after.enrolledAt, id: { gt: after.id } }] } : {},
          ],
        },
        orderBy: [{ enrolledAt: 'asc' }, { id: 'asc' }],
        take: pageSize,
        include: { user: { select: { username: true } } },
      }),
    pageSize,
  );
}

/** The CSV rows of one conversation: one per message, with its current feedback. */
export function csvRows(record: ExportConversationRecord): string {
  return record.messages
    .map((m) => {
      const settings = m.agent?.settings ?? {};
      const cell = (key: string) => {
        const value = settings[key];
        return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : null;
      };
      const row: Record<ExportCsvColumn, string | number | boolean | null> = {
        schemaVersion: record.schemaVersion,
        studyId: record.studyId,
        participantId: record.participantId,
        pseudonymized: record.pseudonymized,
        condition: record.condition,
        chatId: record.chatId,
        chatTitle: record.title,
        messageId: m.id,
        position: m.position,
        role: m.role,
        status: m.status,
        content: m.content,
        createdAt: m.createdAt,
        updatedAt: m.updatedAt,
        clientMsgId: m.clientMsgId,
        replyToId: m.replyToId,
        messageCondition: m.condition,
        provider: m.agent?.provider ?? null,
        model: m.agent?.model ?? null,
        temperature: cell('temperature'),
        maxTokens: cell('maxTokens'),
        systemPrompt: cell('systemPrompt'),
        firstTokenMs: m.agent?.firstTokenMs ?? null,
        durationMs: m.agent?.durationMs ?? null,
        inputTokens: m.agent?.inputTokens ?? null,
        outputTokens: m.agent?.outputTokens ?? null,
        errorCode: m.agent?.errorCode ?? null,
        feedbackRating: m.feedback.current?.rating ?? null,
        feedbackComment: m.feedback.current?.comment ?? null,
        feedbackAt: m.feedback.current?.at ?? null,
        feedbackChanges: m.feedback.history.length,
      };
      return csvRow(EXPORT_CSV_COLUMNS.map((column) => row[column]));
    })
    .join('');
}
