import { z } from 'zod';
import { chatSchema, messageSchema, replySnapshotSchema, userSchema } from './entities.ts';
import { errorCodeSchema } from './errors.ts';
import { chatIdSchema, clientMsgIdSchema, messageContentSchema } from './fields.ts';
import { messageFeedbackSchema } from './entities.ts';
import { studyViewSchema, telemetryBatchSchema } from './study.ts';

// ---------------------------------------------------------------------------------------------
// Client → server frames
// ---------------------------------------------------------------------------------------------

export const sendFrameSchema = z
  .object({
    type: z.literal('send'),
    chatId: chatIdSchema,
    clientMsgId: clientMsgIdSchema,
    content: messageContentSchema,
  })
  .describe(
    'Store a user message. The server answers `ack` only after the row is committed; a repeated clientMsgId in the same chat returns the stored message and writes nothing.',
  );

export const stopFrameSchema = z
  .object({
    type: z.literal('stop'),
    chatId: chatIdSchema,
  })
  .describe('End the reply running in this chat. It is stored as `interrupted` with exactly the text streamed so far.');

export const resumeFrameSchema = z
  .object({
    type: z.literal('resume'),
    chatId: chatIdSchema,
  })
  .describe(
    'Ask for the reply being generated in this chat. Answered with `agent.snapshot` (reply null when none runs); live `agent.delta` frames follow it with no gap.',
  );

export const pingFrameSchema = z
  .object({
    type: z.literal('ping'),
    /** Echoed back, so the client can measure the round trip. */
    t: z.number().optional(),
  })
  .describe('Application-level liveness check (browsers cannot see protocol pings). Answered with `pong`.');

export const telemetryFrameSchema = z
  .object({
    type: z.literal('telemetry'),
    events: telemetryBatchSchema.shape.events,
  })
  .describe(
    'Client telemetry (see `POST /api/telemetry` for the event kinds). Stored with the server\'s time; nothing is answered unless it is refused.',
  );

