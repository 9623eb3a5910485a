import { describe, expect, it } from 'vitest';
import { conditionLabel, formatMs, formatTime } from './format.ts';

describe('research formatting', () => {
  it('formats durations at a readable precision', () => {
    expect(formatMs(null)).toBe('–');
    expect(formatMs(Number.NaN)).toBe('–');
    expect(formatMs(849.6)).toBe('850 ms');
    expect(formatMs(1_420)).toBe('1.4 s');
    expect(formatMs(125_000)).toBe('2 min 5 s');
    expect(formatMs(120_000)).toBe('2 min');
  });

  it('keeps an unreadable timestamp as it is and marks a missing one', () => {
    expect(formatTime(null)).toBe('–');
    expect(formatTime('not a date')).toBe('not a date');
    expect(formatTime('2026-05-01T10:00:00.000Z')).toMatch(/2026/);
  });

  it('names the missing condition', () => {
    expect(conditionLabel(null)).toBe('(no condition)');
    expect(conditionLabel('warm')).toBe('warm');
  });
});
