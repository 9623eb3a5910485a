import type { MessageFeedback } from '@parley/protocol';
import type { Prisma } from '../db/database.ts';
import type { Feedback } from '../db/generated/sqlite/client.ts';
import { AppError, notFound } from '../http/app-error.ts';
import { isChatOfParticipation, READ_ONLY_CHAT_MESSAGE } from './study-state.ts';

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
     * message, a user message and a missing one are all "not found". While a study runs
     * (`participantId`: the participation in force, null without a study), a chat held outside it
     * can only be read, as for sending: feedback is part of the conversation it is given in, and
     * an earlier study's conversation stays as it was when that study ended. An omitted comment
     * keeps the current one, so a thumbs click does not erase a comment written before.
     */
    async record(input: { userId: string; participantId: string | null; messageId: string; rating: 'up' | 'down' | null; comment: string | null | undefined; at: Date }) {
      const message = await prisma.message.findFirst({
        where: { id: input.messageId, role: 'assistant', chat: { userId: input.userId } },
        select: { id: true, chatId: true, chat: { select: { participantId: true, messageCount: true } } },
      });
      if (!message) throw notFound('Message');
      if (input.participantId !== null && !isChatOfParticipation(message.chat, input.participantId)) throw new AppError('forbidden', READ_ONLY_CHAT_MESSAGE);
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
