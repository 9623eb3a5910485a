import type { ServerFrame } from '@parley/protocol';
import { Router } from 'express';
import type { AgentConfigStore } from '../agent/agent-config.ts';
import type { SessionStore } from '../auth/session-store.ts';
import type { Prisma } from '../db/database.ts';
import type { LimiterStore } from '../http/rate-limit.ts';
import type { Logger } from '../logging/logger.ts';
import type { Clock } from './clock.ts';
import { createFeedbackStore } from './feedback-store.ts';
import { feedbackRoutes } from './feedback-routes.ts';
import { createStudyNotifier } from './study-notifier.ts';
import { studyRoutes } from './study-routes.ts';
import { createStudyService } from './study-service.ts';
import { createTelemetry } from './telemetry.ts';
import { telemetryRoutes } from './telemetry-routes.ts';

export interface StudyModuleOptions {
  prisma: Prisma;
  /** The hot-reloaded settings file: its `study` section and its `agent` section. */
  settingsFile: AgentConfigStore;
  sessions: SessionStore;
  clock: Clock;
  /** Every socket of the user (on every instance). */
  publish(userId: string, frame: ServerFrame): void;
  /** Users with an open socket on this instance. */
  connectedUsers(): Iterable<string>;
  logger: Logger;
  /** Rate-limit counters (the cluster's: shared by every instance when there are several). */
  limiters: LimiterStore;
  /** Runs a task alone per key across every instance (the cluster's lock). */
  exclusive: <T>(key: string, task: () => Promise<T>) => Promise<T>;
  telemetryEventsPerMinute: number;
  sweepIntervalMs: number;
}

/**
 * The participant side of studies, built in one place for the composition root: the rules
 * (study service), feedback, telemetry, the notifier that pushes `study.updated`, and the routes.
 */
export function createStudyModule(options: StudyModuleOptions) {
  const { prisma, settingsFile, clock, logger } = options;
  const service = createStudyService({
    prisma,
    study: () => settingsFile.currentStudy(),
    baseSettings: () => settingsFile.current(),
    clock,
    publish: options.publish,
    logger,
    exclusive: options.exclusive,
  });
  const feedback = createFeedbackStore(prisma);
  const telemetry = createTelemetry({ prisma, study: service, clock, eventsPerMinute: options.telemetryEventsPerMinute, limiters: options.limiters });
  const notifier = createStudyNotifier({ study: service, connectedUsers: options.connectedUsers, logger, intervalMs: options.sweepIntervalMs });
  const unsubscribe = settingsFile.onStudyChange(() => void notifier.studyChanged());

  const routes = Router();
  routes.use(studyRoutes({ sessions: options.sessions, study: service }));
  routes.use(feedbackRoutes({ sessions: options.sessions, feedback, study: service, clock, publish: options.publish, limiters: options.limiters }));
  routes.use(telemetryRoutes({ sessions: options.sessions, telemetry, limiters: options.limiters }));

  return {
    service,
    notifier,
    /** Mounted under /api. */
    routes,
    /** What the socket gateway and the chat routes ask of a running study. */
    hooks: {
      guardSend: service.guardSend,
      recordTelemetry: telemetry.record,
      checkCreateChat: service.checkCreateChat,
      checkRename: service.checkRename,
      presentMessage: service.presentMessage,
      feedbackFor: feedback.currentFor,
    },
    close(): void {
      notifier.close();
      unsubscribe();
    },
  };
}

export type StudyModule = ReturnType<typeof createStudyModule>;
