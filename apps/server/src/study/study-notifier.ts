import type { Logger } from '../logging/logger.ts';
import type { StudyService } from './study-service.ts';

export interface StudyNotifierOptions {
  study: StudyService;
  /** Users with an open socket on this instance. */
  connectedUsers(): Iterable<string>;
  logger: Logger;
  /** How often to look for participants whose time ran out. */
  intervalMs: number;
}

/**
 * Pushes `study.updated` to open tabs when their study state changes without a request of theirs:
 * a participant's time runs out (checked every `intervalMs` for connected users only), or the
 * researcher edits the study. A tab is told once per participation about its time running out.
 */
export function createStudyNotifier(options: StudyNotifierOptions) {
  const { study, logger } = options;
  const toldTimeUp = new Set<string>();
  let sweeping: Promise<void> | null = null;

  const distinctUsers = () => [...new Set(options.connectedUsers())];

  async function sweepOnce(): Promise<void> {
    for (const { userId, participantId } of await study.timedOut(distinctUsers())) {
      if (toldTimeUp.has(participantId)) continue;
      toldTimeUp.add(participantId);
      await study.publishView(userId);
    }
  }

  /** Runs one sweep (a sweep already running is joined, never doubled). */
  function sweep(): Promise<void> {
    sweeping ??= sweepOnce()
      .catch((err) => logger.error({ err }, 'study time-limit sweep failed'))
      .finally(() => (sweeping = null));
    return sweeping;
  }

  const timer = setInterval(() => void sweep(), options.intervalMs);
  timer.unref();

  return {
    sweep,
    /** The study in force changed: every connected participant gets the new view. */
    async studyChanged(): Promise<void> {
      toldTimeUp.clear();
      for (const userId of distinctUsers()) {
        await study.publishView(userId).catch((err) => logger.error({ err, userId }, 'study update failed'));
      }
    },
    close(): void {
      clearInterval(timer);
    },
  };
}

export type StudyNotifier = ReturnType<typeof createStudyNotifier>;
