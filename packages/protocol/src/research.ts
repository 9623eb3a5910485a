import { z } from 'zod';
import { feedbackRatingSchema, isoDate, messageRoleSchema, messageStatusSchema } from './entities.ts';
import { consentStatusSchema } from './study.ts';

/**
 * The researcher's API (`/api/research/*`): login, the dashboard, browsing participants and
 * conversations, and the export. The export's records are defined here too, once: the server
 * writes them, tests validate every line against them, and docs/export-schema.json is generated
 * from them.
 */

export const RESEARCH_PAGE_SIZE_MAX = 200;

// POST /api/research/login
export const researcherLoginRequestSchema = z.strictObject({
  password: z.string({ error: 'password must be text.' }).min(1, { error: 'Enter the password.' }).max(1024, { error: 'The password is too long.' }),
});
export type ResearcherLoginRequest = z.infer<typeof researcherLoginRequestSchema>;

export const researcherLoginResponseSchema = z.object({
  /** The same session as the researcher cookie, for scripts that send `Authorization: Bearer`. */
  token: z.string(),
  expiresAt: isoDate,
});
export type ResearcherLoginResponse = z.infer<typeof researcherLoginResponseSchema>;

// GET /api/research/me
export const researcherMeResponseSchema = z.object({ expiresAt: isoDate });

// ---------------------------------------------------------------------------------------------
// Common query parameters
// ---------------------------------------------------------------------------------------------

const studyIdParam = z.string().min(1).max(64);
const conditionParam = z.string().min(1).max(64);
const limitParam = z.coerce.number().int().min(1).max(RESEARCH_PAGE_SIZE_MAX).optional();
const cursorParam = z.string().min(1).max(128).optional();

// GET /api/research/study
export const researchStudyResponseSchema = z.object({
  /** The study in force (null: none configured), as the server resolved it. */
  study: z
    .object({
      id: z.string(),
      consentRequired: z.boolean(),
      consentText: z.string().nullable(),
      conditions: z.array(z.object({ name: z.string(), provider: z.string(), model: z.string(), systemPrompt: z.string(), temperature: z.number().nullable() })),
      limits: z.object({
        maxTurnsPerChat: z.number().int().nullable(),
        maxMinutes: z.number().nullable(),
        closedMessage: z.string(),
        completionCode: z.string().nullable(),
        redirectUrl: z.string().nullable(),
      }),
      permissions: z.object({ renameChats: z.boolean(), multipleChats: z.boolean(), showModelName: z.boolean() }),
    })
    .nullable(),
  /** The settings file as last read: when not ok, the last good settings stay in force. */
  configFile: z.object({ ok: z.boolean(), problem: z.string().nullable(), errors: z.array(z.string()) }),
});
export type ResearchStudyResponse = z.infer<typeof researchStudyResponseSchema>;

// GET /api/research/dashboard?study=
export const dashboardQuerySchema = z.object({
  /** Default: the study in force. */
  study: studyIdParam.optional(),
});

const conditionStatsSchema = z.object({
  /** Null: participants without a condition (the study has none). */
  condition: z.string().nullable(),
  participants: z.number().int(),
  conversations: z.number().int(),
  userMessages: z.number().int(),
  medianFirstTokenMs: z.number().nullable(),
});

export const dashboardResponseSchema = z.object({
  studyId: z.string().nullable(),
  generatedAt: isoDate,
  participants: z.object({
    total: z.number().int(),
    consentPending: z.number().int(),
    consented: z.number().int(),
    declined: z.number().int(),
  }),
  conversations: z.number().int(),
  byCondition: z.array(conditionStatsSchema),
  messagesPerMinute: z.object({
    windowMinutes: z.number().int(),
    /** Oldest first, one bucket per minute of the window, the current minute last. */
    buckets: z.array(z.object({ minute: isoDate, user: z.number().int(), assistant: z.number().int() })),
    /** User messages per minute averaged over the window. */
    userRate: z.number(),
  }),
  /** Open participant sockets and replies running, summed over every live backend instance. */
  activeConnections: z.number().int(),
  repliesRunning: z.number().int(),
  /** How many backend instances the two counts cover (1 without REDIS_URL, or while Redis is away). */
  instances: z.number().int(),
  agentErrors: z.object({
    total: z.number().int(),
    byCode: z.record(z.string(), z.number().int()),
    recent: z.array(z.object({ messageId: z.string(), chatId: z.string(), code: z.string().nullable(), at: isoDate })),
  }),
  medianFirstTokenMs: z.number().nullable(),
});
export type DashboardResponse = z.infer<typeof dashboardResponseSchema>;

