import { describe, expect, it } from 'vitest';
import { participantUsername, readParticipantIds } from './participantIds.ts';

describe('study-link ids', () => {
  it('reads the Prolific parameters and names the participant by PROLIFIC_PID', () => {
    const ids = readParticipantIds('?PROLIFIC_PID=5f1a&STUDY_ID=s-9&SESSION_ID=abc&utm_source=x');
    expect(ids).toEqual({ PROLIFIC_PID: '5f1a', STUDY_ID: 's-9', SESSION_ID: 'abc' });
    expect(participantUsername(ids!)).toBe('5f1a');
  });

  it('accepts a generic pid, and PROLIFIC_PID wins when both are given', () => {
    expect(participantUsername(readParticipantIds('?pid=P-0042')!)).toBe('P-0042');
    expect(participantUsername(readParticipantIds('?pid=P-1&PROLIFIC_PID=prolific-1')!)).toBe('prolific-1');
  });

  it('names nobody without PROLIFIC_PID or pid, or when they are blank', () => {
    expect(readParticipantIds('')).toBeNull();
    expect(readParticipantIds('?STUDY_ID=s-9&SESSION_ID=abc')).toBeNull();
    expect(readParticipantIds('?PROLIFIC_PID=%20%20&pid=')).toBeNull();
  });

  it('decodes and trims values, and leaves out empty ones', () => {
    expect(readParticipantIds('?pid=%20Ada%20L.%20&STUDY_ID=')).toEqual({ pid: 'Ada L.' });
  });
});
