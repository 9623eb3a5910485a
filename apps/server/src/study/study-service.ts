import type { Message, ParticipantIds, ServerFrame, StudyView, User } from '@parley/protocol';
import type { AgentSettings } from '../agent/providers/types.ts';
import type { Prisma } from '../db/database.ts';
import { AppError } from '../http/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import type { Clock } from './clock.ts';
import { createEventStore } from './event-store.ts';
import { createParticipantStore, type ParticipantRow } from './participant-store.ts';
import type { StudyConfig } from './study-config.ts';
import { chatTurns, computeStudyView, effectiveConsent, isChatOfParticipation, mayChat, READ_ONLY_CHAT_MESSAGE, timeLimitEndsAt } from './study-state.ts';

export interface StudyServiceDeps {
  prisma: Prisma;
  /** The study in force (hot-reloaded), or null: Parley then behaves as without studies. */
  study(): StudyConfig | null;
  /** The `agent` section in force: replies outside a condition use it. */
  baseSettings(): AgentSettings;
  clock: Clock;
  /** Delivers a frame to every socket of the user. */
  publish(userId: string, frame: ServerFrame): void;
  logger: Logger;
  /** Runs a task alone per key across every instance (Cluster.exclusive). */
  exclusive: <T>(key: string, task: () => Promise<T>) => Promise<T>;
  random?: () => number;
}

export interface SendInput {
  userId: string;
  chatId: string;
  clientMsgId: string;
}

/**
 * The study's rules applied to participants: enrolment with a balanced condition, the consent
 * gate, turn and time limits, permissions, and which agent settings answer whom. Every method is
 * a no-op (or answers "no study") when the settings file has no `study` section.
 */
