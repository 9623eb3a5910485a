import { z } from 'zod';
import { feedbackRatingSchema, isoDate, messageFeedbackSchema } from './entities.ts';
import { chatIdSchema, clientMsgIdSchema } from './fields.ts';
import { USERNAME_MAX_LENGTH } from './limits.ts';

/**
 * What a participant of a study sees and sends: the ids from the study link, the study's state
 * (consent, limits, completion), feedback on the agent's replies and client telemetry.
 * The participant's condition is deliberately absent from every shape here.
 */

// Control characters (C0, DEL, C1) make ids unprintable in exports and logs.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
export const EXTERNAL_ID_MAX_LENGTH = 128;

const idField = (name: string, max: number) =>
  z
    .string({ error: `${name} must be text.` })
    .trim()
    .min(1, { error: `${name} is empty.` })
    .max(max, { error: `${name} has at most ${max} characters.` })
    .refine((value) => !CONTROL_CHARS.test(value), { error: `${name} cannot contain control characters.` });

/**
 * The ids a study link carries, copied verbatim from the URL's query parameters
 * (`?PROLIFIC_PID=…&STUDY_ID=…&SESSION_ID=…`, or a generic `?pid=…`). The participant is logged in
 * under PROLIFIC_PID, else pid; STUDY_ID and SESSION_ID are stored with them.
 */
export const participantIdsSchema = z.strictObject({
  PROLIFIC_PID: idField('PROLIFIC_PID', USERNAME_MAX_LENGTH).optional(),
  STUDY_ID: idField('STUDY_ID', EXTERNAL_ID_MAX_LENGTH).optional(),
  SESSION_ID: idField('SESSION_ID', EXTERNAL_ID_MAX_LENGTH).optional(),
  pid: idField('pid', USERNAME_MAX_LENGTH).optional(),
});
export type ParticipantIds = z.infer<typeof participantIdsSchema>;

// ---------------------------------------------------------------------------------------------
// The study as the participant sees it: GET /api/study, POST /api/study/consent, `study.updated`
// ---------------------------------------------------------------------------------------------

export const consentStatusSchema = z.enum(['not_required', 'pending', 'accepted', 'declined']);
export type ConsentStatus = z.infer<typeof consentStatusSchema>;

/**
 * consent_required: show the consent text, nothing else; declined: final, no chatting;
 * active: chatting allowed (a chat may still be closed by its turn limit); finished: every limit
 * that ends participation is reached, show `completion`.
 */
export const studyStateSchema = z.enum(['consent_required', 'declined', 'active', 'finished']);
export type StudyState = z.infer<typeof studyStateSchema>;

export const studyPermissionsSchema = z.object({
  renameChats: z.boolean(),
  /** False: the participant has one conversation; hide "New chat" once it has a message. */
  multipleChats: z.boolean(),
  /** False: assistant messages carry empty `agent.provider` and `agent.model`. */
  showModelName: z.boolean(),
});
export type StudyPermissions = z.infer<typeof studyPermissionsSchema>;

/** The turn budget of one of the participant's chats in this study. */
export const studyChatTurnsSchema = z.object({
  chatId: z.string(),
  /** User messages sent in this chat. */
  turnsUsed: z.number().int(),
  /** Null when the study has no turn limit. */
  turnsRemaining: z.number().int().nullable(),
  /** No more messages may be sent in this chat. */
  closed: z.boolean(),
});
export type StudyChatTurns = z.infer<typeof studyChatTurnsSchema>;

export const studyCompletionSchema = z.object({
  /** Which limit was reached first. */
  reason: z.enum(['turns', 'time']),
  /** The study's closed message (Markdown), shown where the input was. */
  message: z.string(),
  /** Show it for the participant to copy, when set. */
  completionCode: z.string().nullable(),
  /** Offer it as a link (e.g. Prolific's completion URL), when set. */
  redirectUrl: z.string().nullable(),
});
export type StudyCompletion = z.infer<typeof studyCompletionSchema>;

export const studyViewSchema = z.object({
  id: z.string(),
  state: studyStateSchema,
  consent: z.object({
    required: z.boolean(),
    status: consentStatusSchema,
    /** Markdown; null when the study has no consent text. */
    text: z.string().nullable(),
    decidedAt: isoDate.nullable(),
  }),
  limits: z.object({
    maxTurnsPerChat: z.number().int().nullable(),
    maxMinutes: z.number().nullable(),
    /** When the participant's time started (consent, or first visit without consent). */
    startedAt: isoDate.nullable(),
    /** When the time limit ends participation; null without a time limit or before the time started. */
    endsAt: isoDate.nullable(),
  }),
  /** Every chat of the participant in this study, with its turn budget. */
  chats: z.array(studyChatTurnsSchema),
  permissions: studyPermissionsSchema,
  /** Set once a limit was reached: what to show where the input was. */
  completion: studyCompletionSchema.nullable(),
});
export type StudyView = z.infer<typeof studyViewSchema>;

