import { PAGE_SIZE_DEFAULT, type ConversationListResponse, type ExportConversationRecord, type ParticipantListResponse, type ConsentStatus } from '@parley/protocol';
import type { Prisma } from '../db/database.ts';
import { notFound } from '../http/app-error.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { createPseudonymizer } from './export/pseudonymize.ts';
import { loadConversationRecords } from './export/records.ts';

/** Read-only views of the collected data for the researcher page. */
export function createBrowser(prisma: Prisma) {
  const after = (cursor: string | undefined, field: 'enrolledAt' | 'createdAt') => {
    if (!cursor) return {};
    const { at, id } = decodeCursor(cursor);
    return { OR: [{ [field]: { gt: at } }, { [field]: at, id: { gt: id } }] };
  };

  return {
    async participants(query: { study: string | null; condition?: string; limit?: number; cursor?: string }): Promise<ParticipantListResponse> {
      const limit = query.limit ?? PAGE_SIZE_DEFAULT;
      const rows = await prisma.participant.findMany({
        where: {
          AND: [query.study ? { studyId: query.study } : {}, query.condition ? { condition: query.condition } : {}, after(query.cursor, 'enrolledAt')],
        },
        orderBy: [{ enrolledAt: 'asc' }, { id: 'asc' }],
        take: limit,
        include: { user: { select: { username: true } }, _count: { select: { chats: { where: { messageCount: { gt: 0 } } } } } },
      });
      const last = rows.at(-1);
      return {
        participants: rows.map((p) => ({
          participantId: p.user.username,
          studyId: p.studyId,
          condition: p.condition,
          consentStatus: p.consentStatus as ConsentStatus,
          consentAt: p.consentAt?.toISOString() ?? null,
          enrolledAt: p.enrolledAt.toISOString(),
          startedAt: p.startedAt?.toISOString() ?? null,
          prolificPid: p.prolificPid,
          externalStudyId: p.externalStudyId,
          externalSessionId: p.externalSessionId,
          conversations: p._count.chats,
        })),
        nextCursor: rows.length === limit && last ? encodeCursor(last.enrolledAt, last.id) : null,
      };
    },

    async conversations(query: { study: string | null; condition?: string; participant?: string; limit?: number; cursor?: string }): Promise<ConversationListResponse> {
      const limit = query.limit ?? PAGE_SIZE_DEFAULT;
      const scoped = query.study || query.condition;
      const rows = await prisma.chat.findMany({
        where: {
          AND: [
            { messageCount: { gt: 0 } },
            scoped ? { participant: { is: { ...(query.study ? { studyId: query.study } : {}), ...(query.condition ? { condition: query.condition } : {}) } } } : {},
            query.participant ? { user: { username: query.participant } } : {},
            after(query.cursor, 'createdAt'),
          ],
        },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: limit,
        include: { user: { select: { username: true } }, participant: { select: { studyId: true, condition: true } } },
      });
      const last = rows.at(-1);
      return {
        conversations: rows.map((c) => ({
          chatId: c.id,
          studyId: c.participant?.studyId ?? null,
          participantId: c.user.username,
          condition: c.participant?.condition ?? null,
          title: c.title,
          createdAt: c.createdAt.toISOString(),
          lastUserMessageAt: c.lastUserMessageAt?.toISOString() ?? null,
          messageCount: c.messageCount,
        })),
        nextCursor: rows.length === limit && last ? encodeCursor(last.createdAt, last.id) : null,
      };
    },

    /** One conversation exactly as the export writes it (ids not pseudonymised). */
    async conversation(chatId: string): Promise<ExportConversationRecord> {
      const chat = await prisma.chat.findUnique({ where: { id: chatId }, include: { user: { select: { username: true } }, participant: true } });
      if (!chat) throw notFound('Conversation');
      const [record] = await loadConversationRecords(prisma, [chat], createPseudonymizer(false, null));
      return record!;
    },
  };
}

export type Browser = ReturnType<typeof createBrowser>;
