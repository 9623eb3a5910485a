import type { Prisma } from '../db/database.ts';
import { hashToken, newSessionToken } from '../auth/tokens.ts';

export interface ResearcherSession {
  sessionId: string;
  expiresAt: Date;
}

/**
 * Researcher sessions, in their own table: a participant's token is never found here, whatever
 * it is, so no participant session can open a researcher route. Stored by the token's hash.
 */
export function createResearcherSessions(prisma: Prisma, ttlMs: number) {
  return {
    async open(now: Date = new Date()): Promise<{ token: string; session: ResearcherSession }> {
      const token = newSessionToken();
      const expiresAt = new Date(now.getTime() + ttlMs);
      const sessionId = hashToken(token);
      await prisma.researcherSession.create({ data: { id: sessionId, createdAt: now, expiresAt } });
      return { token, session: { sessionId, expiresAt } };
    },

    async resolve(token: string): Promise<ResearcherSession | null> {
      if (!token || token.length > 200) return null;
      const row = await prisma.researcherSession.findUnique({ where: { id: hashToken(token) } });
      if (!row || row.expiresAt.getTime() <= Date.now()) return null;
      return { sessionId: row.id, expiresAt: row.expiresAt };
    },

    async revoke(token: string): Promise<void> {
      await prisma.researcherSession.deleteMany({ where: { id: hashToken(token) } });
    },

    async purgeExpired(): Promise<number> {
      const { count } = await prisma.researcherSession.deleteMany({ where: { expiresAt: { lte: new Date() } } });
      return count;
    },
  };
}

export type ResearcherSessions = ReturnType<typeof createResearcherSessions>;
