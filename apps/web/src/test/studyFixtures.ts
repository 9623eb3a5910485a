import type { StudyChatTurns, StudyView } from '@parley/protocol';

/** A study view as GET /api/study answers it: active, consent accepted, no limits, every permission. */
export function studyView(extra: Partial<StudyView> = {}): StudyView {
  return {
    id: 'pilot',
    state: 'active',
    consent: { required: true, status: 'accepted', text: '# Consent', decidedAt: '2024-01-01T00:00:00.000Z' },
    limits: { maxTurnsPerChat: null, maxMinutes: null, startedAt: '2024-01-01T00:00:00.000Z', endsAt: null },
    chats: [],
    permissions: { renameChats: true, multipleChats: true, showModelName: true },
    completion: null,
    ...extra,
  };
}

export function turns(chatId: string, turnsUsed: number, max: number | null = null): StudyChatTurns {
  return { chatId, turnsUsed, turnsRemaining: max === null ? null : Math.max(0, max - turnsUsed), closed: max !== null && turnsUsed >= max };
}

export const completion = { reason: 'turns' as const, message: 'Thank you!', completionCode: 'C0DE', redirectUrl: 'https://example.org/done' };
