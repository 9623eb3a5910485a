import { describe, expect, it } from 'vitest';
import { pickCondition } from './assignment.ts';

describe('pickCondition', () => {
  it('picks the least-filled condition whatever the order of the file', () => {
    const counts = new Map([
      ['a', 4],
      ['b', 2],
      ['c', 3],
    ]);
    expect(pickCondition(['a', 'b', 'c'], counts, () => 0.99)).toBe('b');
    expect(pickCondition(['c', 'a', 'b'], counts, () => 0)).toBe('b');
  });

  it('counts a condition nobody has yet as empty', () => {
    expect(pickCondition(['a', 'new'], new Map([['a', 1]]), () => 0.99)).toBe('new');
  });

  it('breaks ties with the random source, over the tied conditions only', () => {
    const counts = new Map([
      ['a', 1],
      ['b', 1],
      ['c', 5],
    ]);
    expect(pickCondition(['a', 'b', 'c'], counts, () => 0)).toBe('a');
    expect(pickCondition(['a', 'b', 'c'], counts, () => 0.6)).toBe('b');
    expect(pickCondition(['a', 'b', 'c'], counts, () => 0.9999)).toBe('b');
  });

  it('spreads ties evenly with Math.random (each of three tied conditions about a third of 3,000 draws)', () => {
    const tally = new Map<string, number>();
    for (let i = 0; i < 3000; i += 1) {
      const name = pickCondition(['x', 'y', 'z'], new Map());
      tally.set(name, (tally.get(name) ?? 0) + 1);
    }
    // Binomial(3000, 1/3): sd ≈ 26; 800..1200 is beyond 7 sd.
    for (const name of ['x', 'y', 'z']) expect(tally.get(name)).toBeGreaterThan(800);
  });

  it('keeps every running total within one of the others when participants arrive one by one', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 31; i += 1) {
      const name = pickCondition(['a', 'b', 'c'], counts);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      const values = ['a', 'b', 'c'].map((n) => counts.get(n) ?? 0);
      expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
    }
  });
});