export function createStudyService(deps: StudyServiceDeps) {
  const { prisma, clock, logger } = deps;
  const participants = createParticipantStore(prisma, deps.random);
  const events = createEventStore(prisma);
  // A participant's sends and consent decisions happen one at a time, on every instance, so two
  // tabs cannot both take the last turn.
  const oneAtATime = <T>(userId: string, task: () => Promise<T>): Promise<T> => deps.exclusive(`participant:${userId}`, task);

  const conditionNames = (study: StudyConfig) => study.conditions.map((c) => c.name);

  /** The participation, created on first contact; once the participant may chat, their time and condition are set. */
  async function participation(userId: string, study: StudyConfig, ids: ParticipantIds | null = null): Promise<ParticipantRow> {
    let row = await participants.enroll({
      studyId: study.id,
      userId,
      ids,
      consentStatus: study.consent.required ? 'pending' : 'not_required',
      now: clock.now(),
    });
    if (mayChat(effectiveConsent(row, study))) {
      if (row.startedAt === null) row = await participants.startIfNotStarted(row.id, clock.now());
      row = await participants.assignCondition(row, conditionNames(study));
    }
    return row;
  }

  async function viewOf(study: StudyConfig, row: ParticipantRow): Promise<StudyView> {
    return computeStudyView(study, row, await participants.chatTurns(row.id), clock.now());
  }

  /** Refuses a participant who has not consented (or declined); returns their participation. */
  async function requireConsent(userId: string, study: StudyConfig): Promise<ParticipantRow> {
    const row = await participation(userId, study);
    const consent = effectiveConsent(row, study);
    if (consent === 'declined') throw new AppError('consent_declined', 'You declined to take part in this study, so you cannot chat.');
    if (consent === 'pending') throw new AppError('consent_required', 'Please read and accept the consent form before chatting.');
    return row;
  }

  function requireTimeLeft(study: StudyConfig, row: ParticipantRow): void {
    const endsAt = timeLimitEndsAt(row, study);
    if (endsAt !== null && clock.now().getTime() >= endsAt.getTime()) {
      throw new AppError('limit_reached', 'The time for this study is up, so no more messages can be sent.');
    }
  }

  /**
   * Sends the user's current view to their sockets. It only reads: someone connected who has not
   * taken part in this study yet (the study just changed) sees the view of a newcomer and is
   * enrolled, with a condition, only when they act.
   */
  async function publishView(userId: string): Promise<void> {
    const study = deps.study();
    let view: StudyView | null = null;
    if (study) {
      const row = await participants.find(study.id, userId);
      view = row
        ? await viewOf(study, row)
        : computeStudyView(study, { consentStatus: study.consent.required ? 'pending' : 'not_required', consentAt: null, startedAt: null }, [], clock.now());
    }
    deps.publish(userId, { type: 'study.updated', study: view });
  }

  return {
    /** The study in force. */
    current: (): StudyConfig | null => deps.study(),

    /** After a login: enrols the participant in the running study and records the study-link ids. */
    async onLogin(user: User, ids: ParticipantIds | null): Promise<void> {
      const study = deps.study();
      const row = study ? await participation(user.id, study, ids) : null;
      if (!ids) return;
      await events.append([
        { userId: user.id, participantId: row?.id ?? null, chatId: null, messageId: null, kind: 'login', source: 'server', clientTime: null, serverTime: clock.now(), data: { ...ids } },
      ]);
    },

    /** What the participant's page shows; null without a study. */
    async view(userId: string): Promise<StudyView | null> {
      const study = deps.study();
      return study ? viewOf(study, await participation(userId, study)) : null;
    },

    /** Accepts or declines consent. A decision is final: repeating it is fine, reversing it is a conflict. */
    async decideConsent(userId: string, accept: boolean): Promise<StudyView> {
      const study = deps.study();
      if (!study) throw new AppError('not_found', 'This server is not running a study.');
      const view = await oneAtATime(userId, async () => {
        let row = await participation(userId, study);
        const consent = effectiveConsent(row, study);
        const wanted = accept ? 'accepted' : 'declined';
        if (consent === 'not_required') throw new AppError('conflict', 'This study does not ask for consent.');
        if (consent !== 'pending' && consent !== wanted) {
          throw new AppError('conflict', consent === 'declined' ? 'You declined to take part; that decision is final.' : 'You have already agreed to take part.');
        }
        if (consent === 'pending') {
          row = await participants.decideConsent(row.id, wanted, clock.now(), study.consent.textSha256);
          if (accept) row = await participants.assignCondition(row, conditionNames(study));
          logger.info({ userId, studyId: study.id, decision: wanted }, 'consent decided');
        }
        return viewOf(study, row);
      });
      // The participant's other tabs close or open their input.
      deps.publish(userId, { type: 'study.updated', study: view });
      return view;
    },

    /**
     * Runs `post` (storing a user message) only if the study lets this participant send to this
     * chat now: consent given, the chat belongs to this study, time and turns left. A resend of a
     * message already stored passes, so a client that missed its ack still gets it.
     */
    async guardSend<T extends { duplicate: boolean }>(input: SendInput, post: () => Promise<T>): Promise<T> {
      const study = deps.study();
      if (!study) return post();
      return oneAtATime(input.userId, async () => {
        const row = await requireConsent(input.userId, study);
        const chat = await prisma.chat.findFirst({ where: { id: input.chatId, userId: input.userId }, select: { participantId: true, messageCount: true } });
        // Not the user's chat: `post` answers it exactly like a missing chat.
        if (!chat) return post();
        const alreadyStored = () => prisma.message.count({ where: { chatId: input.chatId, clientMsgId: input.clientMsgId } }).then((n) => n > 0);

        if (chat.participantId !== row.id) {
          if (!isChatOfParticipation(chat, row.id)) throw new AppError('forbidden', READ_ONLY_CHAT_MESSAGE);
          if (!study.permissions.multipleChats && (await prisma.chat.count({ where: { participantId: row.id } })) > 0) {
            throw new AppError('forbidden', 'This study allows one conversation; please continue the one you started.');
          }
        }
        if (!(await alreadyStored())) {
          requireTimeLeft(study, row);
          const turnsUsed = study.limits.maxTurnsPerChat === null ? 0 : await prisma.message.count({ where: { chatId: input.chatId, role: 'user' } });
          const turns = chatTurns(input.chatId, turnsUsed, study);
          if (turns.closed) {
            throw new AppError('limit_reached', `This conversation has reached its limit of ${study.limits.maxTurnsPerChat} messages.`);
          }
          if (chat.participantId === null) {
            await prisma.chat.updateMany({ where: { id: input.chatId, participantId: null }, data: { participantId: row.id } });
          }
          const result = await post();
          // Turns left (and, at the last one, the chat closing) reach every open tab, after the ack the caller sends now.
          if (!result.duplicate) setImmediate(() => void publishView(input.userId).catch((err) => logger.error({ err }, 'study update failed')));
          return result;
        }
        return post();
      });
    },

    /** Before a new chat: consent given, time left, and a second chat only if the study allows it. */
    async checkCreateChat(userId: string): Promise<void> {
      const study = deps.study();
      if (!study) return;
      const row = await requireConsent(userId, study);
      requireTimeLeft(study, row);
      if (!study.permissions.multipleChats && (await prisma.chat.count({ where: { participantId: row.id, messageCount: { gt: 0 } } })) > 0) {
        throw new AppError('forbidden', 'This study allows one conversation; please continue the one you started.');
      }
    },

    checkRename(): void {
      const study = deps.study();
      if (study && !study.permissions.renameChats) throw new AppError('forbidden', 'Renaming conversations is turned off in this study.');
    },

    /** Feedback and telemetry come only from participants who consented; returns the participation (null without a study). */
    async requireMayChat(userId: string): Promise<ParticipantRow | null> {
      const study = deps.study();
      return study ? requireConsent(userId, study) : null;
    },

    /**
     * The settings that answer a message in this chat: the participant's condition's, or the
     * `agent` section when the chat is outside a study or the participant has no condition.
     */
    async agentSettingsFor(chatId: string): Promise<{ settings: AgentSettings; condition: string | null }> {
      const chat = await prisma.chat.findUnique({ where: { id: chatId }, select: { participant: { select: { studyId: true, condition: true } } } });
      const assigned = chat?.participant;
      if (!assigned?.condition) return { settings: deps.baseSettings(), condition: null };
      const study = deps.study();
      const condition = study?.id === assigned.studyId ? study.conditions.find((c) => c.name === assigned.condition) : undefined;
      if (!condition) {
        // The researcher removed the condition (or the study) mid-run: the reply uses the base
        // settings, which its stored settings show; the label still names the participant's group.
        logger.warn({ chatId, studyId: assigned.studyId, condition: assigned.condition }, 'participant condition is not in the study in force; replying with the agent section');
        return { settings: deps.baseSettings(), condition: assigned.condition };
      }
      return { settings: condition.settings, condition: condition.name };
    },

    /** A message as participants may see it: the model's name hidden when the study says so. */
    presentMessage(message: Message): Message {
      const study = deps.study();
      if (!study || study.permissions.showModelName || !message.agent) return message;
      return { ...message, agent: { ...message.agent, provider: '', model: '' } };
    },

    /** Sends the user's current study view to their sockets. */
    publishView,

    /** Participants among `userIds` whose time has run out: one query, whatever the number of users. */
    async timedOut(userIds: readonly string[]): Promise<{ userId: string; participantId: string }[]> {
      const study = deps.study();
      if (!study || study.limits.maxMinutes === null || userIds.length === 0) return [];
      const cutoff = new Date(clock.now().getTime() - study.limits.maxMinutes * 60_000);
      const rows = await prisma.participant.findMany({
        where: { studyId: study.id, userId: { in: [...userIds] }, startedAt: { lte: cutoff }, consentStatus: { in: ['accepted', 'not_required'] } },
        select: { id: true, userId: true },
      });
      return rows.map((r) => ({ userId: r.userId, participantId: r.id }));
    },
  };
}

export type StudyService = ReturnType<typeof createStudyService>;
