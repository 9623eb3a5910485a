import type { Prisma } from '../db/database.ts';

export interface NewEvent {
  userId: string;
  participantId: string | null;
  chatId: string | null;
  messageId: string | null;
  kind: string;
  source: 'client' | 'server';
  clientTime: Date | null;
  serverTime: Date;
  /** The event's own fields; stored as JSON. */
  data: Record<string, unknown>;
}

/** Participant events: appended, never changed (telemetry from the browser, logins from the server). */
export function createEventStore(prisma: Prisma) {
  return {
    async append(events: readonly NewEvent[]): Promise<number> {
      if (events.length === 0) return 0;
      const { count } = await prisma.participantEvent.createMany({
        data: events.map((e) => ({ ...e, data: JSON.stringify(e.data) })),
      });
      return count;
    },
  };
}

export type EventStore = ReturnType<typeof createEventStore>;
