import { randomUUID } from 'node:crypto';
import type { Message, MessageStatus } from '@parley/protocol';
import { toMessage } from '../chats/serialize.ts';
import type { Prisma } from '../db/database.ts';
import { Prisma as Sql } from '../db/generated/sqlite/client.ts';
import { sendsTemperature, type AgentSettings } from './providers/types.ts';

/** Replies per checkpoint statement. */
const CHECKPOINT_CHUNK = 100;

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
            // The settings as used: a temperature the provider does not send is not recorded.
            settings: JSON.stringify({
              ...(sendsTemperature(settings.provider) ? { temperature: settings.temperature } : {}),
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

    /**
     * Saves the text so far of replies still streaming, in one transaction (see Checkpointer). Raw SQL,
     * one statement per hundred replies: through the model API, a thousand row updates kept the event
     * loop busy for hundreds of milliseconds and delayed every streaming token (docs/performance.md).
     * Prisma.sql supplies each engine's placeholders, so the text runs on SQLite and PostgreSQL.
     */
    async checkpointMany(items: { messageId: string; content: string }[]): Promise<void> {
      const statements = [];
      for (let i = 0; i < items.length; i += CHECKPOINT_CHUNK) {
        const chunk = items.slice(i, i + CHECKPOINT_CHUNK);
        const cases = chunk.map(({ messageId, content }) => Sql.sql`WHEN ${messageId} THEN ${content}`);
        statements.push(prisma.$executeRaw`
          UPDATE "Message" SET "content" = CASE "id" ${Sql.join(cases, ' ')} ELSE "content" END
          WHERE "id" IN (${Sql.join(chunk.map((item) => item.messageId))}) AND "status" = 'streaming'`);
      }
      await prisma.$transaction(statements);
    },

    async finish(messageId: string, outcome: ReplyOutcome): Promise<Message> {
      const row = await prisma.message.update({ where: { id: messageId }, data: outcome });
      return toMessage(row);
    },

    /**
     * Replies left `streaming` by a crash end as `interrupted` with their last checkpoint, except
     * those `isLive` says an instance is still running (several instances share the database);
     * `among` limits the pass to these message ids. Returns how many ended and the ids left alone.
     */
    async interruptOrphans(isLive: (chatId: string) => Promise<boolean> = async () => false, among?: string[]): Promise<{ interrupted: number; live: string[] }> {
      const rows = await prisma.message.findMany({ where: { status: 'streaming', ...(among ? { id: { in: among } } : {}) }, select: { id: true, chatId: true } });
      const orphans: string[] = [];
      const live: string[] = [];
      for (const row of rows) ((await isLive(row.chatId)) ? live : orphans).push(row.id);
      if (orphans.length === 0) return { interrupted: 0, live };
      const { count } = await prisma.message.updateMany({ where: { id: { in: orphans }, status: 'streaming' }, data: { status: 'interrupted' } });
      return { interrupted: count, live };
    },

    /**
     * Chats whose newest message is a participant's, written since `since`: no reply was started for
     * it (the server stopped or crashed between storing the message and starting the reply).
     */
    async unansweredChats(since: Date): Promise<{ chatId: string; userId: string }[]> {
      const chats = await prisma.chat.findMany({
        where: { lastUserMessageAt: { gte: since } },
        select: { id: true, userId: true, messages: { orderBy: { position: 'desc' }, take: 1, select: { role: true } } },
      });
      return chats.filter((chat) => chat.messages[0]?.role === 'user').map((chat) => ({ chatId: chat.id, userId: chat.userId }));
    },
  };
}

export type ReplyStore = ReturnType<typeof createReplyStore>;
