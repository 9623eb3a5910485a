import { randomUUID } from 'node:crypto';
import type { User } from '@parley/protocol';
import type { Prisma } from '../db/database.ts';
import { toUser } from '../chats/serialize.ts';
import { hashToken, newSessionToken } from './tokens.ts';

export interface AuthenticatedSession {
  sessionId: string;
  user: User;
  expiresAt: Date;
}

export interface SessionStore {
  /** Finds or creates the user with this username and opens a session for them. */
  login(username: string): Promise<{ token: string; session: AuthenticatedSession }>;
  /** The live session behind a token, or null when unknown or expired. */
  resolve(token: string): Promise<AuthenticatedSession | null>;
  revoke(token: string): Promise<string | null>;
  /** Which of these sessions still exist and have not expired. */
  live(sessionIds: readonly string[]): Promise<Set<string>>;
  /** Deletes expired sessions; returns how many. */
  purgeExpired(): Promise<number>;
}

export function createSessionStore(prisma: Prisma, ttlMs: number): SessionStore {
  return {
    async login(username) {
      const user = await prisma.user.upsert({
        where: { username },
        create: { id: randomUUID(), username },
        update: {},
      });
      const token = newSessionToken();
      const expiresAt = new Date(Date.now() + ttlMs);
      const sessionId = hashToken(token);
      await prisma.session.create({ data: { id: sessionId, userId: user.id, expiresAt } });
      return { token, session: { sessionId, user: toUser(user), expiresAt } };
    },

    async resolve(token) {
      if (!token || token.length > 200) return null;
      const row = await prisma.session.findUnique({ where: { id: hashToken(token) }, include: { user: true } });
      if (!row || row.expiresAt.getTime() <= Date.now()) return null;
      return { sessionId: row.id, user: toUser(row.user), expiresAt: row.expiresAt };
    },

    async revoke(token) {
      const sessionId = hashToken(token);
      const { count } = await prisma.session.deleteMany({ where: { id: sessionId } });
      return count ? sessionId : null;
    },

    async live(sessionIds) {
      const live = new Set<string>();
      // In slices, so thousands of open sockets never make one oversized query.
      for (let i = 0; i < sessionIds.length; i += 500) {
        const rows = await prisma.session.findMany({ where: { id: { in: sessionIds.slice(i, i + 500) }, expiresAt: { gt: new Date() } }, select: { id: true } });
        for (const row of rows) live.add(row.id);
      }
      return live;
    },

    async purgeExpired() {
      const { count } = await prisma.session.deleteMany({ where: { expiresAt: { lte: new Date() } } });
      return count;
    },
  };
}
