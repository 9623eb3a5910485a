import {
  chatPageQuerySchema,
  postMessageRequestSchema,
  renameChatRequestSchema,
  type ChatDetailResponse,
  type ChatListResponse,
  type CreateChatResponse,
  type Message,
  type MessageFeedback,
  type PostMessageResponse,
  type ReplySnapshot,
} from '@parley/protocol';
import { Router } from 'express';
import { requireSession, sessionOf } from '../auth/require-session.ts';
import type { SessionStore } from '../auth/session-store.ts';
import { rateLimitByIp, type LimiterStore } from '../http/rate-limit.ts';
import { validate } from '../http/validate.ts';
import type { ChatService } from './chat-service.ts';

export interface ChatRoutesOptions {
  sessions: SessionStore;
  chats: ChatService;
  /** Where the per-address message count is kept: shared by every instance when there are several. */
  limiters: LimiterStore;
  /** Runs a task alone per key across every instance (Cluster.exclusive). */
  exclusive<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** The reply generating in a chat right now, so a page load can resume it. */
  streamingSnapshot(chatId: string): ReplySnapshot | null;
  /** A running study's rules (see study/study-service.ts); without a study they allow everything. */
  study: {
    guardSend<T extends { duplicate: boolean }>(input: { userId: string; chatId: string; clientMsgId: string }, post: () => Promise<T>): Promise<T>;
    checkCreateChat(userId: string): Promise<void>;
    checkRename(): void;
    presentMessage(message: Message): Message;
    /** The participant's current feedback on these messages. */
    feedbackFor(messageIds: readonly string[]): Promise<Map<string, MessageFeedback>>;
  };
}

export function chatRoutes({ sessions, chats, limiters, exclusive, streamingSnapshot, study }: ChatRoutesOptions): Router {
  const router = Router();
  router.use('/chats', requireSession(sessions));

  router.get('/chats', async (_req, res) => {
    const body: ChatListResponse = { chats: await chats.listChats(sessionOf(res).user.id) };
    res.json(body);
  });

  router.post('/chats', async (_req, res) => {
    const userId = sessionOf(res).user.id;
    await study.checkCreateChat(userId);
    // Two tabs pressing "New chat" together get the same empty chat, on any engine and instance.
    const body: CreateChatResponse = await exclusive(`new-chat:${userId}`, () => chats.createChat(userId));
    res.status(body.created ? 201 : 200).json(body);
  });

  router.get('/chats/:id', async (req, res) => {
    const query = validate(chatPageQuerySchema, req.query);
    const page = await chats.getChatPage(sessionOf(res).user.id, req.params.id, query);
    const feedback = await study.feedbackFor(page.messages.filter((m) => m.role === 'assistant').map((m) => m.id));
    const messages = page.messages.map((m) => study.presentMessage(m.role === 'assistant' ? { ...m, feedback: feedback.get(m.id) ?? null } : m));
    const body: ChatDetailResponse = { ...page, messages, streaming: query.before ? null : streamingSnapshot(page.chat.id) };
    res.json(body);
  });

  router.put('/chats/:id/title', async (req, res) => {
    const { title } = validate(renameChatRequestSchema, req.body ?? {});
    study.checkRename();
    res.json({ chat: await chats.renameChat(sessionOf(res).user.id, req.params.id, title) });
  });

  router.post<{ id: string }>(
    '/chats/:id/messages',
    rateLimitByIp({ name: 'messages', store: limiters, points: 120, durationSeconds: 60, message: 'You are sending messages too fast. Please slow down.' }),
    async (req, res) => {
      const { clientMsgId, content } = validate(postMessageRequestSchema, req.body ?? {});
      const userId = sessionOf(res).user.id;
      const posted = await study.guardSend({ userId, chatId: req.params.id, clientMsgId }, () =>
        chats.postUserMessage({ userId, chatId: req.params.id, clientMsgId, content }),
      );
      const body: PostMessageResponse = { message: posted.message, duplicate: posted.duplicate };
      res.status(posted.duplicate ? 200 : 201).json(body);
    },
  );

  return router;
}