// GET /api/study
export const studyResponseSchema = z.object({
  /** Null when the server runs no study: no consent gate, no limits, every permission. */
  study: studyViewSchema.nullable(),
});
export type StudyResponse = z.infer<typeof studyResponseSchema>;

// POST /api/study/consent
export const consentRequestSchema = z.strictObject({
  /** true: accept; false: decline. A decline is final. */
  accept: z.boolean({ error: 'accept must be true or false.' }),
});
export type ConsentRequest = z.infer<typeof consentRequestSchema>;
export const consentResponseSchema = z.object({ study: studyViewSchema });
export type ConsentResponse = z.infer<typeof consentResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Feedback: PUT /api/messages/:id/feedback, `feedback.updated`
// ---------------------------------------------------------------------------------------------

export const FEEDBACK_COMMENT_MAX_LENGTH = 2000;

export const feedbackRequestSchema = z.strictObject({
  /** Thumbs up or down; null withdraws the rating. */
  rating: feedbackRatingSchema.nullable(),
  comment: z
    .string({ error: 'comment must be text.' })
    .trim()
    .max(FEEDBACK_COMMENT_MAX_LENGTH, { error: `A comment has at most ${FEEDBACK_COMMENT_MAX_LENGTH} characters.` })
    .refine((text) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text), { error: 'A comment cannot contain control characters.' })
    .nullable()
    .optional(),
});
export type FeedbackRequest = z.input<typeof feedbackRequestSchema>;

export const feedbackResponseSchema = z.object({
  messageId: z.string(),
  feedback: messageFeedbackSchema,
});
export type FeedbackResponse = z.infer<typeof feedbackResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Telemetry: the `telemetry` frame and POST /api/telemetry (for navigator.sendBeacon)
// ---------------------------------------------------------------------------------------------

export const TELEMETRY_BATCH_MAX = 50;
const MAX_TEXT_LENGTH = 10_000_000;
const MAX_DURATION_MS = 7 * 24 * 3600_000;

/** The browser's clock when it happened, as `new Date().toISOString()`; the server adds its own. */
const clientTime = z.iso.datetime({ offset: true, error: 'clientTime must be an ISO-8601 date-time, e.g. new Date().toISOString().' });
const count = (max: number) => z.int().min(0).max(max);
const messageIdSchema = z.string().min(1).max(64);

export const telemetryEventSchema = z.discriminatedUnion('kind', [
  /** The participant pressed send (before the ack). */
  z.strictObject({ kind: z.literal('message_sent'), clientTime, chatId: chatIdSchema, clientMsgId: clientMsgIdSchema }),
  /** The first token of a reply became visible; sinceSendMs: from pressing send to seeing it. */
  z.strictObject({
    kind: z.literal('first_token'),
    clientTime,
    chatId: chatIdSchema,
    messageId: messageIdSchema,
    sinceSendMs: count(MAX_DURATION_MS).optional(),
  }),
  /** Stop was pressed; shownChars: how many characters of the reply were on screen. */
  z.strictObject({ kind: z.literal('stop_pressed'), clientTime, chatId: chatIdSchema, messageId: messageIdSchema, shownChars: count(MAX_TEXT_LENGTH) }),
  /** The socket is back after a disconnect of disconnectedMs, after `attempts` tries. */
  z.strictObject({
    kind: z.literal('reconnected'),
    clientTime,
    chatId: chatIdSchema.optional(),
    disconnectedMs: count(MAX_DURATION_MS),
    attempts: count(100_000).optional(),
  }),
  /** The tab was hidden or shown again (document.visibilityState). */
  z.strictObject({ kind: z.literal('visibility'), clientTime, chatId: chatIdSchema.optional(), state: z.enum(['hidden', 'visible']) }),
  /** Text was pasted into the input: its length only, never the text. */
  z.strictObject({ kind: z.literal('paste'), clientTime, chatId: chatIdSchema.optional(), length: count(MAX_TEXT_LENGTH) }),
]);
export type TelemetryEvent = z.infer<typeof telemetryEventSchema>;
export type TelemetryKind = TelemetryEvent['kind'];
export const TELEMETRY_KINDS = telemetryEventSchema.options.map((o) => o.shape.kind.value) as TelemetryKind[];

export const telemetryBatchSchema = z.strictObject({
  events: z
    .array(telemetryEventSchema)
    .min(1, { error: 'events is empty.' })
    .max(TELEMETRY_BATCH_MAX, { error: `At most ${TELEMETRY_BATCH_MAX} events at once.` }),
});
export type TelemetryBatch = z.infer<typeof telemetryBatchSchema>;

export const telemetryResponseSchema = z.object({ accepted: z.number().int() });
