import type { TelemetryEvent } from '@parley/protocol';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Prisma } from '../db/database.ts';
import { AppError, notFound } from '../http/app-error.ts';
import type { Clock } from './clock.ts';
import { createEventStore, type NewEvent } from './event-store.ts';
import type { StudyService } from './study-service.ts';

export interface TelemetryOptions {
  prisma: Prisma;
  study: StudyService;
  clock: Clock;
  /** Events a user may send per minute, socket and REST together. */
  eventsPerMinute: number;
}

/**
 * Client telemetry, from the `telemetry` frame and from POST /api/telemetry alike: already
 * validated by the protocol schema (known kinds, bounded fields and batch size); here it is
 * rate-limited per user, checked for ownership of every chat and message it names, and stored
 * with the server's time beside the client's.
 */
export function createTelemetry(options: TelemetryOptions) {
  const { prisma, study, clock } = options;
  const events = createEventStore(prisma);
  const limiter = new RateLimiterMemory({ points: options.eventsPerMinute, duration: 60 });

  async function requireOwned(userId: string, batch: readonly TelemetryEvent[]): Promise<void> {
    const chatIds = new Set(batch.map((e) => e.chatId).filter((id): id is string => id !== undefined));
    if (chatIds.size > 0 && (await prisma.chat.count({ where: { id: { in: [...chatIds] }, userId } })) !== chatIds.size) throw notFound('Chat');
    const messages = new Map<string, string>();
    for (const e of batch) if ('messageId' in e) messages.set(e.messageId, e.chatId);
    if (messages.size === 0) return;
    const found = await prisma.message.findMany({ where: { id: { in: [...messages.keys()] }, chat: { userId } }, select: { id: true, chatId: true } });
    if (found.length !== messages.size || found.some((m) => messages.get(m.id) !== m.chatId)) throw notFound('Message');
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
      await requireOwned(userId, batch);
      const serverTime = clock.now();
      const rows: NewEvent[] = batch.map(({ kind, clientTime, chatId, ...data }) => ({
        userId,
        participantId: participation?.id ?? null,
        chatId: chatId ?? null,
        messageId: 'messageId' in data ? data.messageId : null,
        kind,
        source: 'client',
        clientTime: new Date(clientTime),
        serverTime,
        data: Object.fromEntries(Object.entries(data).filter(([key]) => key !== 'messageId')),
      }));
      return events.append(rows);
    },
  };
}

export type Telemetry = ReturnType<typeof createTelemetry>;
