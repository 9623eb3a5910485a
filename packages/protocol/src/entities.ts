import { z } from 'zod';

/** Timestamps travel as ISO-8601 strings. */
export const isoDate = z.string();

export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  createdAt: isoDate,
});
export type User = z.infer<typeof userSchema>;

export const chatSchema = z.object({
  id: z.string(),
  title: z.string(),
  createdAt: isoDate,
  /** Null until the first user message: such a chat is "empty" and never listed. */
  lastUserMessageAt: isoDate.nullable(),
});
export type Chat = z.infer<typeof chatSchema>;

export const messageRoleSchema = z.enum(['user', 'assistant']);
export type MessageRole = z.infer<typeof messageRoleSchema>;

export const messageStatusSchema = z.enum(['complete', 'streaming', 'interrupted', 'error']);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

/** What the agent used and measured for one reply; present on assistant messages only. */
export const agentRunInfoSchema = z.object({
  provider: z.string(),
  model: z.string(),
  /** True for the built-in simulated agent, so the UI can say so. */
  simulated: z.boolean(),
  firstTokenMs: z.number().nullable(),
  durationMs: z.number().nullable(),
  inputTokens: z.number().nullable(),
  outputTokens: z.number().nullable(),
  errorCode: z.string().nullable(),
});
export type AgentRunInfo = z.infer<typeof agentRunInfoSchema>;

export const feedbackRatingSchema = z.enum(['up', 'down']);
export type FeedbackRating = z.infer<typeof feedbackRatingSchema>;

/** The participant's current feedback on an assistant message (the latest of its history). */
export const messageFeedbackSchema = z.object({
  /** Null when the participant withdrew their rating. */
  rating: feedbackRatingSchema.nullable(),
  comment: z.string().nullable(),
  updatedAt: isoDate,
});
export type MessageFeedback = z.infer<typeof messageFeedbackSchema>;

export const messageSchema = z.object({
  id: z.string(),
  chatId: z.string(),
  /** Position within the chat, counting from 1; orders messages and pages history. */
  position: z.number().int(),
  role: messageRoleSchema,
  content: z.string(),
  status: messageStatusSchema,
  clientMsgId: z.string().nullable(),
  createdAt: isoDate,
  agent: agentRunInfoSchema.nullable(),
  /** The participant's feedback on an assistant message, where the server includes it (chat history). */
  feedback: messageFeedbackSchema.nullable().optional(),
});
export type Message = z.infer<typeof messageSchema>;

/** A reply still being generated: its text so far and the seq of the last delta included. */
export const replySnapshotSchema = z.object({
  chatId: z.string(),
  messageId: z.string(),
  /** seq of the last delta folded into `text`; -1 when no text has been generated yet. */
  seq: z.number().int().min(-1),
  text: z.string(),
});
export type ReplySnapshot = z.infer<typeof replySnapshotSchema>;
