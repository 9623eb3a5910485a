import { describe, expect, it } from 'vitest';
import type { StudyConfig } from './study-config.ts';
import { computeStudyView, effectiveConsent } from './study-state.ts';

const base: StudyConfig = {
  id: 's1',
  consent: { required: true, text: '# Consent', textSha256: 'abc' },
  conditions: [],
  limits: { maxTurnsPerChat: 3, maxMinutes: 30, closedMessage: 'Thanks!', completionCode: 'CODE1', redirectUrl: 'https://example.org/done' },
  permissions: { renameChats: true, multipleChats: false, showModelName: true },
};
const t0 = new Date('2026-01-01T10:00:00Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

describe('computeStudyView', () => {
  it('asks for consent first, with no time running and nothing to complete', () => {
    const view = computeStudyView(base, { consentStatus: 'pending', consentAt: null, startedAt: null }, [], t0);
    expect(view).toMatchObject({ state: 'consent_required', consent: { required: true, status: 'pending', text: '# Consent', decidedAt: null }, completion: null });
    expect(view.limits).toEqual({ maxTurnsPerChat: 3, maxMinutes: 30, startedAt: null, endsAt: null });
  });

  it('is active after consent, with the end of the time limit counted from the start', () => {
    const view = computeStudyView(base, { consentStatus: 'accepted', consentAt: t0, startedAt: t0 }, [{ chatId: 'c', turnsUsed: 1 }], minutes(5));
    expect(view.state).toBe('active');
    expect(view.consent.decidedAt).toBe(t0.toISOString());
    expect(view.limits.endsAt).toBe(minutes(30).toISOString());
    expect(view.chats).toEqual([{ chatId: 'c', turnsUsed: 1, turnsRemaining: 2, closed: false }]);
  });

  it('finishes when the time is up, with the closed message, code and redirect', () => {
    const view = computeStudyView(base, { consentStatus: 'accepted', consentAt: t0, startedAt: t0 }, [], minutes(30));
    expect(view.state).toBe('finished');
    expect(view.completion).toEqual({ reason: 'time', message: 'Thanks!', completionCode: 'CODE1', redirectUrl: 'https://example.org/done' });
    expect(computeStudyView(base, { consentStatus: 'accepted', consentAt: t0, startedAt: t0 }, [], minutes(29.9)).state).toBe('active');
  });

  it('finishes on the turn limit when only one chat is allowed; stays active (with the code) when more are', () => {
    const row = { consentStatus: 'accepted', consentAt: t0, startedAt: t0 };
    const chats = [{ chatId: 'c', turnsUsed: 3 }];
    const single = computeStudyView(base, row, chats, minutes(1));
    expect(single).toMatchObject({ state: 'finished', completion: { reason: 'turns', completionCode: 'CODE1' }, chats: [{ closed: true, turnsRemaining: 0 }] });
    const several = computeStudyView({ ...base, permissions: { ...base.permissions, multipleChats: true } }, row, chats, minutes(1));
    expect(several).toMatchObject({ state: 'active', completion: { reason: 'turns' } });
  });

  it('keeps a decline final and shows no completion to someone who declined', () => {
    const view = computeStudyView(base, { consentStatus: 'declined', consentAt: t0, startedAt: null }, [], minutes(100));
    expect(view).toMatchObject({ state: 'declined', completion: null, consent: { status: 'declined' } });
  });

  it('has no limits without limits', () => {
    const open = { ...base, limits: { ...base.limits, maxTurnsPerChat: null, maxMinutes: null } };
    const view = computeStudyView(open, { consentStatus: 'accepted', consentAt: t0, startedAt: t0 }, [{ chatId: 'c', turnsUsed: 500 }], minutes(10_000));
    expect(view).toMatchObject({ state: 'active', completion: null, chats: [{ turnsRemaining: null, closed: false }], limits: { endsAt: null } });
  });
});

describe('effectiveConsent', () => {
  it('asks a participant never asked once the study requires consent, and lets one who never answered chat once it does not', () => {
    expect(effectiveConsent({ consentStatus: 'not_required' }, base)).toBe('pending');
    expect(effectiveConsent({ consentStatus: 'pending' }, { ...base, consent: { required: false, text: null, textSha256: null } })).toBe('not_required');
    expect(effectiveConsent({ consentStatus: 'declined' }, { ...base, consent: { required: false, text: null, textSha256: null } })).toBe('declined');
    expect(effectiveConsent({ consentStatus: 'accepted' }, base)).toBe('accepted');
  });
});
