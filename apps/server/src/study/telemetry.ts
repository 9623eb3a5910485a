import type { TelemetryEvent } from '@parley/protocol';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { LimiterStore } from '../http/rate-limit.ts';
import type { Prisma } from '../db/database.ts';
import { AppError, notFound } from '../http/app-error.ts';
import type { Clock } from './clock.ts';
import { createEventStore, type NewEvent } from './event-store.ts';
import type { StudyService } from './study-service.ts';
import { isChatOfParticipation } from './study-state.ts';

export interface TelemetryOptions {
  prisma: Prisma;
  study: StudyService;
  clock: Clock;
  /** Events a user may send per minute, socket and REST together. */
  eventsPerMinute: number;
  /** Where the per-user event count is kept: shared by every instance when there are several. */
  limiters: LimiterStore;
}

/**
 * Client telemetry, from the `telemetry` frame and from POST /api/telemetry alike: already
 * validated by the protocol schema (known kinds, bounded fields and batch size); here it is
 * rate-limited per user, checked for ownership of every chat and message it names, and stored
 * with the server's time beside the client's, under the participation in force (without a chat
 * that is not that participation's).
 */
export function createTelemetry(options: TelemetryOptions) {
  const { prisma, study, clock } = options;
  const events = createEventStore(prisma);
  const limiter = options.limiters({ name: 'telemetry-events', points: options.eventsPerMinute, durationSeconds: 60 });

  /** Refuses a batch naming a chat or message the user does not own; returns the chats it names. */
  async function requireOwned(userId: string, batch: readonly TelemetryEvent[]) {
    const chatIds = new Set(batch.map((e) => e.chatId).filter((id): id is string => id !== undefined));
    const chats = new Map<string, { participantId: string | null; messageCount: number }>();
    if (chatIds.size > 0) {
      const found = await prisma.chat.findMany({ where: { id: { in: [...chatIds] }, userId }, select: { id: true, participantId: true, messageCount: true } });
      if (found.length !== chatIds.size) throw notFound('Chat');
      for (const { id, ...chat } of found) chats.set(id, chat);
    }
    const messages = new Map<string, string>();
    for (const e of batch) if ('messageId' in e) messages.set(e.messageId, e.chatId);
    if (messages.size > 0) {
      const found = await prisma.message.findMany({ where: { id: { in: [...messages.keys()] }, chat: { userId } }, select: { id: true, chatId: true } });
      if (found.length !== messages.size || found.some((m) => messages.get(m.id) !== m.chatId)) throw notFound('Message');
    }
    return chats;
  }

  return {
    /** Stores a batch for this user; returns how many events were stored. */
    async record(userId: string, batch: readonly TelemetryEvent[]): Promise<number> {
      try {
        await limiter.consume(userId, batch.length);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        throw new AppError('rate_limited', 'Too many telemetry events; some were not recorded.');
      }
      // Nothing is collected from someone who has not consented.
      const participation = await study.requireMayChat(userId);
      const chats = await requireOwned(userId, batch);
      // An event is the current participation's, since it happened while this study runs. If it
      // names a chat held outside this study (an earlier study's chat left open: old chats stay
      // readable), it is stored without that chat and its message: it then belongs in this
      // participant's record of this study, and the earlier study's conversation stays as it was
      // when that study ended. Tagging it with the chat's own participation instead would move
      // something that happened in this study out of this study's export. Without a study every
      // chat may be written to, so the chat is kept.
      const keepsChat = (chatId: string) => participation === null || isChatOfParticipation(chats.get(chatId)!, participation.id);
      const serverTime = clock.now();
      const rows: NewEvent[] = batch.map(({ kind, clientTime, chatId, ...data }) => {
        const kept = chatId !== undefined && keepsChat(chatId) ? chatId : null;
        return {
          userId,
          participantId: participation?.id ?? null,
          chatId: kept,
          messageId: kept !== null && 'messageId' in data ? data.messageId : null,
          kind,
          source: 'client',
          clientTime: new Date(clientTime),
          serverTime,
          data: Object.fromEntries(Object.entries(data).filter(([key]) => key !== 'messageId')),
        };
      });
      return events.append(rows);
    },
  };
}

export type Telemetry = ReturnType<typeof createTelemetry>;
