import { describe, expect, it } from 'vitest';
import { studyView, turns } from '../../test/studyFixtures.ts';
import { hostOf, limitsText } from './limitsText.ts';

const now = Date.parse('2024-01-01T12:00:00.000Z');
const limits = (maxTurnsPerChat: number | null, endsAt: string | null) => ({ ...studyView().limits, maxTurnsPerChat, endsAt });

describe('limits beside the message box', () => {
  it('says nothing without a study or without limits', () => {
    expect(limitsText(null, 'c1', now)).toBeNull();
    expect(limitsText(studyView(), 'c1', now)).toBeNull();
  });

  it('counts the messages left in this chat, and the whole budget in a new one', () => {
    const study = studyView({ limits: limits(3, null), chats: [turns('c1', 2, 3)] });
    expect(limitsText(study, 'c1', now)).toBe('1 message left');
    expect(limitsText(study, null, now)).toBe('3 messages left');
    expect(limitsText(study, 'unlisted', now)).toBe('3 messages left');
  });

  it('counts whole minutes left, then less than a minute, then time is up', () => {
    expect(limitsText(studyView({ limits: limits(null, '2024-01-01T12:14:01.000Z') }), null, now)).toBe('15 minutes left');
    expect(limitsText(studyView({ limits: limits(2, '2024-01-01T12:00:40.000Z') }), null, now)).toBe('2 messages left · less than a minute left');
    expect(limitsText(studyView({ limits: limits(null, '2024-01-01T11:59:00.000Z') }), null, now)).toBe('time is up');
  });

  it('names the host a redirect goes to', () => {
    expect(hostOf('https://app.prolific.com/submissions/complete?cc=X')).toBe('app.prolific.com');
  });
});
