import type { Chat, Message, MessageRole, MessageStatus, User } from '@parley/protocol';
import type { Chat as ChatRow, Message as MessageRow, User as UserRow } from '../db/generated/sqlite/client.ts';

// Database rows → wire shapes. The only place that knows both.

export const toUser = (row: UserRow): User => ({
  id: row.id,
  username: row.username,
  createdAt: row.createdAt.toISOString(),
});

export const toChat = (row: Pick<ChatRow, 'id' | 'title' | 'createdAt' | 'lastUserMessageAt'>): Chat => ({
  id: row.id,
  title: row.title,
  createdAt: row.createdAt.toISOString(),
  lastUserMessageAt: row.lastUserMessageAt ? row.lastUserMessageAt.toISOString() : null,
});

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    chatId: row.chatId,
    position: row.position,
    role: row.role as MessageRole,
    content: row.content,
    status: row.status as MessageStatus,
    clientMsgId: row.clientMsgId,
    createdAt: row.createdAt.toISOString(),
    agent:
      row.role === 'assistant' && row.provider
        ? {
            provider: row.provider,
            model: row.model ?? '',
            simulated: row.provider === 'echo',
            firstTokenMs: row.firstTokenMs,
            durationMs: row.durationMs,
            inputTokens: row.inputTokens,
            outputTokens: row.outputTokens,
            errorCode: row.errorCode,
          }
        : null,
  };
}
