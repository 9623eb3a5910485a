import { describe, expect, it } from 'vitest';
import { initialsOf } from './initials.ts';

describe('initialsOf', () => {
  it.each([
    ['Ada Lovelace', 'AL'],
    ['participant_42', 'P4'],
    ['grace', 'GR'],
    ['  x  ', 'X'],
    ['李雷', '李雷'],
    ['😀 smile', '😀S'],
    ['', '?'],
  ])('%j → %j', (name, expected) => expect(initialsOf(name)).toBe(expected));
});