// GET /api/research/participants?study=&condition=&limit=&cursor=
export const participantListQuerySchema = z.object({
  study: studyIdParam.optional(),
  condition: conditionParam.optional(),
  limit: limitParam,
  cursor: cursorParam,
});

export const participantSummarySchema = z.object({
  participantId: z.string(),
  studyId: z.string(),
  condition: z.string().nullable(),
  consentStatus: consentStatusSchema,
  consentAt: isoDate.nullable(),
  enrolledAt: isoDate,
  startedAt: isoDate.nullable(),
  prolificPid: z.string().nullable(),
  externalStudyId: z.string().nullable(),
  externalSessionId: z.string().nullable(),
  conversations: z.number().int(),
});
export const participantListResponseSchema = z.object({
  participants: z.array(participantSummarySchema),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type ParticipantListResponse = z.infer<typeof participantListResponseSchema>;

// GET /api/research/conversations?study=&condition=&participant=&limit=&cursor=
export const conversationListQuerySchema = z.object({
  study: studyIdParam.optional(),
  condition: conditionParam.optional(),
  /** A participant id (their username), as listed. */
  participant: z.string().min(1).max(64).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

export const conversationSummarySchema = z.object({
  chatId: z.string(),
  studyId: z.string().nullable(),
  participantId: z.string(),
  condition: z.string().nullable(),
  title: z.string(),
  createdAt: isoDate,
  lastUserMessageAt: isoDate.nullable(),
  messageCount: z.number().int(),
});
export const conversationListResponseSchema = z.object({
  conversations: z.array(conversationSummarySchema),
  nextCursor: z.string().nullable(),
});
export type ConversationListResponse = z.infer<typeof conversationListResponseSchema>;

// ---------------------------------------------------------------------------------------------
// The export: GET /api/research/export and scripts/export.sh
// ---------------------------------------------------------------------------------------------

/** Bumped whenever a record or column changes incompatibly. */
export const EXPORT_SCHEMA_VERSION = 1;

const booleanParam = z.enum(['1', '0', 'true', 'false', 'yes', 'no'], { error: 'must be 1 or 0' }).transform((v) => v === '1' || v === 'true' || v === 'yes');
const dateParam = z.iso.datetime({ offset: true, local: true }).or(z.iso.date()).transform((v) => new Date(v));

export const exportQuerySchema = z.object({
  format: z.enum(['jsonl', 'csv']).default('jsonl'),
  study: studyIdParam.optional(),
  condition: conditionParam.optional(),
  /** Conversations started at or after this date (ISO date or date-time); participants enrolled then. */
  from: dateParam.optional(),
  /** Conversations started before this date. */
  to: dateParam.optional(),
  /** Replace participant ids (and Prolific ids) by HMAC-SHA256 pseudonyms keyed with EXPORT_SALT. */
  pseudonymize: booleanParam.default(false),
});
export type ExportQuery = z.output<typeof exportQuerySchema>;

export const exportEventSchema = z.object({
  kind: z.string(),
  /** client: sent by the browser; server: recorded by the server (a login). */
  source: z.enum(['client', 'server']),
  clientTime: isoDate.nullable(),
  serverTime: isoDate,
  chatId: z.string().nullable(),
  messageId: z.string().nullable(),
  /** The event's own fields (e.g. shownChars, disconnectedMs, length). */
  data: z.record(z.string(), z.unknown()),
});

export const exportFeedbackSchema = z.object({
  rating: feedbackRatingSchema.nullable(),
  comment: z.string().nullable(),
  at: isoDate,
});

export const exportMessageSchema = z.object({
  id: z.string(),
  position: z.number().int(),
  role: messageRoleSchema,
  status: messageStatusSchema,
  content: z.string(),
  clientMsgId: z.string().nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
  /** Assistant messages: the user message it answered. */
  replyToId: z.string().nullable(),
  /** Assistant messages: the condition whose settings produced it. */
  condition: z.string().nullable(),
  agent: z
    .object({
      provider: z.string(),
      model: z.string(),
      /** temperature, maxTokens, timeoutMs, systemPrompt, baseUrl as used for this reply. */
      settings: z.record(z.string(), z.unknown()).nullable(),
      firstTokenMs: z.number().nullable(),
      durationMs: z.number().nullable(),
      inputTokens: z.number().nullable(),
      outputTokens: z.number().nullable(),
      errorCode: z.string().nullable(),
    })
    .nullable(),
  feedback: z.object({
    /** The latest entry of history, or null when there is none. */
    current: exportFeedbackSchema.nullable(),
    /** Every change, oldest first. */
    history: z.array(exportFeedbackSchema),
  }),
});

const participantIdFields = {
  /** The participant's id (their username or study-link id), or its pseudonym. */
  participantId: z.string(),
  pseudonymized: z.boolean(),
};

export const exportParticipantRecordSchema = z.object({
  schemaVersion: z.literal(EXPORT_SCHEMA_VERSION),
  record: z.literal('participant'),
  studyId: z.string(),
  ...participantIdFields,
  condition: z.string().nullable(),
  prolificPid: z.string().nullable(),
  externalStudyId: z.string().nullable(),
  externalSessionId: z.string().nullable(),
  enrolledAt: isoDate,
  consent: z.object({ status: consentStatusSchema, decidedAt: isoDate.nullable(), textSha256: z.string().nullable() }),
  startedAt: isoDate.nullable(),
  /** Events not tied to one conversation (logins, reconnects, tab visibility without a chat). */
  events: z.array(exportEventSchema),
});
export type ExportParticipantRecord = z.infer<typeof exportParticipantRecordSchema>;

export const exportConversationRecordSchema = z.object({
  schemaVersion: z.literal(EXPORT_SCHEMA_VERSION),
  record: z.literal('conversation'),
  /** Null for a conversation held outside any study. */
  studyId: z.string().nullable(),
  ...participantIdFields,
  condition: z.string().nullable(),
  chatId: z.string(),
  title: z.string(),
  createdAt: isoDate,
  lastUserMessageAt: isoDate.nullable(),
  /** Oldest first. */
  messages: z.array(exportMessageSchema),
  /** Oldest first (by server time). */
  events: z.array(exportEventSchema),
});
export type ExportConversationRecord = z.infer<typeof exportConversationRecordSchema>;

/** One line of the JSONL export: participant records first, then conversations. */
export const exportRecordSchema = z.discriminatedUnion('record', [exportParticipantRecordSchema, exportConversationRecordSchema]);
export type ExportRecord = z.infer<typeof exportRecordSchema>;

/** The CSV export's columns, in order: one row per message. */
export const EXPORT_CSV_COLUMNS = [
  'schemaVersion',
  'studyId',
  'participantId',
  'pseudonymized',
  'condition',
  'chatId',
  'chatTitle',
  'messageId',
  'position',
  'role',
  'status',
  'content',
  'createdAt',
  'updatedAt',
  'clientMsgId',
  'replyToId',
  'messageCondition',
  'provider',
  'model',
  'temperature',
  'maxTokens',
  'systemPrompt',
  'firstTokenMs',
  'durationMs',
  'inputTokens',
  'outputTokens',
  'errorCode',
  'feedbackRating',
  'feedbackComment',
  'feedbackAt',
  'feedbackChanges',
] as const;
export type ExportCsvColumn = (typeof EXPORT_CSV_COLUMNS)[number];

// GET /api/research/conversations/:id
export const conversationDetailResponseSchema = z.object({ conversation: exportConversationRecordSchema });
export type ConversationDetailResponse = z.infer<typeof conversationDetailResponseSchema>;

/**
 * docs/export-schema.json: the JSON Schema (draft 2020-12) of one JSONL line, generated from the
 * schemas above so it cannot drift (a test compares the committed file with this).
 */
export function renderExportJsonSchema(): string {
  const schema = z.toJSONSchema(exportRecordSchema, { target: 'draft-2020-12', io: 'output' });
  const document = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://parley.invalid/export-schema.json',
    title: `Parley research export, schemaVersion ${EXPORT_SCHEMA_VERSION}`,
    description:
      'One line of the JSONL export (GET /api/research/export, scripts/export.sh): a participant record, or a conversation record with its messages, feedback history and events. Participant records come first. The CSV export has one row per message with the columns listed in x-csv-columns. Generated from packages/protocol/src/research.ts; do not edit.',
    'x-schema-version': EXPORT_SCHEMA_VERSION,
    'x-csv-columns': [...EXPORT_CSV_COLUMNS],
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
