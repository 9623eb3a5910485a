import type { StudyView } from '@parley/protocol';

/**
 * The study's limits as the participant reads them beside the message box ("2 messages left ·
 * 14 minutes left"), or null when the study sets none. A new chat (`chatId` null, or one the
 * study does not list yet) has the whole turn budget.
 */
export function limitsText(study: StudyView | null, chatId: string | null, nowMs: number): string | null {
  if (!study) return null;
  const parts: string[] = [];
  const max = study.limits.maxTurnsPerChat;
  if (max !== null) {
    const turns = chatId ? study.chats.find((c) => c.chatId === chatId) : undefined;
    const left = turns?.turnsRemaining ?? max;
    parts.push(left === 1 ? '1 message left' : `${left} messages left`);
  }
  if (study.limits.endsAt) {
    const ms = Date.parse(study.limits.endsAt) - nowMs;
    if (ms <= 0) parts.push('time is up');
    else if (ms <= 60_000) parts.push('less than a minute left');
    else parts.push(`${Math.ceil(ms / 60_000)} minutes left`);
  }
  return parts.length > 0 ? parts.join(' · ') : null;
}

/** The host a redirect goes to, named on its button so the participant knows where they are sent. */
export function hostOf(url: string): string {
  return new URL(url).host;
}
