import type { MessageFeedback } from '@parley/protocol';
import type { Prisma } from '../db/database.ts';
import type { Feedback } from '../db/generated/sqlite/client.ts';
import { notFound } from '../http/app-error.ts';

export const toFeedback = (row: Pick<Feedback, 'rating' | 'comment' | 'createdAt'>): MessageFeedback => ({
  rating: row.rating === 'up' || row.rating === 'down' ? row.rating : null,
  comment: row.comment,
  updatedAt: row.createdAt.toISOString(),
});

/** Feedback on assistant messages: every change is a new row; the latest row is the current value. */
export function createFeedbackStore(prisma: Prisma) {
  async function latest(messageId: string) {
    return prisma.feedback.findFirst({ where: { messageId }, orderBy: { id: 'desc' } });
  }

  return {
    /**
     * Records a participant's feedback on an assistant message of their own chat. Another user's
     * message, a user message and a missing one are all "not found". An omitted comment keeps
     * the current one, so a thumbs click does not erase a comment written before.
     */
    async record(input: { userId: string; messageId: string; rating: 'up' | 'down' | null; comment: string | null | undefined; at: Date }) {
      const message = await prisma.message.findFirst({
        where: { id: input.messageId, role: 'assistant', chat: { userId: input.userId } },
        select: { id: true, chatId: true },
      });
      if (!message) throw notFound('Message');
      const comment = input.comment === undefined ? ((await latest(message.id))?.comment ?? null) : input.comment || null;
      const row = await prisma.feedback.create({
        data: { messageId: message.id, userId: input.userId, rating: input.rating, comment, createdAt: input.at },
      });
      return { chatId: message.chatId, feedback: toFeedback(row) };
    },

    /** The current feedback of each message that has any. */
    async currentFor(messageIds: readonly string[]): Promise<Map<string, MessageFeedback>> {
      const current = new Map<string, MessageFeedback>();
      if (messageIds.length === 0) return current;
      const rows = await prisma.feedback.findMany({ where: { messageId: { in: [...messageIds] } }, orderBy: { id: 'asc' } });
      for (const row of rows) current.set(row.messageId, toFeedback(row));
      return current;
    },
  };
}

export type FeedbackStore = ReturnType<typeof createFeedbackStore>;
