import { randomUUID } from 'node:crypto';
import type { Message, MessageStatus } from '@parley/protocol';
import { toMessage } from '../chats/serialize.ts';
import type { Prisma } from '../db/database.ts';
import type { AgentSettings } from './providers/types.ts';

/** How many stored messages a reply reads before bounding them to the model's context. */
const HISTORY_ROWS = 400;

export interface ReplyOutcome {
  content: string;
  status: Exclude<MessageStatus, 'streaming'>;
  firstTokenMs: number | null;
  durationMs: number;
  inputTokens: number | null;
  outputTokens: number | null;
  errorCode: string | null;
}

/** The assistant message rows: created when a reply starts, checkpointed while it streams, finished once. */
export function createReplyStore(prisma: Prisma) {
  return {
    /** The chat's recent messages, oldest first. */
    async recentMessages(chatId: string): Promise<Message[]> {
      const rows = await prisma.message.findMany({ where: { chatId }, orderBy: { position: 'desc' }, take: HISTORY_ROWS });
      return rows.reverse().map(toMessage);
    },

    /** Creates the `streaming` row in the chat's next position; `condition` names the study condition that chose the settings. */
    async start(chatId: string, replyToId: string | null, settings: AgentSettings, providerName: string, condition: string | null = null): Promise<Message> {
      return prisma.$transaction(async (tx) => {
        const chat = await tx.chat.update({ where: { id: chatId }, data: { messageCount: { increment: 1 } } });
        const row = await tx.message.create({
          data: {
            id: randomUUID(),
            chatId,
            position: chat.messageCount,
            role: 'assistant',
            content: '',
            status: 'streaming',
            replyToId,
            provider: providerName,
            model: settings.model,
            condition,
            settings: JSON.stringify({
              temperature: settings.temperature,
              maxTokens: settings.maxTokens,
              timeoutMs: settings.timeoutMs,
              systemPrompt: settings.systemPrompt,
              ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}),
            }),
          },
        });
        return toMessage(row);
      });
    },

    /** Saves the text so far of replies still streaming, in one transaction (see Checkpointer). */
    async checkpointMany(items: { messageId: string; content: string }[]): Promise<void> {
      await prisma.$transaction(
        items.map(({ messageId, content }) => prisma.message.updateMany({ where: { id: messageId, status: 'streaming' }, data: { content } })),
      );
    },

    async finish(messageId: string, outcome: ReplyOutcome): Promise<Message> {
      const row = await prisma.message.update({ where: { id: messageId }, data: outcome });
      return toMessage(row);
    },

    /** Replies left `streaming` by a crash end as `interrupted` with their last checkpoint. */
    async interruptOrphans(): Promise<number> {
      const { count } = await prisma.message.updateMany({ where: { status: 'streaming' }, data: { status: 'interrupted' } });
      return count;
    },
  };
}

export type ReplyStore = ReturnType<typeof createReplyStore>;
