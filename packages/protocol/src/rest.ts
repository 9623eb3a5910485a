import { z } from 'zod';
import { chatSchema, messageSchema, replySnapshotSchema, userSchema } from './entities.ts';
import {
  accessCodeSchema,
  chatTitleSchema,
  clientMsgIdSchema,
  messageContentSchema,
  usernameSchema,
} from './fields.ts';
import { PAGE_SIZE_MAX } from './limits.ts';
import { participantIdsSchema } from './study.ts';

// POST /api/auth/login
export const loginRequestSchema = z
  .object({
    /** Optional when `participant` carries PROLIFIC_PID or pid: that id is the username then. */
    username: usernameSchema.optional(),
    accessCode: accessCodeSchema.optional(),
    /** The ids of a study link (`?PROLIFIC_PID=&STUDY_ID=&SESSION_ID=` or `?pid=`), copied from the URL. */
    participant: participantIdsSchema.optional(),
  })
  .refine((body) => body.username !== undefined || body.participant?.PROLIFIC_PID !== undefined || body.participant?.pid !== undefined, {
    error: 'Enter a username.',
    path: ['username'],
  });
export type LoginRequest = z.input<typeof loginRequestSchema>;

export const loginResponseSchema = z.object({
  user: userSchema,
  /** The same session as the cookie, for clients that send `Authorization: Bearer`. */
  token: z.string(),
  expiresAt: z.string(),
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;

// GET /api/me
export const meResponseSchema = z.object({ user: userSchema });
export type MeResponse = z.infer<typeof meResponseSchema>;

// GET /api/config (public): what the login form and the UI need before a session exists.
export const publicConfigSchema = z.object({
  accessCodeRequired: z.boolean(),
  protocolVersion: z.number().int(),
});
export type PublicConfig = z.infer<typeof publicConfigSchema>;

// GET /api/chats
export const chatListResponseSchema = z.object({ chats: z.array(chatSchema) });
export type ChatListResponse = z.infer<typeof chatListResponseSchema>;

// POST /api/chats
export const createChatResponseSchema = z.object({
  chat: chatSchema,
  /** False when the caller's existing empty chat was returned instead of a new one. */
  created: z.boolean(),
});
export type CreateChatResponse = z.infer<typeof createChatResponseSchema>;

// GET /api/chats/:id?limit=&before=
export const chatPageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).optional(),
  /** Opaque cursor from a previous page's `nextCursor`: returns messages older than it. */
  before: z.string().max(64).optional(),
});
export type ChatPageQuery = z.infer<typeof chatPageQuerySchema>;

export const chatDetailResponseSchema = z.object({
  chat: chatSchema,
  /** Oldest first; the newest `limit` messages older than `before`. */
  messages: z.array(messageSchema),
  /** Pass as `before` to load older messages; null when the first message is included. */
  nextCursor: z.string().nullable(),
  /** The reply being generated right now, if any; live deltas follow on the socket. */
  streaming: replySnapshotSchema.nullable(),
});
export type ChatDetailResponse = z.infer<typeof chatDetailResponseSchema>;

// PUT /api/chats/:id/title
export const renameChatRequestSchema = z.object({ title: chatTitleSchema });
export type RenameChatRequest = z.input<typeof renameChatRequestSchema>;
export const renameChatResponseSchema = z.object({ chat: chatSchema });

// POST /api/chats/:id/messages
export const postMessageRequestSchema = z.object({
  clientMsgId: clientMsgIdSchema,
  content: messageContentSchema,
});
export type PostMessageRequest = z.infer<typeof postMessageRequestSchema>;
export const postMessageResponseSchema = z.object({
  message: messageSchema,
  /** True when this clientMsgId was already stored; nothing new was written. */
  duplicate: z.boolean(),
});
export type PostMessageResponse = z.infer<typeof postMessageResponseSchema>;

// GET /health
export const healthResponseSchema = z.object({
  status: z.enum(['ok', 'degraded', 'unavailable']),
  checks: z.record(z.string(), z.enum(['ok', 'failing'])),
  uptimeSeconds: z.number(),
  version: z.string(),
});
export type HealthResponse = z.infer<typeof healthResponseSchema>;
