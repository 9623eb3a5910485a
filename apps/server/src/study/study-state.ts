import type { ConsentStatus, StudyChatTurns, StudyCompletion, StudyView } from '@parley/protocol';
import type { StudyConfig } from './study-config.ts';

/** The stored fields of a participation that decide what the participant may do. */
export interface ParticipationState {
  consentStatus: string;
  consentAt: Date | null;
  startedAt: Date | null;
}

/**
 * The consent status that applies now. A row records the rule when the participant arrived;
 * if the researcher later requires consent, a participant who was never asked is asked now,
 * and if consent stops being required, one who has not answered yet may chat. A decline is final.
 */
export function effectiveConsent(row: Pick<ParticipationState, 'consentStatus'>, study: StudyConfig): ConsentStatus {
  if (row.consentStatus === 'declined' || row.consentStatus === 'accepted') return row.consentStatus;
  return study.consent.required ? 'pending' : 'not_required';
}

export const mayChat = (consent: ConsentStatus): boolean => consent === 'accepted' || consent === 'not_required';

/**
 * Whether a chat is this participation's: assigned to it, or still empty and unassigned (its first
 * message makes it this participation's). Any other chat was held outside the current study
 * (before it, or in an earlier one) and can only be read while this study runs.
 */
export const isChatOfParticipation = (chat: { participantId: string | null; messageCount: number }, participantId: string): boolean =>
  chat.participantId === participantId || (chat.participantId === null && chat.messageCount === 0);

export const READ_ONLY_CHAT_MESSAGE = 'This conversation was held outside the current study and can only be read.';

/** When the time limit ends participation, or null (no limit, or the time has not started). */
export function timeLimitEndsAt(row: Pick<ParticipationState, 'startedAt'>, study: StudyConfig): Date | null {
  if (study.limits.maxMinutes === null || row.startedAt === null) return null;
  return new Date(row.startedAt.getTime() + study.limits.maxMinutes * 60_000);
}

export function chatTurns(chatId: string, turnsUsed: number, study: StudyConfig): StudyChatTurns {
  const max = study.limits.maxTurnsPerChat;
  return {
    chatId,
    turnsUsed,
    turnsRemaining: max === null ? null : Math.max(0, max - turnsUsed),
    closed: max !== null && turnsUsed >= max,
  };
}

/**
 * Everything the participant's page needs, computed from the stored participation, the turns of
 * their chats and the time. Pure, so every rule here is tested without a server.
 */
export function computeStudyView(study: StudyConfig, row: ParticipationState, chats: readonly { chatId: string; turnsUsed: number }[], now: Date): StudyView {
  const consent = effectiveConsent(row, study);
  const turns = chats.map((c) => chatTurns(c.chatId, c.turnsUsed, study));
  const endsAt = mayChat(consent) ? timeLimitEndsAt(row, study) : null;
  const timeUp = endsAt !== null && now.getTime() >= endsAt.getTime();
  const turnsUp = turns.some((t) => t.closed);

  let completion: StudyCompletion | null = null;
  if (mayChat(consent) && (timeUp || turnsUp)) {
    completion = {
      reason: timeUp ? 'time' : 'turns',
      message: study.limits.closedMessage,
      completionCode: study.limits.completionCode,
      redirectUrl: study.limits.redirectUrl,
    };
  }
  // A closed chat ends participation only when no other chat may be started.
  const finished = timeUp || (turnsUp && !study.permissions.multipleChats);
  const state = consent === 'declined' ? 'declined' : consent === 'pending' ? 'consent_required' : finished ? 'finished' : 'active';

  return {
    id: study.id,
    state,
    consent: {
      required: study.consent.required,
      status: consent,
      text: study.consent.text,
      decidedAt: consent === 'accepted' || consent === 'declined' ? (row.consentAt?.toISOString() ?? null) : null,
    },
    limits: {
      maxTurnsPerChat: study.limits.maxTurnsPerChat,
      maxMinutes: study.limits.maxMinutes,
      startedAt: mayChat(consent) ? (row.startedAt?.toISOString() ?? null) : null,
      endsAt: endsAt?.toISOString() ?? null,
    },
    chats: turns,
    permissions: { ...study.permissions },
    completion,
  };
}