export const clientFrameSchema = z.discriminatedUnion('type', [
  sendFrameSchema,
  stopFrameSchema,
  resumeFrameSchema,
  pingFrameSchema,
  telemetryFrameSchema,
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;
export type SendFrame = z.infer<typeof sendFrameSchema>;
export type StopFrame = z.infer<typeof stopFrameSchema>;
export type ResumeFrame = z.infer<typeof resumeFrameSchema>;
export type TelemetryFrame = z.infer<typeof telemetryFrameSchema>;

// ---------------------------------------------------------------------------------------------
// Server → client frames
// ---------------------------------------------------------------------------------------------

export const helloFrameSchema = z
  .object({
    type: z.literal('hello'),
    protocolVersion: z.number().int(),
    user: userSchema,
    /** Every reply of this user's chats that is generating now; deltas after these follow live. */
    streaming: z.array(replySnapshotSchema),
  })
  .describe('First frame on every connection. A reconnecting client resumes every running reply from it.');

export const ackFrameSchema = z
  .object({
    type: z.literal('ack'),
    chatId: z.string(),
    clientMsgId: z.string(),
    message: messageSchema,
    /** True when this clientMsgId had already been stored. */
    duplicate: z.boolean(),
  })
  .describe('The user message is committed to the database. Sent only to the socket that sent it.');

export const messageFrameSchema = z
  .object({
    type: z.literal('message'),
    chatId: z.string(),
    message: messageSchema,
  })
  .describe("A user message stored from another tab (or over REST), pushed to the owner's other sockets.");

export const chatUpdatedFrameSchema = z
  .object({
    type: z.literal('chat.updated'),
    chat: chatSchema,
  })
  .describe("A chat of this user changed (new activity or a new title); the sidebar re-sorts from it.");

export const agentStartFrameSchema = z
  .object({
    type: z.literal('agent.start'),
    chatId: z.string(),
    messageId: z.string(),
    /** The assistant message row as created (status `streaming`, empty content). */
    message: messageSchema,
  })
  .describe('The agent began a reply; its message row exists from now on.');

export const agentDeltaFrameSchema = z
  .object({
    type: z.literal('agent.delta'),
    chatId: z.string(),
    messageId: z.string(),
    /** Counts up from 0 without gaps within one reply. */
    seq: z.number().int().min(0),
    text: z.string(),
  })
  .describe('The next piece of a reply. A client ignores a seq it already has and asks `resume` when it sees a gap.');

export const agentSnapshotFrameSchema = z
  .object({
    type: z.literal('agent.snapshot'),
    chatId: z.string(),
    reply: replySnapshotSchema.nullable(),
  })
  .describe('Answer to `resume`: the reply so far (or null when none runs). Replaces what the client had.');

export const agentDoneFrameSchema = z
  .object({
    type: z.literal('agent.done'),
    chatId: z.string(),
    /** The final row: status `complete`, or `interrupted` after a stop or a newer user message. */
    message: messageSchema,
  })
  .describe('The reply ended and is stored as sent here.');

export const agentErrorFrameSchema = z
  .object({
    type: z.literal('agent.error'),
    chatId: z.string(),
    messageId: z.string(),
    code: errorCodeSchema,
    message: z.string(),
    /** The stored row with status `error` and whatever text arrived before the failure. */
    final: messageSchema.nullable(),
  })
  .describe('The reply failed (provider error, timeout, rate limit). The message is written for the participant.');

export const errorFrameSchema = z
  .object({
    type: z.literal('error'),
    code: errorCodeSchema,
    message: z.string(),
    /** Set when the error answers a `send`, so the client can mark that message failed. */
    clientMsgId: z.string().optional(),
    chatId: z.string().optional(),
    /** The type of the client frame refused, when it could be read (e.g. `telemetry`, which a client may drop quietly). */
    frame: z.string().optional(),
  })
  .describe('A client frame was refused. The socket stays open unless the server closes it right after.');

export const studyUpdatedFrameSchema = z
  .object({
    type: z.literal('study.updated'),
    /** The same view as `GET /api/study`; null when the server no longer runs a study. */
    study: studyViewSchema.nullable(),
  })
  .describe(
    "The participant's study state changed (consent decided, a limit reached, the study reconfigured): replace the study view; close the input when `state` is not `active` or the open chat is `closed`.",
  );

export const feedbackUpdatedFrameSchema = z
  .object({
    type: z.literal('feedback.updated'),
    chatId: z.string(),
    messageId: z.string(),
    feedback: messageFeedbackSchema,
  })
  .describe("Feedback on an assistant message changed (in this or another of the participant's tabs).");

export const pongFrameSchema = z
  .object({
    type: z.literal('pong'),
    t: z.number().optional(),
  })
  .describe('Answer to `ping`.');

export const serverFrameSchema = z.discriminatedUnion('type', [
  helloFrameSchema,
  ackFrameSchema,
  messageFrameSchema,
  chatUpdatedFrameSchema,
  agentStartFrameSchema,
  agentDeltaFrameSchema,
  agentSnapshotFrameSchema,
  agentDoneFrameSchema,
  agentErrorFrameSchema,
  errorFrameSchema,
  pongFrameSchema,
  studyUpdatedFrameSchema,
  feedbackUpdatedFrameSchema,
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;
export type ServerFrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
export type ClientFrameOf<T extends ClientFrame['type']> = Extract<ClientFrame, { type: T }>;

/** The WebSocket close codes the server sends (docs/protocol.md lists exactly these). */
export const CLOSE_CODES = {
  goingAway: 1001,
  messageTooBig: 1009,
  sessionEnded: 4001,
  rateLimited: 4008,
} as const;

/** What each close code means, for docs/protocol.md: one entry per code, or this does not compile. */
export const CLOSE_CODE_MEANINGS: Record<keyof typeof CLOSE_CODES, string> = {
  goingAway: 'The server is shutting down or restarting; reconnect.',
  messageTooBig: 'A frame exceeded `MAX_FRAME_BYTES` (sent by the socket library).',
  sessionEnded: 'The session ended (logout, expiry, or deleted); the client must log in again rather than reconnect.',
  rateLimited: 'The client sent too many frames too fast, or let too many wait unhandled.',
};
