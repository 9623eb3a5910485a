import {
  EXPORT_SCHEMA_VERSION,
  type ConsentStatus,
  type ExportConversationRecord,
  type ExportParticipantRecord,
  type MessageRole,
  type MessageStatus,
} from '@parley/protocol';
import type { Prisma } from '../../db/database.ts';
import type { Chat, Feedback, Message, Participant, ParticipantEvent } from '../../db/generated/sqlite/client.ts';
import type { Pseudonymizer } from './pseudonymize.ts';

// Database rows → export records (docs/export-schema.json). The only place that knows both.

export type ChatWithOwner = Chat & { user: { username: string }; participant: Participant | null };
export type ParticipantWithUser = Participant & { user: { username: string } };
type ExportEvent = ExportConversationRecord['events'][number];
type ExportMessage = ExportConversationRecord['messages'][number];

function parseJsonObject(text: string | null): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Fields of an event's data that identify the participant (a login's study-link ids). */
const IDENTIFYING_EVENT_FIELDS = ['PROLIFIC_PID', 'pid', 'SESSION_ID'];

export function eventRecord(row: ParticipantEvent, pseudo: Pseudonymizer): ExportEvent {
  const data = parseJsonObject(row.data) ?? {};
  for (const field of IDENTIFYING_EVENT_FIELDS) if (typeof data[field] === 'string') data[field] = pseudo.id(data[field]);
  return {
    kind: row.kind,
    source: row.source === 'server' ? 'server' : 'client',
    clientTime: row.clientTime?.toISOString() ?? null,
    serverTime: row.serverTime.toISOString(),
    chatId: row.chatId,
    messageId: row.messageId,
    data,
  };
}

const feedbackEntry = (row: Feedback): ExportMessage['feedback']['history'][number] => ({
  rating: row.rating === 'up' || row.rating === 'down' ? row.rating : null,
  comment: row.comment,
  at: row.createdAt.toISOString(),
});

export function messageRecord(row: Message, feedback: readonly Feedback[]): ExportMessage {
  const history = feedback.map(feedbackEntry);
  return {
    id: row.id,
    position: row.position,
    role: row.role as MessageRole,
    status: row.status as MessageStatus,
    content: row.content,
    clientMsgId: row.clientMsgId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    replyToId: row.replyToId,
    condition: row.condition,
    agent:
      row.role === 'assistant' && row.provider
        ? {
            provider: row.provider,
            model: row.model ?? '',
            settings: parseJsonObject(row.settings),
            firstTokenMs: row.firstTokenMs,
            durationMs: row.durationMs,
            inputTokens: row.inputTokens,
            outputTokens: row.outputTokens,
            errorCode: row.errorCode,
          }
        : null,
    feedback: { current: history.at(-1) ?? null, history },
  };
}

export function participantRecord(row: ParticipantWithUser, events: readonly ParticipantEvent[], pseudo: Pseudonymizer): ExportParticipantRecord {
  return {
    schemaVersion: EXPORT_SCHEMA_VERSION,
    record: 'participant',
    studyId: row.studyId,
    participantId: pseudo.id(row.user.username),
    pseudonymized: pseudo.enabled,
    condition: row.condition,
    prolificPid: pseudo.id(row.prolificPid),
    externalStudyId: row.externalStudyId,
    externalSessionId: pseudo.id(row.externalSessionId),
    enrolledAt: row.enrolledAt.toISOString(),
    consent: { status: row.consentStatus as ConsentStatus, decidedAt: row.consentAt?.toISOString() ?? null, textSha256: row.consentTextSha256 },
    startedAt: row.startedAt?.toISOString() ?? null,
    events: events.map((e) => eventRecord(e, pseudo)),
  };
}

/**
 * Whether an event naming this chat is part of its conversation: recorded under the chat's own
 * participation, or outside any study. An event of another participation (a later study's, sent
 * with this chat open, as stored before telemetry checked the chat's study) is not: the
 * participant record of its own participation carries it (see export-stream.ts).
 */
export const isConversationEvent = (event: Pick<ParticipantEvent, 'participantId'>, chat: Pick<Chat, 'participantId'>): boolean =>
  event.participantId === null || event.participantId === chat.participantId;

/**
 * The conversation records of these chats, in the order given: their messages, each message's
 * feedback history and the chats' events, read with three queries whatever the number of chats.
 */
export async function loadConversationRecords(prisma: Prisma, chats: readonly ChatWithOwner[], pseudo: Pseudonymizer): Promise<ExportConversationRecord[]> {
  if (chats.length === 0) return [];
  const chatIds = chats.map((c) => c.id);
  const [messages, feedback, events] = await Promise.all([
    prisma.message.findMany({ where: { chatId: { in: chatIds } }, orderBy: [{ chatId: 'asc' }, { position: 'asc' }] }),
    prisma.feedback.findMany({ where: { message: { chatId: { in: chatIds } } }, orderBy: { id: 'asc' } }),
    prisma.participantEvent.findMany({ where: { chatId: { in: chatIds } }, orderBy: [{ serverTime: 'asc' }, { id: 'asc' }] }),
  ]);
  const feedbackByMessage = groupBy(feedback, (f) => f.messageId);
  const messagesByChat = groupBy(messages, (m) => m.chatId);
  const eventsByChat = groupBy(events, (e) => e.chatId ?? '');

  return chats.map((chat) => ({
    schemaVersion: EXPORT_SCHEMA_VERSION,
    record: 'conversation',
    studyId: chat.participant?.studyId ?? null,
    participantId: pseudo.id(chat.user.username),
    pseudonymized: pseudo.enabled,
    condition: chat.participant?.condition ?? null,
    chatId: chat.id,
    title: chat.title,
    createdAt: chat.createdAt.toISOString(),
    lastUserMessageAt: chat.lastUserMessageAt?.toISOString() ?? null,
    messages: (messagesByChat.get(chat.id) ?? []).map((m) => messageRecord(m, feedbackByMessage.get(m.id) ?? [])),
    events: (eventsByChat.get(chat.id) ?? []).filter((e) => isConversationEvent(e, chat)).map((e) => eventRecord(e, pseudo)),
  }));
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(item);
  }
  return groups;
}
