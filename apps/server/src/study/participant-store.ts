import { randomUUID } from 'node:crypto';
import type { ParticipantIds } from '@parley/protocol';
import type { Prisma } from '../db/database.ts';
import type { Participant } from '../db/generated/sqlite/client.ts';
import { pickCondition } from './assignment.ts';
import { KeyedLock } from '../cluster/keyed-lock.ts';

export type ParticipantRow = Participant;

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === 'P2002';
// Serializable transactions that collide are refused by the database (PostgreSQL) and retried.
const isWriteConflict = (err: unknown) => (err as { code?: string }).code === 'P2034';

/** Participations: one row per (study, user), created on first contact, never deleted. */
export function createParticipantStore(prisma: Prisma, random: () => number = Math.random) {
  const assignments = new KeyedLock();

  return {
    find(studyId: string, userId: string): Promise<ParticipantRow | null> {
      return prisma.participant.findUnique({ where: { studyId_userId: { studyId, userId } } });
    },

    /**
     * The user's participation in the study, created if it is their first contact. The study-link
     * ids are kept as first seen; later logins with other ids are recorded as events only.
     */
    async enroll(input: { studyId: string; userId: string; ids: ParticipantIds | null; consentStatus: 'pending' | 'not_required'; now: Date }): Promise<ParticipantRow> {
      const existing = await this.find(input.studyId, input.userId);
      if (existing) return existing;
      try {
        return await prisma.participant.create({
          data: {
            id: randomUUID(),
            studyId: input.studyId,
            userId: input.userId,
            prolificPid: input.ids?.PROLIFIC_PID ?? null,
            externalStudyId: input.ids?.STUDY_ID ?? null,
            externalSessionId: input.ids?.SESSION_ID ?? null,
            enrolledAt: input.now,
            consentStatus: input.consentStatus,
            // Without a consent step the participant may chat, and their time runs, from now.
            startedAt: input.consentStatus === 'not_required' ? input.now : null,
          },
        });
      } catch (err) {
        // Two first requests of one user raced: the other created it.
        if (!isUniqueViolation(err)) throw err;
        const row = await this.find(input.studyId, input.userId);
        if (!row) throw err;
        return row;
      }
    },

    /** Records a consent decision once; a participant who already decided keeps their decision. */
    async decideConsent(id: string, decision: 'accepted' | 'declined', at: Date, textSha256: string | null): Promise<ParticipantRow> {
      await prisma.participant.updateMany({
        where: { id, consentStatus: { in: ['pending', 'not_required'] } },
        data: { consentStatus: decision, consentAt: at, consentTextSha256: textSha256 },
      });
      // The time runs from the first moment chatting was possible; an earlier start is kept.
      if (decision === 'accepted') await prisma.participant.updateMany({ where: { id, startedAt: null }, data: { startedAt: at } });
      return prisma.participant.findUniqueOrThrow({ where: { id } });
    },

    /** Starts the participant's time if it has not started (consent stopped being required). */
    async startIfNotStarted(id: string, at: Date): Promise<ParticipantRow> {
      await prisma.participant.updateMany({ where: { id, startedAt: null }, data: { startedAt: at } });
      return prisma.participant.findUniqueOrThrow({ where: { id } });
    },

    /**
     * Gives the participant the least-filled condition (ties at random) unless they have one.
     * Counting and assigning happen in one serializable transaction, so concurrent arrivals see
     * each other's assignments; the in-process lock keeps them from colliding in the first place.
     */
    assignCondition(row: ParticipantRow, conditions: readonly string[]): Promise<ParticipantRow> {
      if (row.condition !== null || conditions.length === 0) return Promise.resolve(row);
      return assignments.run(row.studyId, async () => {
        for (let attempt = 1; ; attempt += 1) {
          try {
            return await prisma.$transaction(
              async (tx) => {
                const fresh = await tx.participant.findUniqueOrThrow({ where: { id: row.id } });
                if (fresh.condition !== null) return fresh;
                const groups = await tx.participant.groupBy({
                  by: ['condition'],
                  where: { studyId: row.studyId, condition: { in: [...conditions] } },
                  _count: { _all: true },
                });
                const counts = new Map(groups.map((g) => [g.condition ?? '', g._count._all]));
                return tx.participant.update({ where: { id: row.id }, data: { condition: pickCondition(conditions, counts, random) } });
              },
              { isolationLevel: 'Serializable' },
            );
          } catch (err) {
            if (!isWriteConflict(err) || attempt >= 5) throw err;
          }
        }
      });
    },

    /** The participant's chats in this study with the user messages sent in each (their turns). */
    async chatTurns(participantId: string): Promise<{ chatId: string; turnsUsed: number }[]> {
      const chats = await prisma.chat.findMany({
        where: { participantId },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        select: { id: true, _count: { select: { messages: { where: { role: 'user' } } } } },
      });
      return chats.map((c) => ({ chatId: c.id, turnsUsed: c._count.messages }));
    },
  };
}

export type ParticipantStore = ReturnType<typeof createParticipantStore>;
