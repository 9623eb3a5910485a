import type { DashboardResponse } from '@parley/protocol';
import type { Prisma } from '../db/database.ts';

export interface DashboardDeps {
  prisma: Prisma;
  now(): Date;
  /** Open sockets and running replies on every live instance (see Cluster.activity). */
  activity(): Promise<{ connections: number; replies: number; instances: number }>;
}

export const MESSAGES_WINDOW_MINUTES = 15;
const RECENT_ERRORS = 10;

/**
 * The researcher's live overview of one study (or of everything when `studyId` is null): a
 * fixed, small number of indexed queries (a few per condition), whatever the study's size.
 */
export async function buildDashboard(deps: DashboardDeps, studyId: string | null, conditions: readonly string[]): Promise<DashboardResponse> {
  const { prisma } = deps;
  const now = deps.now();
  const activity = await deps.activity();
  const inStudy = studyId ? { studyId } : {};
  const chatsIn = (condition?: string | null) =>
    studyId || condition !== undefined ? { participant: { is: { ...inStudy, ...(condition !== undefined ? { condition } : {}) } } } : {};

  const [consentGroups, conditionGroups, conversations] = await Promise.all([
    prisma.participant.groupBy({ by: ['consentStatus'], where: inStudy, _count: { _all: true } }),
    prisma.participant.groupBy({ by: ['condition'], where: inStudy, _count: { _all: true } }),
    prisma.chat.count({ where: { messageCount: { gt: 0 }, ...chatsIn() } }),
  ]);
  const consentCount = (status: string) => consentGroups.find((g) => g.consentStatus === status)?._count._all ?? 0;
  const participantsIn = new Map(conditionGroups.map((g) => [g.condition, g._count._all]));

  // Every configured condition is listed, even before anyone is in it; so is any found in the data.
  const names = [...new Set<string | null>([...conditions, ...participantsIn.keys()])];
  const byCondition = await Promise.all(
    names.map(async (condition) => ({
      condition,
      participants: participantsIn.get(condition) ?? 0,
      conversations: await prisma.chat.count({ where: { messageCount: { gt: 0 }, ...chatsIn(condition) } }),
      userMessages: await prisma.message.count({ where: { role: 'user', chat: chatsIn(condition) } }),
      medianFirstTokenMs: await medianFirstToken(prisma, { chat: chatsIn(condition) }),
    })),
  );

  const windowStart = new Date(Math.floor(now.getTime() / 60_000) * 60_000 - (MESSAGES_WINDOW_MINUTES - 1) * 60_000);
  const recent = await prisma.message.findMany({ where: { createdAt: { gte: windowStart }, chat: chatsIn() }, select: { createdAt: true, role: true } });
  const buckets = Array.from({ length: MESSAGES_WINDOW_MINUTES }, (_, i) => ({ minute: new Date(windowStart.getTime() + i * 60_000).toISOString(), user: 0, assistant: 0 }));
  for (const m of recent) {
    const bucket = buckets[Math.floor((m.createdAt.getTime() - windowStart.getTime()) / 60_000)];
    if (bucket) bucket[m.role === 'user' ? 'user' : 'assistant'] += 1;
  }

  const failed = { role: 'assistant', status: 'error', chat: chatsIn() };
  const [errorGroups, recentErrors, overallMedian] = await Promise.all([
    prisma.message.groupBy({ by: ['errorCode'], where: failed, _count: { _all: true } }),
    prisma.message.findMany({ where: failed, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: RECENT_ERRORS, select: { id: true, chatId: true, errorCode: true, createdAt: true } }),
    medianFirstToken(prisma, { chat: chatsIn() }),
  ]);

  return {
    studyId,
    generatedAt: now.toISOString(),
    participants: {
      total: conditionGroups.reduce((n, g) => n + g._count._all, 0),
      consentPending: consentCount('pending'),
      consented: consentCount('accepted') + consentCount('not_required'),
      declined: consentCount('declined'),
    },
    conversations,
    byCondition,
    messagesPerMinute: {
      windowMinutes: MESSAGES_WINDOW_MINUTES,
      buckets,
      userRate: buckets.reduce((n, b) => n + b.user, 0) / MESSAGES_WINDOW_MINUTES,
    },
    activeConnections: activity.connections,
    repliesRunning: activity.replies,
    instances: activity.instances,
    agentErrors: {
      total: errorGroups.reduce((n, g) => n + g._count._all, 0),
      byCode: Object.fromEntries(errorGroups.map((g) => [g.errorCode ?? 'unknown', g._count._all])),
      recent: recentErrors.map((e) => ({ messageId: e.id, chatId: e.chatId, code: e.errorCode, at: e.createdAt.toISOString() })),
    },
    medianFirstTokenMs: overallMedian,
  };
}

/** The exact median of the replies' time to first token: a count, then the middle one or two rows. */
async function medianFirstToken(prisma: Prisma, where: { chat: object }): Promise<number | null> {
  const scope = { ...where, role: 'assistant', firstTokenMs: { not: null } };
  const n = await prisma.message.count({ where: scope });
  if (n === 0) return null;
  const middle = await prisma.message.findMany({
    where: scope,
    orderBy: [{ firstTokenMs: 'asc' }, { id: 'asc' }],
    skip: Math.floor((n - 1) / 2),
    take: n % 2 === 0 ? 2 : 1,
    select: { firstTokenMs: true },
  });
  return middle.reduce((sum, m) => sum + (m.firstTokenMs ?? 0), 0) / middle.length;
}
